#pragma once
// tg::nn::EmbeddingBag: a table of num_embeddings rows of embedding_dim floats whose
// rows are looked up in bags and reduced per bag (sum, mean or max) without making the
// looked-up rows. Every option of torch.nn.EmbeddingBag, with its numbers and errors;
// docs/embedding.md, "EmbeddingBag", lists the few places it departs.
//
//   tg::nn::EmbeddingBag bag(tg::nn::EmbeddingBagOptions(10, 3).mode(tg::nn::EmbeddingBagMode::Sum).sparse(true));
//   tg::Tensor out = bag(tg::tensor({1, 2, 4, 5, 4, 3, 2, 9}), tg::tensor({0, 4}));  // (2, 3)
//   out.sum().backward();                                                            // bag.weight.grad() is sparse COO
#include <cstdint>
#include <string>
#include <utility>

#include "embedding.h"

namespace tg::nn {

// Chained setters and getters of the same name, libtorch style. The lookup options
// (padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse) and the bag's (mode,
// include_last_offset) come from EmbeddingBagLookupOptions, shared with
// F::EmbeddingBagFuncOptions.
class EmbeddingBagOptions : public TableOptions<EmbeddingBagOptions, EmbeddingBagLookupOptions> {
 public:
  using TableOptions::TableOptions;
};

// EmbeddingBag::from_pretrained's options: the bag's options and freeze (default true).
class EmbeddingBagFromPretrainedOptions
    : public FromPretrainedOptions<EmbeddingBagFromPretrainedOptions, EmbeddingBagLookupOptions> {};

class EmbeddingBag
    : public TableModule<EmbeddingBag, "EmbeddingBag", EmbeddingBagOptions, EmbeddingBagFromPretrainedOptions> {
 public:
  explicit EmbeddingBag(EmbeddingBagOptions options) : TableModule(std::move(options)) {}
  EmbeddingBag(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingBag(EmbeddingBagOptions(num_embeddings, embedding_dim)) {}

  // input (B, L) with no offsets, or (N) with offsets; per_sample_weights: input's shape
  // (mode Sum only). -> (B, D).
  Tensor forward(const Tensor& input, const Tensor& offsets = {}, const Tensor& per_sample_weights = {});
  Tensor operator()(const Tensor& input, const Tensor& offsets = {}, const Tensor& per_sample_weights = {}) {
    return forward(input, offsets, per_sample_weights);
  }
  std::string extra_repr() const override;
};

}  // namespace tg::nn

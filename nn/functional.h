#pragma once
// tg::nn::functional: the layers as plain functions of tensors, and the losses.
//
//   namespace F = tg::nn::functional;
//   tg::Tensor rows = F::embedding(ids, table, F::EmbeddingFuncOptions().padding_idx(0));
//   tg::Tensor loss = F::cross_entropy(logits, targets);
#include <cstdint>

#include "../core/tensor.h"
#include "embedding_options.h"

namespace tg::nn {

// How a loss reduces its per-element values: libtorch's kNone, kMean, kSum, and
// kBatchMean (kl_div only: the sum divided by the batch size).
enum class Reduction { None, Mean, Sum, BatchMean };
inline constexpr Reduction kNone = Reduction::None;
inline constexpr Reduction kMean = Reduction::Mean;
inline constexpr Reduction kSum = Reduction::Sum;
inline constexpr Reduction kBatchMean = Reduction::BatchMean;

// Validates padding_idx against num_embeddings and returns it in [0, V), counting a
// negative value from the end. tg::ValueError unless -V <= padding_idx < V.
int64_t normalize_padding_idx(const char* where, int64_t padding_idx, int64_t num_embeddings);

namespace functional {

// Options of F::embedding: padding_idx, max_norm, norm_type, scale_grad_by_freq,
// sparse, each a chained setter and a getter of the same name (embedding_options.h).
class EmbeddingFuncOptions : public EmbeddingLookupOptions<EmbeddingFuncOptions> {};

// Rows of weight (V, D) picked by input (int64/int32, any shape S) -> (S..., D).
// With max_norm, the referenced rows are first renormalised in place (no-grad), and
// weight's version goes up by one. With sparse, a leaf weight receives a sparse COO
// gradient; a weight computed by other ops (w * 2) receives the equivalent dense one,
// because the backward rules of those ops take dense gradients.
Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options = {});

// Options of F::embedding_bag: the lookup options, mode (default Mean) and
// include_last_offset (embedding_options.h), plus the call's offsets and
// per_sample_weights tensors.
class EmbeddingBagFuncOptions : public EmbeddingBagLookupOptions<EmbeddingBagFuncOptions> {
 public:
  EmbeddingBagFuncOptions& offsets(Tensor v) { offsets_ = std::move(v); return *this; }
  EmbeddingBagFuncOptions& per_sample_weights(Tensor v) { per_sample_weights_ = std::move(v); return *this; }
  const Tensor& offsets() const { return offsets_; }
  const Tensor& per_sample_weights() const { return per_sample_weights_; }

 private:
  Tensor offsets_;
  Tensor per_sample_weights_;
};

// Sums, means or maxima of bags of rows of weight (V, D) -> (B, D), as
// torch.nn.functional.embedding_bag: input (B, L) is B bags of L; 1-D input (N) needs
// offsets (where each bag starts; B + 1 entries with include_last_offset, the last = N).
// per_sample_weights (input's shape, mode Sum only) scale each row. padding_idx rows
// are left out of their bag (Mean divides by the rest); an empty bag gives zeros.
// With max_norm, every argument is checked first, then the referenced rows are
// renormalised in place as in F::embedding. docs/embedding.md, "EmbeddingBag".
Tensor embedding_bag(const Tensor& input, const Tensor& weight, const EmbeddingBagFuncOptions& options = {});

// x (*, in) @ weight(out, in)^T + bias (out) -> (*, out).
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
Tensor log_softmax(const Tensor& input, int64_t dim);
Tensor logsigmoid(const Tensor& input);

// Losses. Mean is the sum over elements divided by their count.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = kMean);
// Numerically stable for large |logits|: (1 - y) x - logsigmoid(x), never log(sigmoid(x)).
// pos_weight (if given) multiplies the positive term, as in PyTorch.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, Reduction reduction = kMean,
                                        const Tensor& pos_weight = {});
// log_probs (N, C), target int64/int32 (N) class indices -> the negative log likelihood.
// Targets equal to ignore_index contribute nothing; Mean divides by the others' count.
// (The option-class forms in loss.h take the same arguments.)
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction, int64_t ignore_index = -100);
// logits (N, C) or (C) with class indices: nll_loss(log_softmax(logits, 1), target).
Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction, int64_t ignore_index = -100);

}  // namespace functional
}  // namespace tg::nn

#include "functional_layers.h"
#include "loss.h"

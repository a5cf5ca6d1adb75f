#pragma once
// tg::nn::Embedding: a table of num_embeddings rows of embedding_dim floats, looked up
// by integer indices of any shape. Every option of torch.nn.Embedding, with its numbers
// and errors, plus scale_grad_by_freq with sparse gradients.
//
//   tg::nn::Embedding emb(tg::nn::EmbeddingOptions(10, 3).padding_idx(0).sparse(true));
//   tg::Tensor rows = emb(tg::tensor({{1, 2, 4, 5}, {4, 3, 2, 9}}));   // (2, 4, 3)
//   rows.sum().backward();                                           // emb.weight.grad() is sparse COO
#include <cstdint>
#include <optional>
#include <string>

#include "functional.h"
#include "module.h"

namespace tg::nn {

// Chained setters and getters of the same name, libtorch style:
// EmbeddingOptions(10, 3).padding_idx(0) sets, options.padding_idx() reads. The lookup
// options (padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse) come from
// EmbeddingLookupOptions, shared with F::EmbeddingFuncOptions; padding_idx may be
// negative, counting from the end, and the module stores it normalised to [0, V).
class EmbeddingOptions : public TableOptions<EmbeddingOptions, EmbeddingLookupOptions> {
 public:
  using TableOptions::TableOptions;
};

// Embedding::from_pretrained's options: the lookup options and freeze (default true).
class EmbeddingFromPretrainedOptions : public FromPretrainedOptions<EmbeddingFromPretrainedOptions, EmbeddingLookupOptions> {};

class Embedding : public Module {
 public:
  explicit Embedding(EmbeddingOptions options);
  Embedding(int64_t num_embeddings, int64_t embedding_dim);

  // A module around `embeddings` (V, D), sharing its storage; frozen by default.
  // The padding row is not zeroed.
  static Embedding from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& options = {});

  Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }
  // Redraws the weight from N(0, 1) and zeroes the padding row, in place.
  void reset_parameters();
  const EmbeddingOptions& options() const { return options_; }
  std::string extra_repr() const override;
  std::string name() const override { return "Embedding"; }

  Tensor weight;  // (num_embeddings, embedding_dim); the registered parameter itself

 private:
  EmbeddingOptions options_;
};

// What Embedding and EmbeddingBag share about their table: one home for the size,
// padding_idx, max_norm and _weight checks and for the initialisation.
struct EmbeddingTable {
  const char* where;  // "Embedding" or "EmbeddingBag", for errors
  int64_t num_embeddings;
  int64_t embedding_dim;
  Tensor given;       // _weight, or undefined
  bool freeze;
  Dtype dtype;        // of a fresh weight
};
// Checks the sizes and max_norm; returns the options with padding_idx normalised.
EmbeddingLookup check_table_options(const EmbeddingTable& table, EmbeddingLookup lookup);
// Registers "weight" on module: the given tensor (shape-checked, shared, not redrawn) or
// a fresh N(0, 1) table whose padding row is zero.
Tensor make_table(Module& module, const EmbeddingTable& table, std::optional<int64_t> padding_idx);
// Redraws weight from N(0, 1) in place and zeroes the padding row.
void reset_table(Tensor& weight, std::optional<int64_t> padding_idx);

}  // namespace tg::nn

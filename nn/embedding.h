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
#include <utility>

#include "functional.h"
#include "layer.h"
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
// from_pretrained's check: `embeddings` is defined and 2-D.
void check_pretrained(const char* where, const Tensor& embeddings);

// The module half of Embedding and EmbeddingBag, written once: built from Options
// (TableOptions), the weight made and checked by the functions above, from_pretrained
// from PretrainedOptions (FromPretrainedOptions), name() and options().
template <class Self, LayerName Name, class Options, class PretrainedOptions>
class TableModule : public Module {
 public:
  // A module around `embeddings` (V, D), sharing its storage; frozen by default.
  // The padding row is not zeroed.
  static Self from_pretrained(const Tensor& embeddings, const PretrainedOptions& options = {}) {
    check_pretrained(Name.value, embeddings);
    Options table(embeddings.size(0), embeddings.size(1));
    table._weight(embeddings)._freeze(options.freeze()).lookup(options.lookup());
    if constexpr (requires { options.bag(); }) table.bag(options.bag());
    return Self(std::move(table));
  }

  // Redraws the weight from N(0, 1) and zeroes the padding row, in place.
  void reset_parameters() { reset_table(weight, options_.padding_idx()); }
  const Options& options() const { return options_; }
  std::string name() const override { return Name.value; }

  Tensor weight;  // (num_embeddings, embedding_dim); the registered parameter itself

 protected:
  explicit TableModule(Options options) : options_(std::move(options)) {
    const EmbeddingTable table{Name.value, options_.num_embeddings(), options_.embedding_dim(), options_._weight(),
                               options_._freeze(), options_.dtype()};
    options_.lookup(check_table_options(table, options_.lookup()));
    weight = make_table(*this, table, options_.padding_idx());
  }

  Options options_;
};

class Embedding : public TableModule<Embedding, "Embedding", EmbeddingOptions, EmbeddingFromPretrainedOptions> {
 public:
  explicit Embedding(EmbeddingOptions options) : TableModule(std::move(options)) {}
  Embedding(int64_t num_embeddings, int64_t embedding_dim)
      : Embedding(EmbeddingOptions(num_embeddings, embedding_dim)) {}

  Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }
  std::string extra_repr() const override;
};

}  // namespace tg::nn

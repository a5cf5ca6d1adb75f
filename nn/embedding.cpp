#include "embedding.h"

#include <fmt/format.h>

#include "../autograd/grad_mode.h"
#include "../core/rows.h"

namespace tg::nn {

void check_pretrained(const char* where, const Tensor& embeddings) {
  if (!embeddings.defined() || embeddings.dim() != 2)
    throw ValueError(fmt::format("{}::from_pretrained: Embeddings parameter is expected to be 2-dimensional; "
                                 "got shape {}",
                                 where, embeddings.defined() ? shape_string(embeddings.sizes()) : "undefined"));
}

EmbeddingLookup check_table_options(const EmbeddingTable& table, EmbeddingLookup lookup) {
  if (table.num_embeddings < 0 || table.embedding_dim < 0)
    throw ValueError(fmt::format("{}: Trying to create tensor with negative dimension: num_embeddings = {}, "
                                 "embedding_dim = {}; expected sizes >= 0",
                                 table.where, table.num_embeddings, table.embedding_dim));
  if (lookup.max_norm) core::check_max_norm(table.where, *lookup.max_norm);
  if (lookup.padding_idx)
    lookup.padding_idx = normalize_padding_idx(table.where, *lookup.padding_idx, table.num_embeddings);
  return lookup;
}

Tensor make_table(Module& module, const EmbeddingTable& table, std::optional<int64_t> padding_idx) {
  const bool requires_grad = !table.freeze;
  if (table.given.defined()) {
    if (table.given.sizes() != Shape{table.num_embeddings, table.embedding_dim})
      throw ValueError(fmt::format("{}: Shape of _weight does not match num_embeddings and embedding_dim: "
                                   "_weight has shape {}; expected [{}, {}]", table.where,
                                   shape_string(table.given.sizes()), table.num_embeddings, table.embedding_dim));
    // Shares the caller's storage (and version counter), with no history: a fresh leaf,
    // as nn.Parameter(t) in PyTorch. Not re-initialised, so the padding row stays as given.
    return module.register_parameter("weight", table.given.detach(), requires_grad);
  }
  Tensor& weight =
      module.register_parameter("weight", empty({table.num_embeddings, table.embedding_dim}, table.dtype), requires_grad);
  reset_table(weight, padding_idx);
  return weight;
}

void reset_table(Tensor& weight, std::optional<int64_t> padding_idx) {
  NoGradGuard no_grad;
  if (weight.numel() == 0) return;  // num_embeddings or embedding_dim 0: nothing to draw
  weight.copy_(randn(weight.sizes(), weight.dtype()));
  // Only a fresh init zeroes the padding row; nothing keeps it zero afterwards.
  if (padding_idx) weight.select(0, *padding_idx).fill_(0.0);
}

Tensor Embedding::forward(const Tensor& input) {
  return functional::embedding(input, weight, functional::EmbeddingFuncOptions().lookup(options_.lookup()));
}

std::string Embedding::extra_repr() const {
  std::string s = fmt::format("{}, {}", options_.num_embeddings(), options_.embedding_dim());
  if (options_.padding_idx()) s += fmt::format(", padding_idx={}", *options_.padding_idx());
  if (options_.max_norm()) s += fmt::format(", max_norm={}", repr_float(*options_.max_norm()));
  if (options_.norm_type() != 2.0) s += fmt::format(", norm_type={}", repr_float(options_.norm_type()));
  if (options_.scale_grad_by_freq()) s += ", scale_grad_by_freq=True";
  if (options_.sparse()) s += ", sparse=True";
  return s;
}

}  // namespace tg::nn

// The embedding lookup and its backward, dense and sparse; the max_norm renorm.
//
// weight: (V, D)   indices: int64 or int32, any shape S, N elements   result: (S..., D)
//
// Note [the lookup saves no weight]
// The backward needs only the indices and V, so that is all the node keeps. PyTorch 1.13
// saved the whole weight, so two lookups of one max_norm table in one graph failed at
// backward (the second renorm bumped the saved weight's version). Here they work, and
// a large table is never kept alive by a graph.
#include <fmt/format.h>

#include "../../core/layout.h"
#include "../../core/rows.h"
#include "../grad_mode.h"
#include "recording.h"
#include "embedding_backward.h"

namespace tg {

namespace {

void check_table(const char* where, const Tensor& weight) {
  core::check_dense(where, weight);
  if (weight.dim() != 2)
    throw ValueError(fmt::format("{}: 'weight' must be 2-D; got shape {} ({}-D); expected (num_embeddings, "
                                 "embedding_dim)", where, shape_string(weight.sizes()), weight.dim()));
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx, bool scale_grad_by_freq,
                 bool sparse) {
  check_table("embedding", weight);
  const int64_t num_rows = weight.size(0);
  core::check_lookup_indices("embedding", indices, num_rows);
  Tensor out = core::gather_rows(weight, indices);
  if (!should_record({weight})) return out;

  autograd::RowGradOptions options;
  options.num_rows = num_rows;
  if (padding_idx >= 0) options.padding_idx = padding_idx;
  options.scale_grad_by_freq = scale_grad_by_freq;
  // Sparse gradients flow into a leaf's .grad. Through another op (W * 2, then a
  // lookup) they would meet dense-only backward rules, so a non-leaf table gets
  // the dense gradient, with the same values.
  const bool emit_sparse = sparse && weight.is_leaf();
  // Saved with its version: changing the indices in place before backward is an error.
  const SavedTensor ids(core::contiguous(indices));
  return record(
      "EmbeddingBackward0", out, {weight},
      [ids, options, emit_sparse](const Tensor& grad) -> Gradients {
        const Tensor& lookups = ids.get();
        if (emit_sparse)  // see Note [uncoalesced sparse gradients] in core/sparse.cpp
          return {autograd::sparse_rows_from_lookups(grad, lookups, options)};
        return {autograd::scatter_add_rows(grad, lookups, options)};
      },
      {.saved = {ids}, .sparse_gradient = {emit_sparse}});
}

const Tensor& embedding_renorm_(const Tensor& weight, const Tensor& indices, double max_norm, double norm_type) {
  check_table("embedding_renorm_", weight);
  if (!weight.is_floating_point())
    throw TypeError(fmt::format("embedding_renorm_: max_norm needs a floating weight; got dtype {}",
                                dtype_name(weight.dtype())));
  core::check_max_norm("embedding_renorm_", max_norm);
  // Every index is checked before any row changes, so a failing call leaves the
  // table as it was (PyTorch rescales rows up to the bad index, then raises).
  core::check_lookup_indices("embedding", indices, weight.size(0));
  {
    NoGradGuard no_grad;  // the rescaling is not part of the graph (spec 4.2)
    core::renorm_rows(weight, indices, max_norm, norm_type);
  }
  // One bump per call, whether or not a row changed: an op that saved the weight
  // earlier in this graph must fail at backward, as in PyTorch.
  weight.bump_version();
  return weight;
}

}  // namespace tg

// embedding_bag: sums, means or maxima of bags of table rows, and its backward, dense
// and sparse, for the table and for per_sample_weights.
//
// weight: (V, D)   indices: (B, L), or (N) with offsets (B or B + 1)   result: (B, D)
//
// The forward accumulates each looked-up row straight into its bag's output row
// (core::reduce_bags), and the backward writes each lookup's gradient row straight
// into the sparse values or the dense table gradient (Note [a bag's gradient per
// lookup]): the (N, D) rows of a plain lookup are never made, in either direction.
// As the plain lookup's node (Note [the lookup saves no weight]), the node keeps the
// indices and the bags, not the table; only per_sample_weights' gradient reads the
// table, so the table is saved only when that gradient is wanted.
#include <fmt/format.h>

#include "../../core/bags.h"
#include "../../core/layout.h"
#include "embedding_bag_backward.h"
#include "recording.h"

namespace tg {

Tensor embedding_bag(const Tensor& weight, const Tensor& indices, const Tensor& offsets,
                     const Tensor& per_sample_weights, const EmbeddingBagArgs& args) {
  core::BagBounds bags = core::check_embedding_bag("embedding_bag", weight, indices, offsets, per_sample_weights, args);
  const Tensor flat_indices = core::contiguous(indices).reshape({indices.numel()});
  const Tensor flat_weights =
      per_sample_weights.defined() ? core::contiguous(per_sample_weights).reshape({indices.numel()}) : Tensor();
  core::BagReduction reduced = core::reduce_bags(weight, flat_indices, bags, flat_weights, args);
  const Tensor& out = reduced.out;
  const bool has_weights = per_sample_weights.defined();
  if (has_weights ? !should_record({weight, per_sample_weights}) : !should_record({weight})) return out;
  const bool weights_need_grad = has_weights && per_sample_weights.requires_grad();

  autograd::BagGradOptions options;
  options.num_rows = weight.size(0);
  if (args.padding_idx >= 0) options.padding_idx = args.padding_idx;
  options.scale_grad_by_freq = args.scale_grad_by_freq;
  options.mode = args.mode;
  // A sparse gradient only into a leaf table, as for the plain lookup: other ops'
  // backward rules take dense gradients.
  const bool emit_sparse = args.sparse && weight.is_leaf();
  // Saved with their versions: changing them in place before backward is an error.
  const SavedTensor ids(flat_indices);
  const SavedTensor sample_weights = flat_weights.defined() ? SavedTensor(flat_weights) : SavedTensor();
  const SavedTensor table = weights_need_grad ? SavedTensor(weight) : SavedTensor();
  const Shape weights_shape = has_weights ? per_sample_weights.sizes() : Shape{};
  auto backward = [ids, sample_weights, table, weights_shape, has_weights, options, emit_sparse, bags = std::move(bags),
                   sizes = std::move(reduced.sizes), winners = std::move(reduced.winners),
                   table_needs_grad = weight.requires_grad()](const Tensor& grad) -> Gradients {
    const Tensor& lookups = ids.get();
    const Tensor weights = sample_weights.defined() ? sample_weights.get() : Tensor();
    Gradients grads(has_weights ? 2 : 1);
    if (table_needs_grad) {
      if (options.mode == EmbeddingBagMode::Max)
        grads[0] = autograd::bag_max_scatter_add(grad, winners, options.num_rows);
      else if (emit_sparse)  // see Note [uncoalesced sparse gradients] in core/sparse.cpp
        grads[0] = autograd::bag_sparse_rows(grad, lookups, bags, sizes, weights, options);
      else
        grads[0] = autograd::bag_scatter_add_rows(grad, lookups, bags, sizes, weights, options);
    }
    if (table.defined())
      grads[1] = autograd::bag_per_sample_weights_grad(grad, table.get(), lookups, bags, options.padding_idx)
                     .reshape(weights_shape);
    return grads;
  };
  if (!has_weights)
    return record("EmbeddingBagBackward0", out, {weight}, std::move(backward),
                  {.saved = {ids}, .sparse_gradient = {emit_sparse}});
  return record("EmbeddingBagBackward0", out, {weight, per_sample_weights}, std::move(backward),
                {.saved = {ids, sample_weights, table}, .sparse_gradient = {emit_sparse, false}});
}

}  // namespace tg

#pragma once
// embedding_bag's derivatives (autograd/ops/embedding_bag_backward.cpp), beside the op
// that records them (autograd/ops/embedding_bag.cpp): the table's gradient, dense or
// sparse, and the gradient of per_sample_weights.
//
// Shape letters: V rows of the table, D its width, N lookups, B bags.
//
// Note [a bag's gradient per lookup]
// Lookup i of bag b (row k = indices[i], not padding) receives grad_out[b] times
//   scale_i = 1 / size(b)     (mean: size is the bag's non-padding count)
//           * 1 / count(k)    (scale_grad_by_freq: k's count among all N indices)
//           * w_i             (per_sample_weights, sum only),
// each factor applied in this order, in the table's dtype. The dense gradient adds
// these rows into row k; the sparse one keeps them as one COO entry per lookup, in
// input order (Note [uncoalesced sparse gradients] in core/sparse.cpp), so its
// to_dense() is the dense gradient. Padding lookups and empty bags give nothing.
//
//   tg::Tensor dense = tg::autograd::bag_scatter_add_rows(grad_out, ids, bags, sizes, {}, options);  // (V, D)
//   tg::Tensor sparse = tg::autograd::bag_sparse_rows(grad_out, ids, bags, sizes, {}, options);       // COO
#include <cstdint>
#include <optional>
#include <vector>

#include "../../core/bags.h"

namespace tg::autograd {

// What the backward kernels need to know about one call besides its tensors.
struct BagGradOptions {
  int64_t num_rows = 0;                // V
  std::optional<int64_t> padding_idx;  // normalised to [0, V); its row receives nothing
  bool scale_grad_by_freq = false;
  EmbeddingBagMode mode = EmbeddingBagMode::Mean;  // Sum or Mean here; Max has its own kernel
};

// grad_out (B, D); indices (N) contiguous; sizes: each bag's non-padding count;
// per_sample_weights (N) contiguous or undefined. -> dense (V, D).
Tensor bag_scatter_add_rows(const Tensor& grad_out, const Tensor& indices, const core::BagBounds& bags,
                            const std::vector<int64_t>& sizes, const Tensor& per_sample_weights,
                            const BagGradOptions& options);

// The same gradient as an uncoalesced sparse COO tensor of size (V, D).
Tensor bag_sparse_rows(const Tensor& grad_out, const Tensor& indices, const core::BagBounds& bags,
                       const std::vector<int64_t>& sizes, const Tensor& per_sample_weights,
                       const BagGradOptions& options);

// Max: grad_out[b, j] goes to row winners[b * D + j] (the row whose element was the
// maximum), column j; an empty bag (winner -1) sends nothing. -> dense (V, D).
Tensor bag_max_scatter_add(const Tensor& grad_out, const std::vector<int64_t>& winners, int64_t num_rows);

// d out / d per_sample_weights[i] = grad_out[b] . weight[indices[i]] for lookup i of
// bag b; 0 for a padding lookup. -> (N) in the weight's dtype.
Tensor bag_per_sample_weights_grad(const Tensor& grad_out, const Tensor& weight, const Tensor& indices,
                                   const core::BagBounds& bags, std::optional<int64_t> padding_idx);

}  // namespace tg::autograd

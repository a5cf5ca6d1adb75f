#pragma once
// The lookup's derivatives (autograd/ops/embedding_backward.cpp): the gradient of a
// table (V, D) from the gradient of its looked-up rows, dense or sparse. The rules of
// the derivative live here, beside the op (autograd/ops/embedding.cpp) that records
// them: a padding row receives nothing, and scale_grad_by_freq divides each row's
// contribution by how often its index occurs in the call.
//
// Shape letters: V rows of the table, D its width, S the indices' shape.
//
//   tg::autograd::RowGradOptions options;
//   options.num_rows = V;
//   tg::Tensor dense = tg::autograd::scatter_add_rows(grad, ids, options);          // (V, D)
//   tg::Tensor sparse = tg::autograd::sparse_rows_from_lookups(grad, ids, options); // COO (V, D)
#include <cstdint>
#include <optional>

#include "../../core/tensor.h"

namespace tg::autograd {

// What the backward kernels need to know about one lookup call.
struct RowGradOptions {
  int64_t num_rows = 0;                  // V
  std::optional<int64_t> padding_idx;    // normalised to [0, V); its row receives nothing
  bool scale_grad_by_freq = false;       // divide each contribution by its index's count in this call
};

// grad_rows (S..., D), indices S (checked at the lookup) -> dense (V, D): grad row i
// added to row indices[i].
Tensor scatter_add_rows(const Tensor& grad_rows, const Tensor& indices, const RowGradOptions& options);

// The same gradient as an uncoalesced sparse COO tensor of size (V, D): one entry
// per lookup that is not padding, in input order (see Note [uncoalesced sparse gradients]
// in core/sparse.cpp).
Tensor sparse_rows_from_lookups(const Tensor& grad_rows, const Tensor& indices, const RowGradOptions& options);

}  // namespace tg::autograd

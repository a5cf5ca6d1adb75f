#pragma once
// Sparse COO kernels beyond the Tensor methods: what gradient accumulation and the
// optimizers need. See Note [uncoalesced sparse gradients] in core/sparse.cpp.
#include "tensor.h"

namespace tg::core {

// a + b for two sparse tensors of one size: their entries concatenated (uncoalesced,
// unless both are coalesced and merging keeps the order; see sparse.cpp).
Tensor sparse_add(const Tensor& a, const Tensor& b);
// dense += alpha * sparse, in place (no version bump: callers own that).
void add_sparse_into(const Tensor& dense, const Tensor& sparse, double alpha = 1.0);
// A sparse tensor with the same indices and values * scalar.
Tensor sparse_mul_scalar(const Tensor& sparse, double scalar);
// An empty sparse tensor (nnz 0) of the given size, one sparse dim.
Tensor sparse_empty(Shape size, Dtype dtype);
// a * alpha + b * beta for two coalesced floating sparse tensors of one size: a sorted
// merge, so the result is coalesced and holds the union of their rows.
Tensor merge_coalesced(const Tensor& a, double alpha, const Tensor& b, double beta);
// Replaces the contents of the sparse tensor `target` by those of `source` (same size
// and dtype), in place, and bumps its version: every holder of target's handle (a
// parameter's .grad) sees the new entries.
void assign_sparse_(const Tensor& target, const Tensor& source);
// Row-major position of each entry over the sparse dims (indices: (sparse_dim, nnz)):
// the row it belongs to when the tensor is seen as (prod of sparse sizes, rest).
std::vector<int64_t> linear_positions(const Tensor& indices, const Shape& size);

}  // namespace tg::core

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

}  // namespace tg::core

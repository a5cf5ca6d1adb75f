#pragma once
// Index kernels along one dim (core/index.cpp): index_select, a gather of slices, and
// index_add, its adjoint. Indices arrive checked (autograd/ops/index.cpp checks them).
#include "tensor.h"

namespace tg::core {

// Slices of t along dim picked by index (int32 or int64, 1-d, values already checked
// to lie in [0, t.size(dim))): out.size(dim) == index.numel(). t has at least one dim.
Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
// dst.select(dim, index[i]) += alpha * src.select(dim, i) for every i, in place with no
// version bump; a repeated index receives every slice. Same checked preconditions.
void index_add_into(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, double alpha);

}  // namespace tg::core

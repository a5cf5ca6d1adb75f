#pragma once
// Gather and scatter-add along one dim, elementwise (core/scatter.cpp), and one_hot,
// a scatter of ones. gather and scatter_add are each other's adjoint. Indices arrive
// checked (autograd/ops/scatter.cpp checks them).
//
//   out = tg::core::gather(self, 1, index);     // out[i][j] = self[i][index[i][j]]
//   tg::core::scatter_add_into(dst, 1, index, src);  // dst[i][index[i][j]] += src[i][j]
#include "tensor.h"

namespace tg::core {

// out[p] = self[p with p[dim] replaced by index[p]] for every position p of index;
// out has index's shape and self's dtype. self and index have the same number of
// dims (at least one); index is int32 or int64 with values in [0, self.size(dim)), and
// index.size(d) <= self.size(d) for d != dim. Any strides.
Tensor gather(const Tensor& self, int64_t dim, const Tensor& index);
// dst[p with p[dim] replaced by index[p]] += src[p] for every position p of index, in
// row-major order of p, so repeated indices add up in that order (deterministic). In
// place with no version bump; dst may be strided but not overlapping itself. Same
// preconditions as gather, plus index.size(d) <= src.size(d) for every d and
// src.dtype() == dst.dtype().
void scatter_add_into(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src);
// int64 of shape (index's shape..., num_classes): 1 at each index value, 0 elsewhere.
// Values already checked to lie in [0, num_classes).
Tensor one_hot(const Tensor& index, int64_t num_classes);

}  // namespace tg::core

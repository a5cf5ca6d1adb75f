#pragma once
// Running sums along one dim (core/cumsum.cpp). No autograd here.
//
//   tg::Tensor c = tg::core::cumsum(t, 1, tg::kFloat32);  // c[i][j] = t[i][0] + ... + t[i][j]
#include "tensor.h"

namespace tg::core {

// Running sums of t along dim (normalised; a 0-d t is one element), in out_dtype: t is
// cast to out_dtype first, then summed. reverse sums from the far end instead
// (c[j] = t[j] + ... + t[n-1]), which is a forward cumsum's adjoint. Returns a fresh
// contiguous tensor of t's shape. Note [cumsum accumulator] in core/cumsum.cpp.
Tensor cumsum(const Tensor& t, int64_t dim, Dtype out_dtype, bool reverse = false);

}  // namespace tg::core

#pragma once
// Layout kernels (core/layout.cpp): making tensors, strides and broadcasting, views of
// a storage, copies and casts. No autograd here; every other kernel builds on these.
//
//   tg::Tensor t = tg::core::make_tensor({2, 3}, tg::kFloat32);  // uninitialised
//   tg::Tensor row = tg::core::as_strided(t, {3}, {1}, 3);       // t[1], a view
#include <vector>

#include "tensor.h"

namespace tg::core {

Tensor make_tensor(Shape sizes, Dtype dtype, bool zero = false);
Shape contiguous_strides(const Shape& sizes);
int64_t numel_of(const Shape& sizes);
// A view of base's storage with new geometry; marked is_view.
Tensor as_strided(const Tensor& base, Shape sizes, Shape strides, int64_t offset);
// A contiguous tensor that the caller just made, given another shape of the same
// numel. Not a view: nothing else can see its storage.
Tensor with_shape(const Tensor& fresh, Shape shape);
// A 0-d tensor as a 1-element view, a 1-d tensor unchanged (index and scatter kernels
// take vectors).
Tensor as_vector_if_scalar(const Tensor& t);

void check_defined(const char* where, const Tensor& t);
void check_dense(const char* where, const Tensor& t);
Shape broadcast_shapes(const char* where, const Shape& a, const Shape& b);
// Strides of `t` in bytes when iterated over `shape` (t broadcast to it, right-aligned).
std::vector<int64_t> broadcast_byte_strides(const Tensor& t, const Shape& shape);
// Writing into an expanded tensor (stride 0, size > 1) is refused: tg::ValueError.
void check_no_internal_overlap(const char* where, const Tensor& dst);

// Copies src into dst elementwise, broadcasting src and converting dtype. No version bump.
void copy_into(const Tensor& dst, const Tensor& src);
Tensor contiguous(const Tensor& t);  // returns t itself when already contiguous
Tensor cast(const Tensor& t, Dtype dtype);  // t itself when dtype matches
Tensor clone(const Tensor& t);  // always a fresh contiguous copy
Tensor fill(const Tensor& t, double value);  // in place, no version bump; returns t

}  // namespace tg::core

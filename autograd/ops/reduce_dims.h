#pragma once
// The dims a reduction over `dims` works on, and the shape step its backward starts
// with (defined in autograd/ops/reduce.cpp).
#include <vector>

#include "../../core/tensor.h"

namespace tg::autograd {

// Normalised, sorted, duplicate-free dims; empty `dims` means all of them, as
// `x.sum(dim=[])` in PyTorch 1.13. `where` names the op in errors.
std::vector<int64_t> reduction_dims(const char* where, const Shape& dims, int64_t ndim);

// A reduction's result (or gradient) with its reduced dims back as size 1, ready to
// broadcast against the input.
Tensor keep_reduced_dims(const Tensor& reduced, const std::vector<int64_t>& dims, bool keepdim);

}  // namespace tg::autograd

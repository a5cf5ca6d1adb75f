#pragma once
// Concatenation (core/concat.cpp): the kernel behind tg::cat, tg::stack and sparse addition.
#include <vector>

#include "tensor.h"

namespace tg::core {

// Concatenation along dim of tensors that agree in every other dim (one dtype).
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);

}  // namespace tg::core

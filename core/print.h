#pragma once
// Printing in PyTorch 1.13's layout (torch/_tensor_str.py at default options):
// precision 4, one number style and column width per tensor, scientific notation
// when the magnitudes call for it, "..." summaries beyond 1000 elements, lines
// wrapped at 80 columns, and PyTorch's suffixes (size, nnz, dtype, layout).
//
//   core::format_tensor(tg::tensor({1.5, 2.0}), {})        // "tensor([1.5000, 2.0000])"
//   core::format_tensor(x, {"requires_grad=True"})         // "tensor([...], requires_grad=True)"
//   core::format_tensor(tg::Tensor(), {})                  // "[ Tensor (undefined) ]"
//
// autograd/tensor_autograd.cpp supplies the autograd suffixes for tg::to_string.
#include <string>
#include <vector>

#include "tensor.h"

namespace tg::core {

// "tensor([...]<, suffix>...)" with suffixes such as "requires_grad=True" or
// "grad_fn=<SigmoidBackward0>", placed after PyTorch's own as str(t) places them.
std::string format_tensor(const Tensor& t, const std::vector<std::string>& suffixes);

}  // namespace tg::core

#pragma once
// Printing in PyTorch's layout: precision 4, a shared scale and column width per
// tensor, scientific notation when the magnitudes call for it, "..." summaries
// beyond 1000 elements. autograd/ appends requires_grad / grad_fn suffixes.
#include <string>
#include <vector>

#include "tensor.h"

namespace tg::core {

// "tensor([...]<, suffix>...)" with suffixes such as "requires_grad=True".
std::string format_tensor(const Tensor& t, const std::vector<std::string>& suffixes);

}  // namespace tg::core

#pragma once
#include "../core/tensor.h"
#include "node.h"

namespace tg::autograd {
// The sum of two gradients of one tensor, following spec/embedding.md section 7:
// sparse + sparse stays sparse; sparse + dense is dense. Either may be undefined.
Tensor add_gradients(const Tensor& a, const Tensor& b);
}  // namespace tg::autograd

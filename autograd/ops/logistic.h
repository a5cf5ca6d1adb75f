#pragma once
// The fused kernel of F::binary_cross_entropy_with_logits (autograd/ops/logistic.cpp).
#include "../../core/tensor.h"

namespace tg {

// The binary cross-entropy of logits against labels of the same floating dtype and shape,
// (1 - y) x - logsigmoid(x) per element, or their sum when `summed`: one fused pass
// forward and one backward, with a gradient for the logits only.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, bool summed);

}  // namespace tg

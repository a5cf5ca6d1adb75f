#pragma once
// Writing one value where a mask is true (core/masked_fill.cpp). No autograd here.
#include "tensor.h"

namespace tg::core {

// dst[p] = value wherever mask[p] is true, in place with no version bump. mask is bool
// and broadcasts to dst's shape; value is a 0-d tensor of any dtype, converted to
// dst's (already checked to fit). dst may be strided but not overlapping itself.
void masked_fill_into(const Tensor& dst, const Tensor& mask, const Tensor& value);

}  // namespace tg::core

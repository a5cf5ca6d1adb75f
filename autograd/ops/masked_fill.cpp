// masked_fill and masked_fill_: one value written wherever a bool mask is true, with
// the backward rule. The mask broadcasts with self; out of place, the result takes
// the broadcast shape of the two (as PyTorch's), in place it must be self's shape.
//
//   out = self.masked_fill(mask, value)
//   d/d self  = grad where the mask is false, 0 where it is true (summed to self's shape)
//   d/d value = the sum of grad where the mask is true (value a 0-d tensor)
#include <cfloat>
#include <cmath>

#include <fmt/format.h>

#include "../../core/elementwise.h"
#include "../../core/layout.h"
#include "../../core/masked_fill.h"
#include "../../core/reduce.h"
#include "inplace.h"
#include "recording.h"

namespace tg {

namespace {

void check_mask(const char* where, const Tensor& mask) {
  core::check_dense(where, mask);
  if (mask.dtype() != kBool)
    throw TypeError(fmt::format("{}: mask has dtype {}; expected torch.bool", where, dtype_name(mask.dtype())));
}

void check_value(const char* where, const Tensor& value) {
  core::check_dense(where, value);
  if (value.dim() != 0)
    throw ValueError(fmt::format("{}: value has shape {} ({} dims); expected a 0-d tensor or a number", where,
                                 shape_string(value.sizes()), value.dim()));
}

// The shape of self and mask broadcast together, with the mask named in the error.
Shape broadcast_with_mask(const char* where, const Tensor& self, const Tensor& mask) {
  try {
    return core::broadcast_shapes(where, self.sizes(), mask.sizes());
  } catch (const ValueError&) {
    throw ValueError(fmt::format("{}: mask of shape {} does not broadcast with self of shape {}; expected each "
                                 "size of the mask, aligned from the right, to equal self's or be 1", where,
                                 shape_string(mask.sizes()), shape_string(self.sizes())));
  }
}

// Note [masked_fill value range]
// A number written into an integer tensor is truncated toward zero, and one that does
// not fit (or is inf or nan) is refused, as PyTorch refuses it; into float32, a finite
// number beyond float32's range is refused while inf and nan are written; bool takes
// any number, non-zero (and nan) as true.
Tensor fill_value(const char* where, Scalar value, Dtype dtype) {
  const double v = value.value;
  auto refuse = [&](const std::string& range) {
    return ValueError(fmt::format("{}: value = {} does not fit {} without overflow; expected {}", where, v,
                                  dtype_name(dtype), range));
  };
  if (dtype == kFloat32 && std::isfinite(v) && std::fabs(v) > FLT_MAX)
    throw refuse(fmt::format("a value in [{}, {}], inf or nan", -FLT_MAX, FLT_MAX));
  if (dtype == kInt32 && !(std::trunc(v) >= -2147483648.0 && std::trunc(v) <= 2147483647.0))
    throw refuse("a finite value in [-2147483648, 2147483647]");
  // 2^63 is the first double above int64's range.
  if (dtype == kInt64 && !(std::trunc(v) >= -9223372036854775808.0 && std::trunc(v) < 9223372036854775808.0))
    throw refuse("a finite value in [-9223372036854775808, 9223372036854775807]");
  return scalar_tensor(v, dtype);
}

}  // namespace

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  const char* where = "masked_fill";
  core::check_dense(where, self);
  check_mask(where, mask);
  check_value(where, value);
  const Tensor out = core::make_tensor(broadcast_with_mask(where, self, mask), self.dtype());
  core::copy_into(out, self);
  core::masked_fill_into(out, mask, value);
  if (!should_record({self, value})) return out;
  const SavedTensor saved_mask(mask);
  const bool need_value = value.requires_grad();
  return record("MaskedFillBackward0", out, {self, value},
                [saved_mask, self_shape = self.sizes(), need_value](const Tensor& grad) -> Gradients {
                  const Tensor zero = zeros({}, grad.dtype());
                  // Elements under the mask were overwritten: no gradient reaches them.
                  const Tensor grad_self = core::sum_to(core::where(saved_mask.get(), zero, grad), self_shape);
                  Tensor grad_value;
                  if (need_value) grad_value = core::where(saved_mask.get(), grad, zero).sum();
                  return {grad_self, grad_value};
                }, {.saved = {saved_mask}});
}

Tensor masked_fill(const Tensor& self, const Tensor& mask, Scalar value) {
  core::check_dense("masked_fill", self);
  return masked_fill(self, mask, fill_value("masked_fill", value, self.dtype()));
}

Tensor Tensor::masked_fill(const Tensor& mask, Scalar value) const { return tg::masked_fill(*this, mask, value); }

Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& value) const {
  return tg::masked_fill(*this, mask, value);
}

Tensor& Tensor::masked_fill_(const Tensor& mask, const Tensor& value) {
  const char* where = "masked_fill_";
  core::check_dense(where, *this);
  check_mask(where, mask);
  check_value(where, value);
  if (broadcast_with_mask(where, *this, mask) != sizes())
    throw ValueError(fmt::format("{}: mask of shape {} would grow self of shape {}; expected a mask that "
                                 "broadcasts to {} (only the out-of-place masked_fill grows self)", where,
                                 shape_string(mask.sizes()), shape_string(sizes()), shape_string(sizes())));
  return autograd::inplace(
      where, *this, should_record({*this, value}),
      [&](const Tensor& old) { return tg::masked_fill(old, mask, value); },
      [&] {
        core::check_no_internal_overlap(where, *this);
        core::masked_fill_into(*this, mask, value);
      });
}

Tensor& Tensor::masked_fill_(const Tensor& mask, Scalar value) {
  core::check_dense("masked_fill_", *this);
  return masked_fill_(mask, fill_value("masked_fill_", value, dtype()));
}

}  // namespace tg

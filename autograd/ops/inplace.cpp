// In-place ops. Each bumps the tensor's version, so backward can tell when a tensor
// it saved was overwritten (autograd/node.h, SavedTensor).
//
// When history must be recorded, the op runs out of place on a clone of the old
// value, the result is written back, and the tensor adopts the result's history.
// The clone keeps the old value for backward rules that read it (mul_: d/d other
// = old self), which the overwritten storage no longer holds.
#include <fmt/format.h>

#include "../../core/elementwise.h"
#include "../../core/layout.h"
#include "../../core/sparse.h"
#include "../meta.h"
#include "../node.h"
#include "inplace.h"

namespace tg {

using autograd::should_record;

namespace autograd {

void check_inplace(const char* where, const Tensor& self) {
  core::check_dense(where, self);
  if (!autograd::is_grad_enabled() || !self.requires_grad()) return;
  if (self.is_leaf())
    throw Error(fmt::format("{}: a leaf tensor that requires grad is being used in an in-place operation; "
                            "wrap the update in tg::NoGradGuard (as optimizers do), or clone() the tensor first",
                            where));
}


Tensor& adopt(const char* where, Tensor& self, const Tensor& result) {
  if (self.impl()->is_view)
    throw Error(fmt::format("{}: an in-place op on a view would rewrite the history of the tensor it views, "
                            "which tapegrad does not track; clone() the view first, or run the op under "
                            "tg::NoGradGuard", where));
  core::copy_into(self, result);
  self.bump_version();
  autograd::AutogradMeta& meta = autograd::meta_of(self);
  meta.requires_grad = true;
  meta.grad_fn = autograd::meta_of(result).grad_fn;
  return self;
}

}  // namespace autograd

using autograd::adopt;
using autograd::check_inplace;
using autograd::inplace;

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  if (other.is_sparse()) {
    check_inplace("add_", *this);
    if (should_record({*this, other}))
      return adopt("add_", *this, clone().add(other.to_dense(), alpha));
    core::add_sparse_into(*this, other, alpha);
    bump_version();
    return *this;
  }
  return inplace("add_", *this, should_record({*this, other}),
                 [&](const Tensor& old) { return old.add(other, alpha); },
                 [&] { core::add_scaled_into(*this, other, alpha); });
}

Tensor& Tensor::add_(double value) {
  const Tensor other = core::wrapped_scalar(value);
  return add_(other);
}

Tensor& Tensor::sub_(const Tensor& other, double alpha) {
  core::check_sub_operands(*this, other);
  return add_(other, -alpha);
}

Tensor& Tensor::mul_(const Tensor& other) {
  return inplace("mul_", *this, should_record({*this, other}), [&](const Tensor& old) { return old.mul(other); },
                 [&] { core::binary_into(core::BinaryOp::Mul, *this, other); });
}

Tensor& Tensor::mul_(double value) {
  const Tensor other = core::wrapped_scalar(value);
  return mul_(other);
}

Tensor& Tensor::div_(double value) {
  const Tensor other = core::wrapped_scalar(value);
  return inplace("div_", *this, should_record({*this}), [&](const Tensor& old) { return old.div(other); },
                 [&] { core::binary_into(core::BinaryOp::Div, *this, other); });
}

Tensor& Tensor::zero_() { return fill_(0.0); }

Tensor& Tensor::fill_(double value) {
  return inplace("fill_", *this, should_record({*this}),
                 [&](const Tensor& old) { return old * 0.0 + value; },  // gradient 0 to the old value
                 [&] { core::fill(*this, value); });
}

Tensor& Tensor::copy_(const Tensor& src) {
  return inplace("copy_", *this, should_record({*this, src}),
                 [&](const Tensor& old) { return old * 0.0 + src.expand(sizes()).to(dtype()); },
                 [&] { core::copy_into(*this, src); });
}

Tensor& Tensor::clamp_(std::optional<double> min, std::optional<double> max) {
  return inplace("clamp_", *this, should_record({*this}), [&](const Tensor& old) { return old.clamp(min, max); },
                 [&] { core::copy_into(*this, core::clamp(*this, min, max)); });
}

}  // namespace tg

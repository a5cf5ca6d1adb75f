// Copies and conversions: clone, contiguous, to(dtype).
#include <fmt/format.h>

#include "../../core/layout.h"
#include "../node.h"

namespace tg {

using autograd::Gradients;
using autograd::record;
using autograd::should_record;

Tensor Tensor::clone() const {
  core::check_defined("clone", *this);
  Tensor out = core::clone(*this);
  if (!should_record({*this})) return out;
  return record("CloneBackward0", out, {*this}, [](const Tensor& grad) -> Gradients { return {grad}; });
}

Tensor Tensor::contiguous() const {
  core::check_dense("contiguous", *this);
  if (is_contiguous()) return *this;
  return clone();
}

Tensor Tensor::to(Dtype target) const {
  core::check_defined("to", *this);
  if (target == dtype()) return *this;
  if (requires_grad() && !is_floating(target))
    throw TypeError(fmt::format("to: converting a tensor that requires grad to {} would drop its gradient; "
                                "expected a floating dtype, or detach() first", dtype_name(target)));
  Tensor out = is_sparse() ? sparse_coo_tensor(indices(), core::cast(values(), target), sizes(), is_coalesced())
                           : core::cast(*this, target);
  if (!should_record({*this})) return out;
  // The engine casts each gradient to its input's dtype, so the rule is the identity.
  return record("ToCopyBackward0", out, {*this}, [](const Tensor& grad) -> Gradients { return {grad}; });
}

}  // namespace tg

// RMSprop (PyTorch's update). With d the gradient after maximize and weight decay:
//   s = alpha s + (1 - alpha) d^2;  centered: g = alpha g + (1 - alpha) d, avg = sqrt(s - g^2) + eps,
//   else avg = sqrt(s) + eps;  momentum > 0: b = momentum b + d / avg, param -= lr b;
//   else param -= lr d / avg.
#include "rmsprop.h"

#include <fmt/format.h>

#include "row_kernels.h"

namespace tg::optim {

RMSprop::RMSprop(ParamGroups params, const RMSpropOptions& defaults)
    : OptimizerWithMoments("RMSprop", defaults) {
  add_param_groups(params);
}

void RMSprop::check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions&) const {
  if (grad.is_sparse())
    throw TypeError(fmt::format("{} has a sparse gradient; RMSprop does not support sparse gradients, please "
                                "consider SparseAdam instead (or build the Embedding with sparse = false)",
                                describe(param)));
}

void RMSprop::update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) {
  const auto& o = static_cast<const RMSpropOptions&>(options);
  Slot& slot = slots_[param.impl()];
  if (!slot.square_avg.defined()) slot.square_avg = zeros(param.sizes(), param.dtype());
  // momentum and centered may be switched on between steps (options are read at every step).
  if (o.momentum() > 0 && !slot.momentum_buffer.defined()) slot.momentum_buffer = zeros(param.sizes(), param.dtype());
  if (o.centered() && !slot.grad_avg.defined()) slot.grad_avg = zeros(param.sizes(), param.dtype());
  slot.step += 1;
  const kernels::RMSpropHyper h{o.lr(), o.alpha(), o.eps(), o.weight_decay(), o.momentum(), o.centered(),
                                o.maximize()};
  const Tensor g = kernels::dense_grad_for(param, grad);
  kernels::with_contiguous(param, [&](const Tensor& target) {
    kernels::rmsprop_dense(target, g, slot.square_avg, slot.grad_avg, slot.momentum_buffer, h);
  });
}

}  // namespace tg::optim

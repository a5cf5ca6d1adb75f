// Adam (PyTorch's update; docs/optimizers.md for the shared rules). With t the step count and d the gradient after maximize and
// weight decay:
//   m = lerp(m, d, 1 - b1),  v = b2 v + (1 - b2) d^2,  u = amsgrad ? max(u, v) : v,
//   param -= lr / (1 - b1^t) * m / (sqrt(u) / sqrt(1 - b2^t) + eps)
#include "adam.h"

#include <fmt/format.h>

#include <cmath>

#include "row_kernels.h"

namespace tg::optim {

Adam::Adam(ParamGroups params, const AdamOptions& defaults) : OptimizerWithMoments("Adam", defaults) {
  add_param_groups(params);
}

void Adam::check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions&) const {
  if (grad.is_sparse())
    throw TypeError(fmt::format("{} has a sparse gradient; {} does not support sparse gradients, please consider "
                                "SparseAdam instead (or build the Embedding with sparse = false)",
                                describe(param), name()));
}

kernels::AdamHyper Adam::hyper(const OptimizerOptions& options, double t) const {
  const auto& o = static_cast<const AdamOptions&>(options);
  const auto [beta1, beta2] = o.betas();
  const double bias_correction1 = 1.0 - std::pow(beta1, t), bias_correction2 = 1.0 - std::pow(beta2, t);
  return {beta1, beta2, o.eps(), o.weight_decay(), o.lr() / bias_correction1, std::sqrt(bias_correction2),
          o.amsgrad(), o.maximize()};
}

void Adam::update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) {
  Slot& slot = slots_[param.impl()];
  if (!slot.exp_avg.defined()) {
    slot.exp_avg = zeros(param.sizes(), param.dtype());
    slot.exp_avg_sq = zeros(param.sizes(), param.dtype());
  }
  // amsgrad may be switched on between steps (a group's options are read at every step).
  if (hyper(options, 1).amsgrad && !slot.max_exp_avg_sq.defined()) slot.max_exp_avg_sq = zeros(param.sizes(), param.dtype());
  slot.step += 1;
  const kernels::AdamHyper h = hyper(options, static_cast<double>(slot.step));
  const Tensor g = kernels::dense_grad_for(param, grad);
  kernels::with_contiguous(param, [&](const Tensor& target) {
    kernels::adam_dense(target, g, slot.exp_avg, slot.exp_avg_sq, slot.max_exp_avg_sq, h);
  });
}

}  // namespace tg::optim

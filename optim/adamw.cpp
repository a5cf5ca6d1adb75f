// AdamW (PyTorch's update). With t the step count and d the gradient after maximize:
//   param *= 1 - lr * weight_decay,  then Adam's update without weight decay in d
//   (m, v, amsgrad's u and the bias corrections as in adam.cpp).
#include "adamw.h"

#include <cmath>

namespace tg::optim {

AdamW::AdamW(ParamGroups params, const AdamWOptions& defaults) : Adam("AdamW", defaults) {
  add_param_groups(params);
}

kernels::AdamHyper AdamW::hyper(const OptimizerOptions& options, double t) const {
  const auto& o = static_cast<const AdamWOptions&>(options);
  const auto [beta1, beta2] = o.betas();
  const double bias_correction1 = 1.0 - std::pow(beta1, t), bias_correction2 = 1.0 - std::pow(beta2, t);
  return {beta1, beta2, o.eps(), 0.0, o.lr() / bias_correction1, std::sqrt(bias_correction2),
          o.amsgrad(), o.maximize(), 1.0 - o.lr() * o.weight_decay()};
}

}  // namespace tg::optim

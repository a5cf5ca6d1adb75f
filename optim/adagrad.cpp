// Adagrad (PyTorch's update; docs/optimizers.md for the rules shared by all optimizers). With t the step count:
//   clr = lr / (1 + (t - 1) lr_decay),  sum += d^2,  param -= clr * d / (sqrt(sum) + eps)
// over every element (dense) or over the rows of the coalesced gradient (sparse).
#include "adagrad.h"

#include <atomic>

#include "row_kernels.h"

namespace tg::optim {

Adagrad::Adagrad(ParamGroups params, const AdagradOptions& defaults)
    : Optimizer("Adagrad", defaults) {
  add_param_groups(params);
}

void Adagrad::on_param_added(const Tensor& param, const OptimizerOptions& options) {
  const double initial = static_cast<const AdagradOptions&>(options).initial_accumulator_value();
  slots_[param.impl()] = Slot{0, full(param.sizes(), initial, param.dtype()), initial};
}

void Adagrad::check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const {
  check_sparse_without_decay(param, grad, static_cast<const AdagradOptions&>(options).weight_decay());
}

void Adagrad::update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) {
  const auto& o = static_cast<const AdagradOptions&>(options);
  Slot& slot = slots_.at(param.impl());  // made when the parameter was added: no insertion here
  // Atomic so that concurrent step_with calls each see their own t (Note [Hogwild steps]).
  const int64_t step = std::atomic_ref<int64_t>(slot.step).fetch_add(1) + 1;
  const double clr = o.lr() / (1.0 + static_cast<double>(step - 1) * o.lr_decay());
  const kernels::AdagradHyper h{clr, o.weight_decay(), o.eps(), o.maximize()};
  if (grad.is_sparse()) {
    // Coalesced inside the kernel, row by row (see Note [uncoalesced sparse gradients]).
    kernels::with_contiguous(param, [&](const Tensor& target) { kernels::adagrad_rows(target, grad, slot.sum, h); });
  } else {
    const Tensor g = kernels::dense_grad_for(param, grad);
    kernels::with_contiguous(param, [&](const Tensor& target) { kernels::adagrad_dense(target, g, slot.sum, h); });
  }
}

std::map<std::string, Tensor> Adagrad::save_state(const Tensor& param) const {
  const Slot& slot = slots_.at(param.impl());
  return {{"step", step_tensor(slot.step)}, {"sum", slot.sum}};
}

void Adagrad::load_state(const Tensor& param, const std::map<std::string, Tensor>& state) {
  Slot& slot = slots_.at(param.impl());
  if (state.empty()) {
    slot = Slot{0, full(param.sizes(), slot.initial_accumulator_value, param.dtype()), slot.initial_accumulator_value};
    return;
  }
  const std::string where = describe(param) + " load_state_dict";
  const int64_t step = step_from(where.c_str(), state);
  Tensor sum = state_like(where.c_str(), state, "sum", param);
  slot.step = step;
  slot.sum = std::move(sum);
}

}  // namespace tg::optim

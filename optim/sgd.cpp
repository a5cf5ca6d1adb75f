// SGD (PyTorch's update; docs/optimizers.md for the shared rules). Notation: d the gradient after maximize and weight decay,
// mu momentum, tau dampening, buf the momentum buffer.
#include "sgd.h"

#include <fmt/format.h>

#include "../core/elementwise.h"
#include "../core/layout.h"
#include "../core/sparse.h"
#include "row_kernels.h"

namespace tg::optim {

namespace {
// param += alpha * t, for a dense or a sparse t.
void add_any(const Tensor& param, const Tensor& t, double alpha) {
  if (t.is_sparse()) core::add_sparse_into(param, t, alpha);
  else core::add_scaled_into(param, t, alpha);
}
}  // namespace

SGD::SGD(ParamGroups params, const SGDOptions& defaults) : Optimizer("SGD", defaults) {
  add_param_groups(params);
}

void SGD::check_options(const OptimizerOptions& options) const {
  const auto& o = static_cast<const SGDOptions&>(options);
  if (o.nesterov() && (o.momentum() <= 0 || o.dampening() != 0))
    throw ValueError(fmt::format("SGD: nesterov = true with momentum = {} and dampening = {} is invalid; "
                                 "Nesterov momentum requires a momentum > 0 and zero dampening",
                                 o.momentum(), o.dampening()));
}

void SGD::check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const {
  check_sparse_without_decay(param, grad, static_cast<const SGDOptions&>(options).weight_decay());
}

void SGD::update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) {
  const auto& o = static_cast<const SGDOptions&>(options);
  const kernels::SGDHyper h{o.lr(), o.momentum(), o.dampening(), o.weight_decay(), o.nesterov(), o.maximize()};
  if (!grad.is_sparse()) {
    const Tensor g = kernels::dense_grad_for(param, grad);
    Tensor buffer;
    bool buffer_is_new = false;
    if (o.momentum() != 0) {
      Slot& slot = slots_[param.impl()];
      buffer_is_new = !slot.momentum_buffer.defined();
      if (buffer_is_new) slot.momentum_buffer = core::make_tensor(param.sizes(), param.dtype());
      else if (slot.momentum_buffer.is_sparse()) slot.momentum_buffer = slot.momentum_buffer.to_dense();
      buffer = slot.momentum_buffer;
    }
    kernels::with_contiguous(param, [&](const Tensor& target) { kernels::sgd_dense(target, g, buffer, buffer_is_new, h); });
    return;
  }
  if (o.momentum() == 0) {
    kernels::with_contiguous(param, [&](const Tensor& target) {
      core::add_sparse_into(target, grad, o.maximize() ? o.lr() : -o.lr());
    });
    return;
  }
  // Momentum: buf = mu * buf + (1 - tau) * d, then param -= lr * (nesterov ? d + mu * buf : buf).
  Tensor d = grad.coalesce();
  if (o.maximize()) d = core::sparse_mul_scalar(d, -1.0);
  Tensor& buf = slots_[param.impl()].momentum_buffer;
  if (!buf.defined()) {
    buf = core::clone(d);  // the first step stores d itself, undampened, as PyTorch does
  } else if (buf.is_sparse()) {
    buf = core::merge_coalesced(buf, o.momentum(), d, 1.0 - o.dampening());
  } else {
    core::binary_into(core::BinaryOp::Mul, buf, core::wrapped_scalar(o.momentum()));
    core::add_sparse_into(buf, d, 1.0 - o.dampening());
  }
  kernels::with_contiguous(param, [&](const Tensor& target) {
    if (o.nesterov()) {
      core::add_sparse_into(target, d, -o.lr());
      add_any(target, buf, -o.lr() * o.momentum());
    } else {
      add_any(target, buf, -o.lr());
    }
  });
}

std::map<std::string, Tensor> SGD::save_state(const Tensor& param) const {
  const auto it = slots_.find(param.impl());
  if (it == slots_.end() || !it->second.momentum_buffer.defined()) return {};
  return {{"momentum_buffer", it->second.momentum_buffer}};
}

void SGD::load_state(const Tensor& param, const std::map<std::string, Tensor>& state) {
  if (state.empty()) {
    slots_.erase(param.impl());
    return;
  }
  const auto it = state.find("momentum_buffer");
  if (it == state.end() || !it->second.defined())
    throw Error(fmt::format("SGD.load_state_dict: {} has a saved state without a momentum_buffer; expected one of "
                            "the parameter's shape {}", describe(param), shape_string(param.sizes())));
  if (it->second.sizes() != param.sizes())
    throw Error(fmt::format("SGD.load_state_dict: {} has a saved momentum_buffer of shape {}; expected the "
                            "parameter's shape {}", describe(param), shape_string(it->second.sizes()),
                            shape_string(param.sizes())));
  const Tensor& saved = it->second;
  Tensor buffer;
  if (saved.is_sparse())
    buffer = core::clone(sparse_coo_tensor(saved.indices(), core::cast(saved.values(), param.dtype()), saved.sizes(),
                                           saved.is_coalesced())).coalesce();
  else
    buffer = core::clone(core::cast(saved, param.dtype()));
  slots_[param.impl()].momentum_buffer = buffer;
}

}  // namespace tg::optim

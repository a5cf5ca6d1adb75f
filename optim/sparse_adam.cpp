// SparseAdam (PyTorch's lazy Adam; docs/optimizers.md, "SparseAdam is lazy"). With t the step count, the rows R of the coalesced
// gradient G move as
//   m[R] = b1 m[R] + (1 - b1) G,  v[R] = b2 v[R] + (1 - b2) G^2,
//   param[R] -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m[R] / (sqrt(v[R]) + eps)
// and every other row keeps param, m and v.
#include "sparse_adam.h"

#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <mutex>

#include "row_kernels.h"

namespace tg::optim {

SparseAdam::SparseAdam(ParamGroups params, const SparseAdamOptions& defaults)
    : OptimizerWithMoments("SparseAdam", defaults) {
  add_param_groups(params);
}

void SparseAdam::check_param(const Tensor& param) const {
  if (param.is_sparse())
    throw ValueError("SparseAdam: a parameter is a sparse tensor; SparseAdam requires dense parameter tensors "
                     "(it is the gradients that are sparse)");
}

void SparseAdam::check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions&) const {
  if (!grad.is_sparse())
    throw TypeError(fmt::format("{} has a dense gradient; SparseAdam needs sparse gradients. Build the Embedding "
                                "with sparse = true, or optimize this parameter with Adam (dense gradients)",
                                describe(param)));
}

void SparseAdam::update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) {
  const auto& o = static_cast<const SparseAdamOptions&>(options);
  Slot* record;
  {
    // Records are made lazily; the lock keeps concurrent step_with calls from inserting
    // at once (Note [Hogwild steps]). Nodes of the map never move, so the pointer stays good.
    std::lock_guard<std::mutex> lock(state_mutex());
    record = &slots_[param.impl()];
    if (!record->exp_avg.defined()) {
      record->exp_avg = zeros(param.sizes(), param.dtype());
      record->exp_avg_sq = zeros(param.sizes(), param.dtype());
    }
  }
  Slot& slot = *record;
  // Counted even for an empty gradient (a batch of padding only), as PyTorch 2.x does:
  // later bias corrections depend on it. Atomic: each concurrent call sees its own t.
  const int64_t step = std::atomic_ref<int64_t>(slot.step).fetch_add(1) + 1;
  if (grad._nnz() == 0) return;
  const auto [beta1, beta2] = o.betas();
  const double t = static_cast<double>(step);
  const double bias_correction1 = 1.0 - std::pow(beta1, t), bias_correction2 = 1.0 - std::pow(beta2, t);
  const kernels::SparseAdamHyper h{beta1, beta2, o.eps(), o.lr() * std::sqrt(bias_correction2) / bias_correction1,
                                   o.maximize()};
  kernels::with_contiguous(param, [&](const Tensor& target) {
    kernels::sparse_adam_rows(target, grad, slot.exp_avg, slot.exp_avg_sq, h);
  });
}

}  // namespace tg::optim

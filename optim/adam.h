#pragma once
// Adam for dense gradients, with weight decay, AMSGrad and maximize (PyTorch's; docs/optimizers.md).
// A sparse gradient is refused: its rows would all keep moving on their momentum;
// SparseAdam is the lazy variant made for sparse gradients.
//
//   tg::optim::Adam adam(model.parameters(), tg::optim::AdamOptions(1e-3).amsgrad(true));
//   loss.backward();
//   adam.step();
#include "optimizer.h"
#include "row_kernels.h"

namespace tg::optim {

// Adam's options; AdamWOptions has the same ones with another default (Note [Options written once]).
template <class Self>
using AdamOptionsOf = OptionsOf<Self, Lr, Betas, Eps, WeightDecay, Amsgrad, Maximize>;

struct AdamOptions : AdamOptionsOf<AdamOptions> {
  explicit AdamOptions(double lr = 1e-3) { this->lr(lr); }
};

// A parameter's state (Note [Step and moment state]).
struct AdamSlot {
  int64_t step = 0;
  Tensor exp_avg, exp_avg_sq;  // like the parameter
  Tensor max_exp_avg_sq;       // only with amsgrad
  template <class S, class F> static void tensors(S& slot, F&& f) {
    f("exp_avg", slot.exp_avg, true);
    f("exp_avg_sq", slot.exp_avg_sq, true);
    f("max_exp_avg_sq", slot.max_exp_avg_sq, false);
  }
};

class Adam : public OptimizerWithMoments<AdamSlot> {
 public:
  Adam(ParamGroups params, const AdamOptions& defaults = AdamOptions());

 protected:
  // For AdamW, which shares the moments, state and kernel and differs in its hyper-parameters.
  Adam(std::string name, const OptimizerOptions& defaults) : OptimizerWithMoments(std::move(name), defaults) {}
  // The kernel's hyper-parameters for a step numbered t (from 1).
  virtual kernels::AdamHyper hyper(const OptimizerOptions& options, double t) const;

  void check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) override;
};

}  // namespace tg::optim

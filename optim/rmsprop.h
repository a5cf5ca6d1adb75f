#pragma once
// RMSprop for dense gradients, with momentum, centering, weight decay and maximize
// (PyTorch's; docs/optimizers.md). A sparse gradient is refused: the running averages
// of every row would decay; SparseAdam is the optimizer made for sparse gradients.
//
//   tg::optim::RMSprop rms(model.parameters(), tg::optim::RMSpropOptions(1e-2).momentum(0.9).centered(true));
#include "optimizer.h"

namespace tg::optim {

struct RMSpropOptions : OptionsOf<RMSpropOptions, Lr, Momentum, Alpha, Eps, Centered, WeightDecay, Maximize> {
  explicit RMSpropOptions(double lr = 1e-2) { this->lr(lr); }
};

// A parameter's state (Note [Step and moment state]).
struct RMSpropSlot {
  int64_t step = 0;
  Tensor square_avg;       // like the parameter
  Tensor momentum_buffer;  // only with momentum > 0
  Tensor grad_avg;         // only when centered
  template <class S, class F> static void tensors(S& slot, F&& f) {
    f("square_avg", slot.square_avg, true);
    f("momentum_buffer", slot.momentum_buffer, false);
    f("grad_avg", slot.grad_avg, false);
  }
};

class RMSprop : public OptimizerWithMoments<RMSpropSlot> {
 public:
  RMSprop(ParamGroups params, const RMSpropOptions& defaults = RMSpropOptions());

 protected:
  void check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) override;
};

}  // namespace tg::optim

#pragma once
// Stochastic gradient descent with momentum, dampening, Nesterov momentum, weight
// decay and maximize; PyTorch's update (docs/optimizers.md), dense and sparse gradients.
//
//   tg::optim::SGD sgd(emb.parameters(), tg::optim::SGDOptions(0.1).momentum(0.9));
//   loss.backward();
//   sgd.step();
//
// A sparse gradient without momentum is added to the parameter as it comes, duplicates
// and all (the update is linear in the gradient). With momentum the buffer is kept
// coalesced, so it never holds more rows than the parameter has.
#include "optimizer.h"

namespace tg::optim {

struct SGDOptions : OptionsOf<SGDOptions, Lr, Momentum, Dampening, WeightDecay, Nesterov, Maximize> {
  explicit SGDOptions(double lr = 1e-3) { this->lr(lr); }
};

class SGD : public Optimizer {
 public:
  SGD(ParamGroups params, const SGDOptions& defaults = SGDOptions());

 protected:
  void check_options(const OptimizerOptions& options) const override;
  void check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) override;
  std::map<std::string, Tensor> save_state(const Tensor& param) const override;
  void load_state(const Tensor& param, const std::map<std::string, Tensor>& state) override;

 private:
  struct Slot {
    // Dense, or sparse and coalesced; created on the first step with momentum != 0.
    Tensor momentum_buffer;
  };
  SlotMap<Slot> slots_;
};

}  // namespace tg::optim

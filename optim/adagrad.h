#pragma once
// Adagrad: per-element learning rates from the running sum of squared gradients
// (PyTorch's update; docs/optimizers.md), dense and sparse gradients. State is created for every parameter
// when it is added, as PyTorch does. A sparse gradient is coalesced (duplicates are
// summed before squaring), then only its rows are touched.
//
//   tg::optim::Adagrad adagrad(emb.parameters(), tg::optim::AdagradOptions(0.1));
//   loss.backward();
//   adagrad.step();
#include "optimizer.h"

namespace tg::optim {

struct AdagradOptions
    : OptionsOf<AdagradOptions, Lr, LrDecay, WeightDecay, InitialAccumulatorValue, Eps, Maximize> {
  explicit AdagradOptions(double lr = 1e-2) { this->lr(lr).eps(1e-10); }
};

class Adagrad : public Optimizer {
 public:
  Adagrad(ParamGroups params, const AdagradOptions& defaults = AdagradOptions());

 protected:
  void on_param_added(const Tensor& param, const OptimizerOptions& options) override;
  void check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) override;
  std::map<std::string, Tensor> save_state(const Tensor& param) const override;
  void load_state(const Tensor& param, const std::map<std::string, Tensor>& state) override;

 private:
  struct Slot {
    int64_t step = 0;
    Tensor sum;                        // running sum of squared gradients, like the parameter
    double initial_accumulator_value;  // what `sum` restarts from when state is cleared
  };
  SlotMap<Slot> slots_;
};

}  // namespace tg::optim

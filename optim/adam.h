#pragma once
// Adam for dense gradients, with weight decay, AMSGrad and maximize (PyTorch's; docs/optimizers.md).
// A sparse gradient is refused: its rows would all keep moving on their momentum;
// SparseAdam is the lazy variant made for sparse gradients.
//
//   tg::optim::Adam adam(model.parameters(), tg::optim::AdamOptions(1e-3).amsgrad(true));
//   loss.backward();
//   adam.step();
#include <tuple>

#include "optimizer.h"
#include "row_kernels.h"

namespace tg::optim {

struct AdamOptions : OptionsWithFields<AdamOptions> {
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  AdamOptions& lr(double value) { lr_ = value; return *this; }
  AdamOptions& betas(std::tuple<double, double> value) {
    std::tie(beta1_, beta2_) = value;
    return *this;
  }
  AdamOptions& eps(double value) { eps_ = value; return *this; }
  AdamOptions& weight_decay(double value) { weight_decay_ = value; return *this; }
  AdamOptions& amsgrad(bool value) { amsgrad_ = value; return *this; }
  AdamOptions& maximize(bool value) { maximize_ = value; return *this; }
  double lr() const { return lr_; }
  std::tuple<double, double> betas() const { return {beta1_, beta2_}; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  bool amsgrad() const { return amsgrad_; }
  bool maximize() const { return maximize_; }

  // Every option once (see OptionsWithFields), in PyTorch's state dict order.
  template <class Self, class Field> static void fields(Self& o, Field&& field) {
    field("lr", o.lr_, OptionRule::non_negative);
    field("beta1", o.beta1_, OptionRule::beta);
    field("beta2", o.beta2_, OptionRule::beta);
    field("eps", o.eps_, OptionRule::non_negative);
    field("weight_decay", o.weight_decay_, OptionRule::non_negative);
    field("amsgrad", o.amsgrad_, OptionRule::any);
    field("maximize", o.maximize_, OptionRule::any);
  }

 private:
  double lr_, beta1_ = 0.9, beta2_ = 0.999, eps_ = 1e-8, weight_decay_ = 0;
  bool amsgrad_ = false, maximize_ = false;
};

class Adam : public Optimizer {
 public:
  Adam(const std::vector<ParamGroup>& param_groups, const AdamOptions& defaults = AdamOptions());
  Adam(std::vector<Tensor> params, const AdamOptions& defaults = AdamOptions())
      : Adam(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}
  Adam(NamedTensors params, const AdamOptions& defaults = AdamOptions())
      : Adam(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

 protected:
  // For AdamW, which shares the moments, state and kernel and differs in its hyper-parameters.
  Adam(std::string name, const OptimizerOptions& defaults) : Optimizer(std::move(name), defaults) {}
  // The kernel's hyper-parameters for a step numbered t (from 1).
  virtual kernels::AdamHyper hyper(const OptimizerOptions& options, double t) const;

  void check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) override;
  std::map<std::string, Tensor> save_state(const Tensor& param) const override;
  void load_state(const Tensor& param, const std::map<std::string, Tensor>& state) override;

 private:
  struct Slot {
    int64_t step = 0;
    Tensor exp_avg, exp_avg_sq;  // like the parameter
    Tensor max_exp_avg_sq;       // only with amsgrad
  };
  SlotMap<Slot> slots_;
};

}  // namespace tg::optim

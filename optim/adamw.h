#pragma once
// AdamW: Adam with decoupled weight decay (PyTorch's; docs/optimizers.md). The decay
// shrinks the parameter directly instead of entering the gradient and the moments.
// Sparse gradients are refused as by Adam (SparseAdam is the lazy variant).
//
//   tg::optim::AdamW adamw(model.parameters(), tg::optim::AdamWOptions(1e-3).weight_decay(0.05));
#include <tuple>

#include "adam.h"

namespace tg::optim {

struct AdamWOptions : OptionsWithFields<AdamWOptions> {
  explicit AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  AdamWOptions& lr(double value) { lr_ = value; return *this; }
  AdamWOptions& betas(std::tuple<double, double> value) {
    std::tie(beta1_, beta2_) = value;
    return *this;
  }
  AdamWOptions& eps(double value) { eps_ = value; return *this; }
  AdamWOptions& weight_decay(double value) { weight_decay_ = value; return *this; }
  AdamWOptions& amsgrad(bool value) { amsgrad_ = value; return *this; }
  AdamWOptions& maximize(bool value) { maximize_ = value; return *this; }
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
  // PyTorch's AdamW decays by default (Adam does not).
  double lr_, beta1_ = 0.9, beta2_ = 0.999, eps_ = 1e-8, weight_decay_ = 1e-2;
  bool amsgrad_ = false, maximize_ = false;
};

class AdamW : public Adam {
 public:
  AdamW(const std::vector<ParamGroup>& param_groups, const AdamWOptions& defaults = AdamWOptions());
  AdamW(std::vector<Tensor> params, const AdamWOptions& defaults = AdamWOptions())
      : AdamW(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}
  AdamW(NamedTensors params, const AdamWOptions& defaults = AdamWOptions())
      : AdamW(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

 protected:
  kernels::AdamHyper hyper(const OptimizerOptions& options, double t) const override;
};

}  // namespace tg::optim

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

struct AdagradOptions : OptionsWithFields<AdagradOptions> {
  explicit AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  AdagradOptions& lr(double value) { lr_ = value; return *this; }
  AdagradOptions& lr_decay(double value) { lr_decay_ = value; return *this; }
  AdagradOptions& weight_decay(double value) { weight_decay_ = value; return *this; }
  AdagradOptions& initial_accumulator_value(double value) { initial_accumulator_value_ = value; return *this; }
  AdagradOptions& eps(double value) { eps_ = value; return *this; }
  AdagradOptions& maximize(bool value) { maximize_ = value; return *this; }
  double lr() const { return lr_; }
  double lr_decay() const { return lr_decay_; }
  double weight_decay() const { return weight_decay_; }
  double initial_accumulator_value() const { return initial_accumulator_value_; }
  double eps() const { return eps_; }
  bool maximize() const { return maximize_; }

  // Every option once (see OptionsWithFields), in PyTorch's state dict order.
  template <class Self, class Field> static void fields(Self& o, Field&& field) {
    field("lr", o.lr_, OptionRule::non_negative);
    field("lr_decay", o.lr_decay_, OptionRule::non_negative);
    field("weight_decay", o.weight_decay_, OptionRule::non_negative);
    field("initial_accumulator_value", o.initial_accumulator_value_, OptionRule::non_negative);
    field("eps", o.eps_, OptionRule::non_negative);
    field("maximize", o.maximize_, OptionRule::any);
  }

 private:
  double lr_, lr_decay_ = 0, weight_decay_ = 0, initial_accumulator_value_ = 0, eps_ = 1e-10;
  bool maximize_ = false;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(const std::vector<ParamGroup>& param_groups, const AdagradOptions& defaults = AdagradOptions());
  Adagrad(std::vector<Tensor> params, const AdagradOptions& defaults = AdagradOptions())
      : Adagrad(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}
  Adagrad(NamedTensors params, const AdagradOptions& defaults = AdagradOptions())
      : Adagrad(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

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

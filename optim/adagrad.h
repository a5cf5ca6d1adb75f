#pragma once
// Adagrad: per-element learning rates from the running sum of squared gradients
// (spec/optim.md §3), dense and sparse gradients. State is created for every parameter
// when it is added, as PyTorch does. A sparse gradient is coalesced (duplicates are
// summed before squaring), then only its rows are touched.
//
//   tg::optim::Adagrad adagrad(emb.parameters(), tg::optim::AdagradOptions(0.1));
//   loss.backward();
//   adagrad.step();
#include "optimizer.h"

namespace tg::optim {

struct AdagradOptions : OptimizerOptions {
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

  double get_lr() const override { return lr_; }
  void set_lr(double value) override { lr_ = value; }
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<AdagradOptions>(*this); }
  std::vector<OptionField> fields() override {
    return {{"lr", &lr_}, {"lr_decay", &lr_decay_}, {"weight_decay", &weight_decay_},
            {"initial_accumulator_value", &initial_accumulator_value_}, {"eps", &eps_},
            {"maximize", nullptr, &maximize_}};
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
  void validate(const OptimizerOptions& options) const override;
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

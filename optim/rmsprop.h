#pragma once
// RMSprop for dense gradients, with momentum, centering, weight decay and maximize
// (PyTorch's; docs/optimizers.md). A sparse gradient is refused: the running averages
// of every row would decay; SparseAdam is the optimizer made for sparse gradients.
//
//   tg::optim::RMSprop rms(model.parameters(), tg::optim::RMSpropOptions(1e-2).momentum(0.9).centered(true));
#include "optimizer.h"

namespace tg::optim {

struct RMSpropOptions : OptionsWithFields<RMSpropOptions> {
  explicit RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  RMSpropOptions& lr(double value) { lr_ = value; return *this; }
  RMSpropOptions& alpha(double value) { alpha_ = value; return *this; }
  RMSpropOptions& eps(double value) { eps_ = value; return *this; }
  RMSpropOptions& weight_decay(double value) { weight_decay_ = value; return *this; }
  RMSpropOptions& momentum(double value) { momentum_ = value; return *this; }
  RMSpropOptions& centered(bool value) { centered_ = value; return *this; }
  RMSpropOptions& maximize(bool value) { maximize_ = value; return *this; }
  double lr() const { return lr_; }
  double alpha() const { return alpha_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  double momentum() const { return momentum_; }
  bool centered() const { return centered_; }
  bool maximize() const { return maximize_; }

  // Every option once (see OptionsWithFields), in PyTorch's state dict order.
  template <class Self, class Field> static void fields(Self& o, Field&& field) {
    field("lr", o.lr_, OptionRule::non_negative);
    field("momentum", o.momentum_, OptionRule::non_negative);
    field("alpha", o.alpha_, OptionRule::non_negative);
    field("eps", o.eps_, OptionRule::non_negative);
    field("centered", o.centered_, OptionRule::any);
    field("weight_decay", o.weight_decay_, OptionRule::non_negative);
    field("maximize", o.maximize_, OptionRule::any);
  }

 private:
  double lr_, alpha_ = 0.99, eps_ = 1e-8, weight_decay_ = 0, momentum_ = 0;
  bool centered_ = false, maximize_ = false;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(const std::vector<ParamGroup>& param_groups, const RMSpropOptions& defaults = RMSpropOptions());
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults = RMSpropOptions())
      : RMSprop(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}
  RMSprop(NamedTensors params, const RMSpropOptions& defaults = RMSpropOptions())
      : RMSprop(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

 protected:
  void check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) override;
  std::map<std::string, Tensor> save_state(const Tensor& param) const override;
  void load_state(const Tensor& param, const std::map<std::string, Tensor>& state) override;

 private:
  struct Slot {
    int64_t step = 0;
    Tensor square_avg;       // like the parameter
    Tensor momentum_buffer;  // only with momentum > 0
    Tensor grad_avg;         // only when centered
  };
  SlotMap<Slot> slots_;
};

}  // namespace tg::optim

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

struct SGDOptions : OptionsWithFields<SGDOptions> {
  explicit SGDOptions(double lr = 1e-3) : lr_(lr) {}
  SGDOptions& lr(double value) { lr_ = value; return *this; }
  SGDOptions& momentum(double value) { momentum_ = value; return *this; }
  SGDOptions& dampening(double value) { dampening_ = value; return *this; }
  SGDOptions& weight_decay(double value) { weight_decay_ = value; return *this; }
  SGDOptions& nesterov(bool value) { nesterov_ = value; return *this; }
  SGDOptions& maximize(bool value) { maximize_ = value; return *this; }
  double lr() const { return lr_; }
  double momentum() const { return momentum_; }
  double dampening() const { return dampening_; }
  double weight_decay() const { return weight_decay_; }
  bool nesterov() const { return nesterov_; }
  bool maximize() const { return maximize_; }

  // Every option once (see OptionsWithFields), in PyTorch's state dict order.
  template <class Self, class Field> static void fields(Self& o, Field&& field) {
    field("lr", o.lr_, OptionRule::non_negative);
    field("momentum", o.momentum_, OptionRule::non_negative);
    field("dampening", o.dampening_, OptionRule::any);
    field("weight_decay", o.weight_decay_, OptionRule::non_negative);
    field("nesterov", o.nesterov_, OptionRule::any);
    field("maximize", o.maximize_, OptionRule::any);
  }

 private:
  double lr_, momentum_ = 0, dampening_ = 0, weight_decay_ = 0;
  bool nesterov_ = false, maximize_ = false;
};

class SGD : public Optimizer {
 public:
  SGD(const std::vector<ParamGroup>& param_groups, const SGDOptions& defaults = SGDOptions());
  SGD(std::vector<Tensor> params, const SGDOptions& defaults = SGDOptions())
      : SGD(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}
  SGD(NamedTensors params, const SGDOptions& defaults = SGDOptions())
      : SGD(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

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

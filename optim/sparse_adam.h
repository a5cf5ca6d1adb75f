#pragma once
// SparseAdam: lazy Adam for a dense parameter that receives sparse gradients, such as
// an Embedding built with sparse = true (docs/optimizers.md). Only the rows present in
// the coalesced gradient change, their moments included; bias correction uses the
// parameter's step count, and eps is added before that correction.
//
//   tg::optim::SparseAdam adam(emb.parameters(), tg::optim::SparseAdamOptions(1e-3));
//   loss.backward();
//   adam.step();   // O(rows in the gradient x embedding_dim)
#include <tuple>

#include "optimizer.h"

namespace tg::optim {

struct SparseAdamOptions : OptionsWithFields<SparseAdamOptions> {
  explicit SparseAdamOptions(double lr = 1e-3) : lr_(lr) {}
  SparseAdamOptions& lr(double value) { lr_ = value; return *this; }
  SparseAdamOptions& betas(std::tuple<double, double> value) {
    std::tie(beta1_, beta2_) = value;
    return *this;
  }
  SparseAdamOptions& eps(double value) { eps_ = value; return *this; }
  SparseAdamOptions& maximize(bool value) { maximize_ = value; return *this; }
  double lr() const { return lr_; }
  std::tuple<double, double> betas() const { return {beta1_, beta2_}; }
  double eps() const { return eps_; }
  bool maximize() const { return maximize_; }

  // Every option once (see OptionsWithFields), in PyTorch's state dict order.
  template <class Self, class Field> static void fields(Self& o, Field&& field) {
    field("lr", o.lr_, OptionRule::positive);
    field("beta1", o.beta1_, OptionRule::beta);
    field("beta2", o.beta2_, OptionRule::beta);
    field("eps", o.eps_, OptionRule::positive);
    field("maximize", o.maximize_, OptionRule::any);
  }

 private:
  double lr_, beta1_ = 0.9, beta2_ = 0.999, eps_ = 1e-8;
  bool maximize_ = false;
};

class SparseAdam : public Optimizer {
 public:
  SparseAdam(const std::vector<ParamGroup>& param_groups, const SparseAdamOptions& defaults = SparseAdamOptions());
  SparseAdam(std::vector<Tensor> params, const SparseAdamOptions& defaults = SparseAdamOptions())
      : SparseAdam(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}
  SparseAdam(NamedTensors params, const SparseAdamOptions& defaults = SparseAdamOptions())
      : SparseAdam(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

 protected:
  void check_param(const Tensor& param) const override;
  void check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) override;
  std::map<std::string, Tensor> save_state(const Tensor& param) const override;
  void load_state(const Tensor& param, const std::map<std::string, Tensor>& state) override;

 private:
  struct Slot {
    int64_t step = 0;   // steps that found a gradient, empty ones included
    Tensor exp_avg;     // dense, like the parameter
    Tensor exp_avg_sq;  // dense, like the parameter
  };
  SlotMap<Slot> slots_;
};

}  // namespace tg::optim

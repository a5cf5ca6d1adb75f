#pragma once
// SparseAdam: lazy Adam for a dense parameter that receives sparse gradients, such as
// an Embedding built with sparse = true (spec/optim.md §2). Only the rows present in
// the coalesced gradient change, their moments included; bias correction uses the
// parameter's step count, and eps is added before that correction.
//
//   tg::optim::SparseAdam adam(emb.parameters(), tg::optim::SparseAdamOptions(1e-3));
//   loss.backward();
//   adam.step();   // O(rows in the gradient x embedding_dim)
#include <tuple>

#include "optimizer.h"

namespace tg::optim {

struct SparseAdamOptions : OptimizerOptions {
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

  double get_lr() const override { return lr_; }
  void set_lr(double value) override { lr_ = value; }
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<SparseAdamOptions>(*this); }
  std::vector<OptionField> fields() override {
    return {{"lr", &lr_}, {"beta1", &beta1_}, {"beta2", &beta2_}, {"eps", &eps_}, {"maximize", nullptr, &maximize_}};
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
  void validate(const OptimizerOptions& options) const override;
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

#pragma once
// SparseAdam: lazy Adam for a dense parameter that receives sparse gradients, such as
// an Embedding built with sparse = true (docs/optimizers.md). Only the rows present in
// the coalesced gradient change, their moments included; bias correction uses the
// parameter's step count, and eps is added before that correction.
//
//   tg::optim::SparseAdam adam(emb.parameters(), tg::optim::SparseAdamOptions(1e-3));
//   loss.backward();
//   adam.step();   // O(rows in the gradient x embedding_dim)
#include "adam.h"

namespace tg::optim {

// SparseAdam, as PyTorch's, wants lr and eps strictly positive.
template <class Self> using PositiveLr = LrWithRule<Self, OptionRule::positive>;
template <class Self> using PositiveEps = EpsWithRule<Self, OptionRule::positive>;

struct SparseAdamOptions : OptionsOf<SparseAdamOptions, PositiveLr, Betas, PositiveEps, Maximize> {
  explicit SparseAdamOptions(double lr = 1e-3) { this->lr(lr); }
};

// Adam's state (steps that found a gradient, empty ones included); max_exp_avg_sq is
// never made (SparseAdam has no amsgrad).
class SparseAdam : public OptimizerWithMoments<AdamSlot> {
 public:
  SparseAdam(ParamGroups params, const SparseAdamOptions& defaults = SparseAdamOptions());

 protected:
  void check_param(const Tensor& param) const override;
  void check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) override;
};

}  // namespace tg::optim

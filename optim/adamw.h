#pragma once
// AdamW: Adam with decoupled weight decay (PyTorch's; docs/optimizers.md). The decay
// shrinks the parameter directly instead of entering the gradient and the moments.
// Sparse gradients are refused as by Adam (SparseAdam is the lazy variant).
//
//   tg::optim::AdamW adamw(model.parameters(), tg::optim::AdamWOptions(1e-3).weight_decay(0.05));
#include "adam.h"

namespace tg::optim {

struct AdamWOptions : AdamOptionsOf<AdamWOptions> {
  // PyTorch's AdamW decays by default (Adam does not).
  explicit AdamWOptions(double lr = 1e-3) { this->lr(lr).weight_decay(1e-2); }
};

class AdamW : public Adam {
 public:
  AdamW(ParamGroups params, const AdamWOptions& defaults = AdamWOptions());

 protected:
  kernels::AdamHyper hyper(const OptimizerOptions& options, double t) const override;
};

}  // namespace tg::optim

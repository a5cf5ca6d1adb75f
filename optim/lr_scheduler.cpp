// LR schedulers (PyTorch's torch.optim.lr_scheduler, chainable form: StepLR scales the
// groups' current lr, so an lr changed by hand between steps is respected).
#include "lr_scheduler.h"

#include <fmt/format.h>

#include <cmath>

#include "../core/layout.h"

namespace tg::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (const ParamGroup& group : optimizer_.param_groups()) base_lrs_.push_back(group.lr());
}

void LRScheduler::step() {
  last_epoch_ += 1;
  std::vector<double> lrs;
  try {
    lrs = get_lr();
  } catch (...) {
    last_epoch_ -= 1;  // a refused step leaves the scheduler as it was
    throw;
  }
  std::vector<ParamGroup>& groups = optimizer_.param_groups();
  if (lrs.size() != groups.size())
    throw Error(fmt::format("LRScheduler: the optimizer has {} param groups now, {} when the scheduler was built; "
                            "expected the same groups", groups.size(), lrs.size()));
  for (size_t g = 0; g < groups.size(); ++g) groups[g].set_lr(lrs[g]);
  last_lrs_ = lrs;
}

NamedTensors LRScheduler::state_dict() const {
  return {{"last_epoch", scalar_tensor(static_cast<double>(last_epoch_), kInt64)},
          {"base_lrs", from_vector(base_lrs_, {static_cast<int64_t>(base_lrs_.size())})},
          {"last_lrs", from_vector(last_lrs_, {static_cast<int64_t>(last_lrs_.size())})}};
}

void LRScheduler::load_state_dict(const NamedTensors& state) {
  const int64_t num_groups = static_cast<int64_t>(base_lrs_.size());
  auto find = [&](const char* key, int64_t numel) {
    for (const auto& [name, value] : state)
      if (name == key && value.defined() && !value.is_sparse() && value.numel() == numel)
        return core::cast(value, kFloat64).to_vector<double>();
    throw Error(fmt::format("LRScheduler.load_state_dict: no '{}' with {} number(s); expected the state_dict() of "
                            "a scheduler on an optimizer with {} param group(s)", key, numel, num_groups));
  };
  const double epoch = find("last_epoch", 1)[0];
  std::vector<double> base = find("base_lrs", num_groups), last = find("last_lrs", num_groups);
  last_epoch_ = static_cast<int64_t>(epoch);
  base_lrs_ = std::move(base);
  last_lrs_ = std::move(last);
  for (int64_t g = 0; g < num_groups; ++g) optimizer_.param_groups()[g].set_lr(last_lrs_[g]);
}

GammaLR::GammaLR(Optimizer& optimizer, const char* scheduler, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
  if (!(gamma >= 0))
    throw ValueError(fmt::format("{}: gamma = {} is invalid; expected gamma >= 0", scheduler, gamma));
}

// gamma^k for k > 1 (a milestone listed k times); k = 1 multiplies by gamma itself.
std::vector<double> GammaLR::get_lr() {
  const int64_t k = decays();
  const double scale = k == 1 ? gamma_ : std::pow(gamma_, static_cast<double>(k));
  std::vector<double> lrs;
  for (const ParamGroup& group : optimizer_.param_groups()) lrs.push_back(k == 0 ? group.lr() : group.lr() * scale);
  return lrs;
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : GammaLR(optimizer, "StepLR", gamma), step_size_(step_size) {
  if (step_size < 1)
    throw ValueError(fmt::format("StepLR: step_size = {} is invalid; expected step_size >= 1", step_size));
  initial_step();
}

LambdaLR::LambdaLR(Optimizer& optimizer, Lambda lr_lambda)
    : LambdaLR(optimizer, std::vector<Lambda>(optimizer.param_groups().size(), lr_lambda)) {}

LambdaLR::LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas)
    : LRScheduler(optimizer), lr_lambdas_(std::move(lr_lambdas)) {
  if (lr_lambdas_.size() != base_lrs_.size())
    throw ValueError(fmt::format("LambdaLR: got {} lr_lambdas; expected one per param group ({})",
                                 lr_lambdas_.size(), base_lrs_.size()));
  for (const Lambda& fn : lr_lambdas_)
    if (!fn) throw ValueError("LambdaLR: an lr_lambda is empty; expected a callable");
  initial_step();
}

std::vector<double> LambdaLR::get_lr() {
  std::vector<double> lrs;
  for (size_t g = 0; g < base_lrs_.size(); ++g) lrs.push_back(base_lrs_[g] * lr_lambdas_[g](last_epoch_));
  return lrs;
}

}  // namespace tg::optim

// ExponentialLR, MultiStepLR, CosineAnnealingLR, OneCycleLR and ReduceLROnPlateau
// (PyTorch's torch.optim.lr_scheduler).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "../core/layout.h"
#include "lr_scheduler.h"

namespace tg::optim {

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : GammaLR(optimizer, "ExponentialLR", gamma) {
  initial_step();
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : GammaLR(optimizer, "MultiStepLR", gamma), milestones_(std::move(milestones)) {
  initial_step();
}

int64_t MultiStepLR::decays() const { return std::count(milestones_.begin(), milestones_.end(), last_epoch_); }

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min) {
  if (T_max < 1) throw ValueError(fmt::format("CosineAnnealingLR: T_max = {} is invalid; expected T_max >= 1", T_max));
  initial_step();
}

// Note [Cosine closed form]: PyTorch's step() applies a recursive update to the
// current lr; its _get_closed_form_lr is this formula, and the two agree to a few ulps
// (the golden test checks the recursive sequence, past T_max too). The closed form
// does not drift, but an lr set by hand between steps is overwritten.
std::vector<double> CosineAnnealingLR::get_lr() {
  const double c = (1 + std::cos(std::numbers::pi * static_cast<double>(last_epoch_) / static_cast<double>(T_max_))) / 2;
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(eta_min_ + (base - eta_min_) * c);
  return lrs;
}

namespace {

// The option OneCycleLR cycles as momentum: Adam's and AdamW's beta1 (PyTorch's
// betas[0]), else a "momentum" option (SGD, RMSprop); nullptr when there is neither.
const char* momentum_field(const OptimizerOptions& options) {
  bool has_beta1 = false, has_momentum = false;
  options.for_each_field([&](const OptionField& field) {
    has_beta1 = has_beta1 || std::string_view(field.name) == "beta1";
    has_momentum = has_momentum || std::string_view(field.name) == "momentum";
  });
  return has_beta1 ? "beta1" : has_momentum ? "momentum" : nullptr;
}

void check_momentum(const OneCycleLROptions& o, const char* field) {
  const bool is_beta = std::string_view(field) == "beta1";
  for (const auto& [name, value] : {std::pair{"base_momentum", o.base_momentum_}, std::pair{"max_momentum", o.max_momentum_}})
    if (!(value >= 0) || (is_beta && !(value < 1)))
      throw ValueError(fmt::format("OneCycleLR: {} = {} is invalid for the optimizer's {}; expected a number in {}", name,
                                   value, field, is_beta ? "[0, 1)" : "[0, inf)"));
}

}  // namespace

Optimizer& OneCycleLR::with_initial_lr(Optimizer& optimizer, const OneCycleLROptions& o) {
  if (o.total_steps_ < 1)
    throw ValueError(fmt::format("OneCycleLR: total_steps = {} is invalid; expected total_steps >= 1", o.total_steps_));
  if (!(o.pct_start_ >= 0 && o.pct_start_ <= 1))
    throw ValueError(fmt::format("OneCycleLR: pct_start = {} is invalid; expected a number in [0, 1]", o.pct_start_));
  if (o.anneal_strategy_ != "cos" && o.anneal_strategy_ != "linear")
    throw ValueError(fmt::format("OneCycleLR: anneal_strategy = '{}' is invalid; expected 'cos' or 'linear'",
                                 o.anneal_strategy_));
  if (!(o.max_lr_ >= 0)) throw ValueError(fmt::format("OneCycleLR: max_lr = {} is invalid; expected max_lr >= 0", o.max_lr_));
  if (!(o.div_factor_ > 0) || !(o.final_div_factor_ > 0))
    throw ValueError(fmt::format("OneCycleLR: div_factor = {}, final_div_factor = {}; expected both > 0",
                                 o.div_factor_, o.final_div_factor_));
  if (o.cycle_momentum_)
    for (const ParamGroup& group : optimizer.param_groups()) {
      const char* field = momentum_field(group.options());
      if (field == nullptr)
        throw ValueError("OneCycleLR: cycle_momentum = true needs an optimizer with momentum or betas (SGD, RMSprop, "
                         "Adam, AdamW); expected such an optimizer, or cycle_momentum(false)");
      check_momentum(o, field);
    }
  for (ParamGroup& group : optimizer.param_groups()) group.set_lr(o.max_lr_ / o.div_factor_);
  return optimizer;
}

OneCycleLR::OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options)
    : LRScheduler(with_initial_lr(optimizer, options)), options_(options) {
  const double initial = options.max_lr_ / options.div_factor_, min_lr = initial / options.final_div_factor_;
  const double up_end = options.pct_start_ * static_cast<double>(options.total_steps_) - 1;
  const double last = static_cast<double>(options.total_steps_ - 1);
  const double low = options.base_momentum_, high = options.max_momentum_;
  if (options.three_phase_)
    phases_ = {{up_end, initial, options.max_lr_, high, low},
               {2 * options.pct_start_ * static_cast<double>(options.total_steps_) - 2, options.max_lr_, initial, low, high},
               {last, initial, min_lr, high, high}};
  else
    phases_ = {{up_end, initial, options.max_lr_, high, low}, {last, options.max_lr_, min_lr, low, high}};
  initial_step();
}

std::vector<double> OneCycleLR::get_lr() {
  // PyTorch computes one step past total_steps - 1 (extrapolating) and refuses the next.
  if (last_epoch_ > options_.total_steps_)
    throw ValueError(fmt::format("OneCycleLR: step {} is past total_steps = {}; expected at most total_steps steps "
                                 "after construction", last_epoch_, options_.total_steps_));
  const double step = static_cast<double>(last_epoch_);
  const bool cos = options_.anneal_strategy_ == "cos";
  double start_step = 0, lr = 0;
  for (size_t i = 0; i < phases_.size(); ++i) {
    const Phase& phase = phases_[i];
    if (step <= phase.end_step || i + 1 == phases_.size()) {
      const double pct = (step - start_step) / (phase.end_step - start_step);
      auto anneal = [&](double start, double end) {
        return cos ? end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1) : (end - start) * pct + start;
      };
      lr = anneal(phase.start_lr, phase.end_lr);
      if (options_.cycle_momentum_) {
        const double momentum = anneal(phase.start_momentum, phase.end_momentum);
        for (ParamGroup& group : optimizer_.param_groups())
          if (const char* field = momentum_field(group.options())) group.options().set_field(field, momentum);
      }
      break;
    }
    start_step = phase.end_step;
  }
  return std::vector<double>(base_lrs_.size(), lr);
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, const ReduceLROnPlateauOptions& options)
    : optimizer_(optimizer), options_(options) {
  const ReduceLROnPlateauOptions& o = options_;
  if (!(o.factor_ < 1 && o.factor_ >= 0))
    throw ValueError(fmt::format("ReduceLROnPlateau: factor = {} is invalid; expected 0 <= factor < 1", o.factor_));
  if (o.mode_ != "min" && o.mode_ != "max")
    throw ValueError(fmt::format("ReduceLROnPlateau: mode = '{}' is invalid; expected 'min' or 'max'", o.mode_));
  if (o.threshold_mode_ != "rel" && o.threshold_mode_ != "abs")
    throw ValueError(fmt::format("ReduceLROnPlateau: threshold_mode = '{}' is invalid; expected 'rel' or 'abs'",
                                 o.threshold_mode_));
  if (o.patience_ < 0 || o.cooldown_ < 0)
    throw ValueError(fmt::format("ReduceLROnPlateau: patience = {}, cooldown = {}; expected both >= 0", o.patience_,
                                 o.cooldown_));
  if (!(o.min_lr_ >= 0)) throw ValueError(fmt::format("ReduceLROnPlateau: min_lr = {} is invalid; expected >= 0", o.min_lr_));
  best_ = o.mode_ == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  for (const ParamGroup& group : optimizer_.param_groups()) last_lrs_.push_back(group.lr());
}

// A NaN metric is never better.
bool ReduceLROnPlateau::is_better(double a) const {
  const ReduceLROnPlateauOptions& o = options_;
  const bool rel = o.threshold_mode_ == "rel";
  if (o.mode_ == "min") return rel ? a < best_ * (1 - o.threshold_) : a < best_ - o.threshold_;
  return rel ? a > best_ * (o.threshold_ + 1) : a > best_ + o.threshold_;
}

void ReduceLROnPlateau::step(double metric) {
  last_epoch_ += 1;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    num_bad_epochs_ += 1;
  }
  if (cooldown_counter_ > 0) {  // bad epochs during cooldown do not count
    cooldown_counter_ -= 1;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > options_.patience_) {
    for (ParamGroup& group : optimizer_.param_groups()) {
      const double old_lr = group.lr(), new_lr = std::max(old_lr * options_.factor_, options_.min_lr_);
      if (old_lr - new_lr > options_.eps_) group.set_lr(new_lr);
    }
    cooldown_counter_ = options_.cooldown_;
    num_bad_epochs_ = 0;
  }
  last_lrs_.clear();
  for (const ParamGroup& group : optimizer_.param_groups()) last_lrs_.push_back(group.lr());
}

NamedTensors ReduceLROnPlateau::state_dict() const {
  return {{"last_epoch", scalar_tensor(static_cast<double>(last_epoch_), kInt64)},
          {"best", scalar_tensor(best_, kFloat64)},
          {"num_bad_epochs", scalar_tensor(static_cast<double>(num_bad_epochs_), kInt64)},
          {"cooldown_counter", scalar_tensor(static_cast<double>(cooldown_counter_), kInt64)}};
}

void ReduceLROnPlateau::load_state_dict(const NamedTensors& state) {
  auto find = [&](const char* key) {
    for (const auto& [name, value] : state)
      if (name == key && value.defined() && !value.is_sparse() && value.numel() == 1)
        return core::cast(value, kFloat64).to_vector<double>()[0];
    throw Error(fmt::format("ReduceLROnPlateau.load_state_dict: no '{}' with 1 number; expected the state_dict() "
                            "of a ReduceLROnPlateau", key));
  };
  const double epoch = find("last_epoch"), best = find("best"), bad = find("num_bad_epochs"),
               cooldown = find("cooldown_counter");
  last_epoch_ = static_cast<int64_t>(epoch);
  best_ = best;
  num_bad_epochs_ = static_cast<int64_t>(bad);
  cooldown_counter_ = static_cast<int64_t>(cooldown);
}

}  // namespace tg::optim

#pragma once
// Learning-rate schedulers with PyTorch's names and semantics: construction performs
// step 0 (last_epoch becomes 0), and each step() sets every group's lr for the next
// epoch. Call scheduler.step() after optimizer.step().
//
//   tg::optim::SGD sgd(params, tg::optim::SGDOptions(0.5));
//   tg::optim::LambdaLR decay(sgd, [&](int64_t epoch) { return 1.0 - double(epoch) / num_epochs; });
//   for (...) { ...; sgd.step(); decay.step(); }   // linear decay to 0, as word2vec does
#include <functional>
#include <string>

#include "optimizer.h"

namespace tg::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  void step();
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  // The lr of each group as this scheduler last set it.
  const std::vector<double>& get_last_lr() const { return last_lrs_; }
  // {"last_epoch": 0-d int64, "base_lrs", "last_lrs": float64, one per group}: save it
  // with tg::save; to resume, build the scheduler on the resumed optimizer, then load
  // this (it sets the groups' lr back to last_lrs).
  NamedTensors state_dict() const;
  void load_state_dict(const NamedTensors& state);

 protected:
  // Base lrs are the groups' current lrs.
  explicit LRScheduler(Optimizer& optimizer);
  // Derived constructors call this once their own members are set (it calls get_lr).
  void initial_step() { step(); }
  virtual std::vector<double> get_lr() = 0;

  Optimizer& optimizer_;
  int64_t last_epoch_ = -1;
  std::vector<double> base_lrs_;
  std::vector<double> last_lrs_;
};

// StepLR, ExponentialLR and MultiStepLR: each step multiplies every group's current lr
// by gamma as many times as decays() says for last_epoch_ (chainable: an lr set by hand
// between steps is respected).
class GammaLR : public LRScheduler {
 protected:
  // tg::ValueError (naming `scheduler`) unless gamma >= 0.
  GammaLR(Optimizer& optimizer, const char* scheduler, double gamma);
  virtual int64_t decays() const = 0;

 private:
  std::vector<double> get_lr() final;
  double gamma_;
};

// Multiplies each group's lr by gamma every step_size epochs.
class StepLR : public GammaLR {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 private:
  int64_t decays() const override { return last_epoch_ != 0 && last_epoch_ % step_size_ == 0; }
  int64_t step_size_;
};

// Sets each group's lr to base_lr * lr_lambda(epoch): one function for all groups, or
// one per group.
class LambdaLR : public LRScheduler {
 public:
  using Lambda = std::function<double(int64_t)>;
  LambdaLR(Optimizer& optimizer, Lambda lr_lambda);
  LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas);

 protected:
  std::vector<double> get_lr() override;

 private:
  std::vector<Lambda> lr_lambdas_;
};

// Multiplies each group's lr by gamma every epoch.
class ExponentialLR : public GammaLR {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 private:
  int64_t decays() const override { return last_epoch_ != 0; }
};

// Multiplies each group's lr by gamma at each milestone epoch (by gamma^k for a
// milestone listed k times).
class MultiStepLR : public GammaLR {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 private:
  int64_t decays() const override;
  std::vector<int64_t> milestones_;
};

// lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2, periodic past T_max.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0);

 protected:
  std::vector<double> get_lr() override;

 private:
  int64_t T_max_;
  double eta_min_;
};

struct OneCycleLROptions {
  OneCycleLROptions(double max_lr, int64_t total_steps) : max_lr_(max_lr), total_steps_(total_steps) {}
  OneCycleLROptions& pct_start(double value) { pct_start_ = value; return *this; }
  OneCycleLROptions& anneal_strategy(std::string value) { anneal_strategy_ = std::move(value); return *this; }
  OneCycleLROptions& div_factor(double value) { div_factor_ = value; return *this; }
  OneCycleLROptions& final_div_factor(double value) { final_div_factor_ = value; return *this; }
  OneCycleLROptions& three_phase(bool value) { three_phase_ = value; return *this; }
  OneCycleLROptions& cycle_momentum(bool value) { cycle_momentum_ = value; return *this; }
  OneCycleLROptions& base_momentum(double value) { base_momentum_ = value; return *this; }
  OneCycleLROptions& max_momentum(double value) { max_momentum_ = value; return *this; }

  double max_lr_;
  int64_t total_steps_;
  double pct_start_ = 0.3;
  std::string anneal_strategy_ = "cos";  // or "linear"
  double div_factor_ = 25;
  double final_div_factor_ = 1e4;
  bool three_phase_ = false;
  bool cycle_momentum_ = true;
  double base_momentum_ = 0.85;
  double max_momentum_ = 0.95;
};

// The 1cycle policy: from max_lr / div_factor up to max_lr over pct_start of the
// steps, then down to initial_lr / final_div_factor (three_phase: back to initial_lr
// first). Sets the groups' lr at construction; total_steps + 1 steps in all, counting
// construction's, and another step throws. With cycle_momentum (the default, as in
// PyTorch) the groups' momentum (beta1 for Adam and AdamW) runs the other way, from
// max_momentum down to base_momentum and back; an optimizer with neither (Adagrad)
// is refused then.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options);

 protected:
  std::vector<double> get_lr() override;

 private:
  struct Phase {
    double end_step, start_lr, end_lr, start_momentum, end_momentum;
  };
  static Optimizer& with_initial_lr(Optimizer& optimizer, const OneCycleLROptions& options);
  OneCycleLROptions options_;
  std::vector<Phase> phases_;
};

struct ReduceLROnPlateauOptions {
  ReduceLROnPlateauOptions& mode(std::string value) { mode_ = std::move(value); return *this; }
  ReduceLROnPlateauOptions& factor(double value) { factor_ = value; return *this; }
  ReduceLROnPlateauOptions& patience(int64_t value) { patience_ = value; return *this; }
  ReduceLROnPlateauOptions& threshold(double value) { threshold_ = value; return *this; }
  ReduceLROnPlateauOptions& threshold_mode(std::string value) { threshold_mode_ = std::move(value); return *this; }
  ReduceLROnPlateauOptions& cooldown(int64_t value) { cooldown_ = value; return *this; }
  ReduceLROnPlateauOptions& min_lr(double value) { min_lr_ = value; return *this; }
  ReduceLROnPlateauOptions& eps(double value) { eps_ = value; return *this; }

  std::string mode_ = "min";  // or "max"
  double factor_ = 0.1;
  int64_t patience_ = 10;
  double threshold_ = 1e-4;
  std::string threshold_mode_ = "rel";  // or "abs"
  int64_t cooldown_ = 0;
  double min_lr_ = 0;
  double eps_ = 1e-8;
};

// Multiplies each group's lr by factor (not below min_lr) once the metric passed to
// step(metric) has not improved for more than patience steps, then waits cooldown
// steps before counting again. Changes smaller than eps are skipped.
class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, const ReduceLROnPlateauOptions& options = {});
  ReduceLROnPlateau(const ReduceLROnPlateau&) = delete;
  ReduceLROnPlateau& operator=(const ReduceLROnPlateau&) = delete;

  void step(double metric);
  int64_t last_epoch() const { return last_epoch_; }
  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  const std::vector<double>& get_last_lr() const { return last_lrs_; }
  // {"last_epoch", "best", "num_bad_epochs", "cooldown_counter": 0-d float64 / int64}.
  NamedTensors state_dict() const;
  void load_state_dict(const NamedTensors& state);

 private:
  bool is_better(double metric) const;
  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  int64_t last_epoch_ = 0;
  double best_;
  int64_t num_bad_epochs_ = 0;
  int64_t cooldown_counter_ = 0;
  std::vector<double> last_lrs_;
};

}  // namespace tg::optim

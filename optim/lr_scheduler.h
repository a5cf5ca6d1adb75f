#pragma once
// Learning-rate schedulers with PyTorch's names and semantics: construction performs
// step 0 (last_epoch becomes 0), and each step() sets every group's lr for the next
// epoch. Call scheduler.step() after optimizer.step().
//
//   tg::optim::SGD sgd(params, tg::optim::SGDOptions(0.5));
//   tg::optim::LambdaLR decay(sgd, [&](int64_t epoch) { return 1.0 - double(epoch) / num_epochs; });
//   for (...) { ...; sgd.step(); decay.step(); }   // linear decay to 0, as word2vec does
#include <functional>

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

// Multiplies each group's lr by gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() override;

 private:
  int64_t step_size_;
  double gamma_;
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

}  // namespace tg::optim

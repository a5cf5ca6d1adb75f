#pragma once
// Grad mode: whether ops record history. The one piece of global state in tapegrad,
// and it is thread-local, so a guard in one thread never affects another.
//
//   {
//     tg::NoGradGuard no_grad;   // nothing inside is recorded
//     weight.mul_(0.5);          // allowed on a leaf that requires grad
//   }                            // the previous mode returns here

namespace tg {

namespace autograd {
bool is_grad_enabled();
void set_grad_enabled(bool enabled);
}  // namespace autograd

// Holds a thread-local setting at `value` while alive and then puts back what it was;
// every guard of the autograd (these two, TraceBackwardGuard, DetectAnomalyGuard) is
// this with its own setting.
template <class T, T (*Get)(), void (*Set)(T)> class ScopedSetting {
 public:
  explicit ScopedSetting(T value) : previous_(Get()) { Set(value); }
  ~ScopedSetting() { Set(previous_); }
  ScopedSetting(const ScopedSetting&) = delete;
  ScopedSetting& operator=(const ScopedSetting&) = delete;

 private:
  T previous_;
};

class NoGradGuard : public ScopedSetting<bool, autograd::is_grad_enabled, autograd::set_grad_enabled> {
 public:
  NoGradGuard() : ScopedSetting(false) {}
};

// Turns recording back on inside a NoGradGuard (as torch.enable_grad()).
class EnableGradGuard : public ScopedSetting<bool, autograd::is_grad_enabled, autograd::set_grad_enabled> {
 public:
  EnableGradGuard() : ScopedSetting(true) {}
};

}  // namespace tg

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

class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Turns recording back on inside a NoGradGuard (as torch.enable_grad()).
class EnableGradGuard {
 public:
  EnableGradGuard();
  ~EnableGradGuard();
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace tg

// Tour section 7 (docs/autograd.md): finding the op that made a NaN, with DetectAnomalyGuard.
// Run: ./build/examples/tour_07_anomaly
#include <iostream>

#include <tapegrad/tapegrad.h>

int main() {
  tg::Tensor x = tg::tensor({1.f, 0.f}).requires_grad_();
  x.set_name("x");
  const tg::Tensor mask = tg::tensor({1.f, 0.f});
  // log(0) = -inf, and -inf * 0 = nan: the loss is already nan in the forward pass.
  tg::Tensor loss = (x.log() * mask).sum();
  std::cout << "loss = " << loss << "\n\n";
  tg::autograd::print_tape(loss);

  // Without the guard, backward finishes and x.grad holds a nan. With it, backward
  // stops at the first node whose gradient is not finite: LogBackward0 computes 0 / 0.
  try {
    tg::autograd::DetectAnomalyGuard anomaly;
    loss.backward();
  } catch (const tg::Error& e) {
    std::cout << "\n" << e.what() << "\n";
  }
}

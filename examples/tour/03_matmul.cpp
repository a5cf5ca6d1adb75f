// Tour section 3 (docs/autograd.md): a linear layer, a mean, and the matmul backward.
// Run: ./build/examples/tour_03_matmul
#include <iostream>

#include <tapegrad/tapegrad.h>

int main() {
  const tg::Tensor X = tg::tensor({{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}});  // 3 samples, 2 features
  tg::Tensor W = tg::tensor({{0.5f, -1.f}, {0.25f, 2.f}}).requires_grad_();
  W.set_name("W");
  tg::Tensor Y = X.matmul(W);            // (3, 2)
  tg::Tensor loss = (Y * Y).mean();      // mean of 6 squares

  tg::autograd::print_tape(loss);
  std::cout << "\nbackward, node by node:\n";
  {
    tg::autograd::TraceBackwardGuard trace;
    loss.backward();
  }
  // By hand: dloss/dY = 2 Y / 6, and dloss/dW = X^T (dloss/dY).
  std::cout << "\nW.grad =\n" << W.grad() << "\nX^T (2 Y / 6) =\n" << X.t().matmul(Y.detach() * (2.0 / 6.0)) << "\n";
}

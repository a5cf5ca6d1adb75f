// Tour section 2 (docs/autograd.md): broadcasting, and why its backward sums.
// Run: ./build/examples/tour_02_broadcast
#include <iostream>

#include <tapegrad/tapegrad.h>

int main() {
  // A (2, 3) batch plus a bias of shape (3): the bias is reused on every row.
  tg::Tensor x = tg::tensor({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}}).requires_grad_();
  tg::Tensor bias = tg::tensor({0.1f, 0.2f, 0.3f}).requires_grad_();
  x.set_name("x");
  bias.set_name("bias");
  tg::Tensor scale = tg::tensor({{2.f}, {3.f}});  // (2, 1): one factor per row, no gradient
  tg::Tensor loss = ((x + bias) * scale).sum();

  tg::autograd::print_tape(loss);
  std::cout << "\nbackward, node by node:\n";
  {
    tg::autograd::TraceBackwardGuard trace;
    loss.backward();
  }
  std::cout << "\nx.grad =\n" << x.grad() << "\nbias.grad =\n" << bias.grad() << "\n";
}

// Tour section 1 (docs/autograd.md): y = tanh(w x + b), derived by hand, then by the tape.
// Run: ./build/examples/tour_01_scalar          (add --dot for the graph as Graphviz text)
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <string>

#include <tapegrad/tapegrad.h>

int main(int argc, char** argv) {
  // Forward: every op on a tensor that requires grad appends a node to the tape.
  tg::Tensor w = tg::tensor({0.5f}).requires_grad_();
  tg::Tensor b = tg::tensor({-0.25f}).requires_grad_();
  w.set_name("w");  // a Module names its parameters itself (register_parameter)
  b.set_name("b");
  const tg::Tensor x = tg::tensor({2.0f});  // data: no gradient wanted
  tg::Tensor y = (w * x + b).tanh().sum();

  if (argc > 1 && std::string(argv[1]) == "--dot") {
    std::cout << tg::autograd::to_dot(y);
    return 0;
  }
  // By hand, with the chain rule: z = w x + b, y = tanh(z), dy/dz = 1 - tanh(z)^2 = 1 - y^2.
  const double w0 = 0.5, x0 = 2.0, b0 = -0.25;
  const double y0 = std::tanh(w0 * x0 + b0);
  fmt::print("by hand:  y = {:.4f}  dy/dw = x (1 - y^2) = {:.4f}  dy/db = 1 - y^2 = {:.4f}\n\n", y0,
             x0 * (1 - y0 * y0), 1 - y0 * y0);

  tg::autograd::print_tape(y);
  std::cout << "\nbackward, node by node:\n";
  {
    tg::autograd::TraceBackwardGuard trace;
    y.backward();
  }
  fmt::print("\nby tape:  y = {:.4f}  w.grad = {:.4f}  b.grad = {:.4f}\n", y.item<float>(), w.grad().item<float>(),
             b.grad().item<float>());
}

// Fits y = 3x + 2 to five points with plain gradient descent: the smallest
// complete use of tapegrad's autograd. The PyTorch script it mirrors:
//
//   w = torch.zeros(1, requires_grad=True); b = torch.zeros(1, requires_grad=True)
//   for step in range(100):
//       loss = ((w * x + b - y) ** 2).sum() / len(x)
//       loss.backward()
//       with torch.no_grad():
//           w.add_(w.grad, alpha=-lr); b.add_(b.grad, alpha=-lr)
//       w.grad = None; b.grad = None
#include <fmt/format.h>

#include <tapegrad/tapegrad.h>

int main() {
  const tg::Tensor x = tg::tensor({-1.f, 0.f, 1.f, 2.f, 3.f});
  const tg::Tensor y = 3.0 * x + 2.0;  // the line the model should find
  const double n = static_cast<double>(x.numel());

  // The parameters are leaves: backward() leaves their gradients in w.grad(), b.grad().
  tg::Tensor w = tg::zeros({1}).requires_grad_();
  tg::Tensor b = tg::zeros({1}).requires_grad_();
  const double lr = 0.1;

  for (int step = 0; step <= 100; ++step) {
    tg::Tensor error = w * x + b - y;
    tg::Tensor loss = (error * error).sum() / n;  // mean squared error
    loss.backward();
    if (step % 10 == 0)
      fmt::print("step {:3d}  loss {:9.3e}  w {:.4f}  b {:.4f}\n", step, loss.item<float>(),
                 w.item<float>(), b.item<float>());
    {
      // The update itself must not be recorded, and an in-place op on a leaf that
      // requires grad is refused outside this guard.
      tg::NoGradGuard no_grad;
      w.add_(w.grad(), -lr);
      b.add_(b.grad(), -lr);
    }
    // Gradients accumulate across backward() calls, so clear them before the next step.
    w.mutable_grad() = tg::Tensor();
    b.mutable_grad() = tg::Tensor();
  }
  fmt::print("learned w = {:.4f}, b = {:.4f} (the data was made with w = 3, b = 2)\n",
             w.item<float>(), b.item<float>());
  return 0;
}

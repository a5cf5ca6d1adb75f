// Checks that a program outside the repository compiles against the umbrella
// header, links and computes a gradient. Exit status 0 means it all worked.
#include <cmath>
#include <cstdio>

#include <tapegrad/tapegrad.h>

int main() {
  tg::Tensor w = tg::tensor({0.5, -1.0}).requires_grad_();
  tg::Tensor x = tg::tensor({2.0, 3.0});
  tg::Tensor loss = (w * x).sigmoid().sum();
  loss.backward();
  // d/dw sigmoid(w x) = x s (1 - s), with s = sigmoid(w x)
  const float s0 = 1.0f / (1.0f + std::exp(-1.0f));
  const float s1 = 1.0f / (1.0f + std::exp(3.0f));
  const float expected[2] = {2.0f * s0 * (1 - s0), 3.0f * s1 * (1 - s1)};
  const float got[2] = {w.grad()[0].item<float>(), w.grad()[1].item<float>()};
  for (int i = 0; i < 2; ++i) {
    if (std::abs(got[i] - expected[i]) > 1e-6f) {
      std::printf("consumer: w.grad()[%d] = %g; expected %g\n", i, got[i], expected[i]);
      return 1;
    }
  }
  std::printf("consumer: built against tapegrad, gradient ok\n");
  return 0;
}

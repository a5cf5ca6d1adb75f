#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

TEST_CASE("tanh(w*x + b) backward matches the hand-derived gradient") {
  tg::Tensor w = tg::tensor({0.5}).requires_grad_();
  tg::Tensor x = tg::tensor({2.0});
  tg::Tensor b = tg::tensor({-0.25}).requires_grad_();
  tg::Tensor y = (w * x + b).tanh();
  y.sum().backward();
  // d tanh(u)/du = 1 - tanh(u)^2 with u = 0.75; dy/dw = x (1 - t^2), dy/db = 1 - t^2
  const double t = std::tanh(0.75);
  CHECK(w.grad().item<float>() == doctest::Approx(2.0 * (1 - t * t)).epsilon(1e-6));
  CHECK(b.grad().item<float>() == doctest::Approx(1 - t * t).epsilon(1e-6));
  CHECK(y.grad_fn_name() == "TanhBackward0");
}

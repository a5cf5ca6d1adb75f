// Threads: grad mode is per thread, and separate graphs (or graphs sharing only
// leaves) can be built and differentiated concurrently.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <atomic>
#include <cmath>
#include <latch>
#include <thread>

TEST_CASE("a NoGradGuard in one thread does not affect another") {
  tg::Tensor w = tg::ones({2}).requires_grad_();
  std::latch guard_open(1), other_checked(1);
  bool other_enabled = false, other_records = false, guarded_records = true;
  std::thread guarded([&] {
    tg::NoGradGuard no_grad;
    guard_open.count_down();
    other_checked.wait();
    guarded_records = (w * 2.0).requires_grad();
  });
  std::thread other([&] {
    guard_open.wait();
    other_enabled = tg::autograd::is_grad_enabled();
    other_records = (w * 2.0).requires_grad();
    other_checked.count_down();
  });
  guarded.join();
  other.join();
  CHECK(other_enabled);
  CHECK(other_records);
  CHECK_FALSE(guarded_records);
  CHECK(tg::autograd::is_grad_enabled());  // nor the main thread
}

TEST_CASE("a new thread starts with grad mode on even if its creator is inside a NoGradGuard") {
  tg::NoGradGuard no_grad;
  bool enabled = false;
  std::thread([&] { enabled = tg::autograd::is_grad_enabled(); }).join();
  CHECK(enabled);
  CHECK_FALSE(tg::autograd::is_grad_enabled());
}

TEST_CASE("two threads build and run backward on separate graphs concurrently, many times") {
  constexpr int kIterations = 300;
  std::atomic<int> wrong{0};
  auto worker = [&](double scale) {
    for (int i = 0; i < kIterations; ++i) {
      tg::Tensor x = tg::tensor({0.5, -1.0, 2.0}, tg::kFloat64).requires_grad_();
      tg::Tensor w = tg::full({3}, scale, tg::kFloat64).requires_grad_();
      // loss = sum(tanh(w x) * x) + sum(w^2); checked against the closed form.
      tg::Tensor h = (w * x).tanh();
      tg::Tensor loss = (h * x).sum() + (w * w).sum();
      if (i % 3 == 0) h.retain_grad();
      loss.backward();
      if (i % 3 == 0 && !h.grad().defined()) wrong += 1;
      const auto xs = x.detach().to_vector<double>();
      const auto gw = w.grad().to_vector<double>();
      const auto gx = x.grad().to_vector<double>();
      for (size_t k = 0; k < 3; ++k) {
        const double t = std::tanh(scale * xs[k]);
        const double want_w = xs[k] * xs[k] * (1 - t * t) + 2 * scale;
        const double want_x = t + xs[k] * scale * (1 - t * t);
        if (std::abs(gw[k] - want_w) > 1e-12 || std::abs(gx[k] - want_x) > 1e-12) wrong += 1;
      }
    }
  };
  std::thread a(worker, 0.3), b(worker, -1.7);
  a.join();
  b.join();
  CHECK(wrong == 0);
}

TEST_CASE("threads sharing a leaf each get their own gradients from autograd::grad") {
  // Hogwild style: the parameter is shared, the graphs are not, and .grad is never written.
  tg::Tensor w = tg::tensor({1.0, 2.0}, tg::kFloat64).requires_grad_();
  constexpr int kIterations = 300;
  std::atomic<int> wrong{0};
  auto worker = [&](double input) {
    for (int i = 0; i < kIterations; ++i) {
      const tg::Tensor x = tg::full({2}, input, tg::kFloat64);
      const tg::Tensor loss = (w * x * x).sum();
      const std::vector<tg::Tensor> grads = tg::autograd::grad({loss}, {w});
      const auto g = grads[0].to_vector<double>();
      if (g[0] != input * input || g[1] != input * input) wrong += 1;
    }
  };
  std::thread a(worker, 3.0), b(worker, -0.5);
  a.join();
  b.join();
  CHECK(wrong == 0);
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("random draws from two threads keep the generator consistent") {
  tg::manual_seed(99);
  std::atomic<int> out_of_range{0};
  auto worker = [&] {
    for (int i = 0; i < 50; ++i)
      for (float v : tg::rand({200}).to_vector<float>())
        if (!(v >= 0.0f && v < 1.0f)) out_of_range += 1;
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  CHECK(out_of_range == 0);
}

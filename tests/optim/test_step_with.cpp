// Optimizer::step_with: explicit gradients instead of .grad, and Hogwild use from
// several threads on shared parameters (Note [Hogwild steps] in optim/optimizer.cpp).
#include <doctest/doctest.h>

#include <memory>
#include <thread>

#include <tapegrad/tapegrad.h>

#include "../support/fixtures.h"

using namespace tg::optim;

namespace {
// Rows of a 6 x 3 table, duplicates on purpose.
tg::Tensor sparse_rows(const std::vector<int64_t>& rows, double scale) {
  return fixtures::row_gradient(rows, fixtures::cyclic_values(static_cast<int64_t>(rows.size()), 3, scale, 5, 1.5), 6);
}

// The same gradients through step() (via .grad) and through step_with: equal tables.
template <class Make> void check_step_with_equals_step(Make make) {
  tg::manual_seed(3);
  const tg::Tensor a0 = tg::randn({6, 3}, tg::kFloat64), b0 = tg::randn({6, 3}, tg::kFloat64);
  tg::Tensor a1 = a0.clone().requires_grad_(), b1 = b0.clone().requires_grad_();
  tg::Tensor a2 = a0.clone().requires_grad_(), b2 = b0.clone().requires_grad_();
  auto by_grad = make(std::vector<tg::Tensor>{a1, b1});
  auto by_list = make(std::vector<tg::Tensor>{a2, b2});
  const std::vector<std::vector<int64_t>> steps{{0, 2, 2}, {5, 1}, {3, 3, 4, 0}};
  for (size_t s = 0; s < steps.size(); ++s) {
    const tg::Tensor ga = sparse_rows(steps[s], 0.5), gb = sparse_rows(steps[(s + 1) % steps.size()], -0.25);
    a1.mutable_grad() = ga;
    b1.mutable_grad() = gb;
    by_grad->step();
    by_list->step_with({ga, gb});
    CHECK_FALSE(a2.grad().defined());  // step_with never reads or writes .grad
  }
  const auto x = a1.detach().to_vector<double>(), y = a2.detach().to_vector<double>();
  const auto u = b1.detach().to_vector<double>(), v = b2.detach().to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(x[i] == y[i]);
    CHECK(u[i] == v[i]);
  }
}
}  // namespace

TEST_CASE("step_with equals step() given the same gradients, for SGD, Adagrad and SparseAdam") {
  check_step_with_equals_step([](std::vector<tg::Tensor> p) { return std::make_unique<SGD>(p, SGDOptions(0.1)); });
  check_step_with_equals_step([](std::vector<tg::Tensor> p) {
    return std::make_unique<SGD>(p, SGDOptions(0.1).momentum(0.9));
  });
  check_step_with_equals_step([](std::vector<tg::Tensor> p) {
    return std::make_unique<Adagrad>(p, AdagradOptions(0.1).lr_decay(0.1));
  });
  check_step_with_equals_step([](std::vector<tg::Tensor> p) {
    return std::make_unique<SparseAdam>(p, SparseAdamOptions(0.01));
  });
}

TEST_CASE("step_with skips parameters whose gradient is undefined") {
  tg::Tensor a = tg::ones({2, 2}).requires_grad_(), b = tg::ones({2, 2}).requires_grad_();
  SGD sgd({a, b}, SGDOptions(0.5));
  sgd.step_with({tg::full({2, 2}, 2.0), tg::Tensor()});
  CHECK(a.detach().to_vector<float>() == std::vector<float>{0, 0, 0, 0});
  CHECK(b.detach().to_vector<float>() == std::vector<float>{1, 1, 1, 1});
}

TEST_CASE("step_with refuses a gradient list of the wrong length or a gradient of the wrong shape") {
  tg::Tensor a = tg::ones({2, 2}).requires_grad_(), b = tg::ones({3}).requires_grad_();
  SGD sgd({a, b}, SGDOptions(0.5));
  CHECK_THROWS_WITH_AS(sgd.step_with({tg::ones({2, 2})}), doctest::Contains("got 1 gradients; expected one per parameter (2)"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(sgd.step_with({tg::ones({2, 2}), tg::ones({4})}), doctest::Contains("expected the parameter's shape"),
                       tg::ValueError);
  // Refused before any parameter changed.
  CHECK(a.detach().to_vector<float>() == std::vector<float>{1, 1, 1, 1});
  SparseAdam adam({a, b});
  CHECK_THROWS_AS(adam.step_with({tg::ones({2, 2}), tg::Tensor()}), tg::TypeError);
}

TEST_CASE("step_with with gradients from autograd::grad trains word2vec's loss") {
  tg::manual_seed(5);
  tg::nn::Embedding in(tg::nn::EmbeddingOptions(10, 4).sparse(true)), out(tg::nn::EmbeddingOptions(10, 4).sparse(true));
  SGD sgd({in.weight, out.weight}, SGDOptions(0.1));
  const tg::Tensor centers = tg::tensor({1, 2}, tg::kInt64), targets = tg::tensor({{3, 7, 8}, {4, 9, 7}}, tg::kInt64);
  const tg::Tensor sign = tg::tensor({{1.f, -1.f, -1.f}, {1.f, -1.f, -1.f}});
  auto loss_now = [&] {
    const tg::Tensor scores = tg::bmm(out(targets), in(centers).unsqueeze(2)).squeeze(2);
    return -(scores * sign).logsigmoid().sum();
  };
  const float first = loss_now().item<float>();
  for (int i = 0; i < 20; ++i) sgd.step_with(tg::autograd::grad({loss_now()}, {in.weight, out.weight}));
  CHECK(loss_now().item<float>() < first);
  CHECK_FALSE(in.weight.grad().defined());
}

TEST_CASE("two threads stepping shared tables with step_with (Hogwild) run and both train") {
  for (const char* which : {"sgd", "adagrad", "sparse_adam"}) {
    CAPTURE(which);
    tg::manual_seed(9);
    tg::nn::Embedding in(tg::nn::EmbeddingOptions(50, 8).sparse(true)), out(tg::nn::EmbeddingOptions(50, 8).sparse(true));
    std::unique_ptr<Optimizer> opt;
    if (std::string(which) == "sgd") opt = std::make_unique<SGD>(std::vector<tg::Tensor>{in.weight, out.weight}, SGDOptions(0.05));
    else if (std::string(which) == "adagrad")
      opt = std::make_unique<Adagrad>(std::vector<tg::Tensor>{in.weight, out.weight}, AdagradOptions(0.05));
    else opt = std::make_unique<SparseAdam>(std::vector<tg::Tensor>{in.weight, out.weight}, SparseAdamOptions(0.01));
    const tg::Tensor before = in.weight.detach().clone();
    auto work = [&](int64_t offset) {
      for (int step = 0; step < 200; ++step) {
        const tg::Tensor centers = tg::tensor({(offset + step) % 50, (offset + 3 * step) % 50}, tg::kInt64);
        const tg::Tensor targets = tg::tensor({{(step + 1) % 50, (step * 7) % 50}, {(step + 2) % 50, 0}}, tg::kInt64);
        const tg::Tensor sign = tg::tensor({{1.f, -1.f}, {1.f, -1.f}});
        const tg::Tensor scores = tg::bmm(out(targets), in(centers).unsqueeze(2)).squeeze(2);
        const tg::Tensor loss = -(scores * sign).logsigmoid().sum();
        opt->step_with(tg::autograd::grad({loss}, {in.weight, out.weight}));
      }
    };
    std::thread t1(work, 0), t2(work, 25);
    t1.join();
    t2.join();
    CHECK_FALSE(in.weight.grad().defined());
    CHECK((in.weight.detach() - before).abs().sum().item<float>() > 0);
    if (std::string(which) != "sgd") {
      // Each call counted exactly once: 2 threads x 200 steps.
      const OptimizerStateDict state = opt->state_dict();
      CHECK(state.state.at(0).at("step").item<int64_t>() == 400);
    }
  }
}

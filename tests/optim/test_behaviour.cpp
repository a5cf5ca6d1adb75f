// Behaviour beyond single trajectories: sparse steps equal dense ones where the maths
// says so, laziness, empty gradients, zero_grad, groups and hand-derived values.
#include <doctest/doctest.h>

#include <cmath>

#include <tapegrad/tapegrad.h>

#include "../support/fixtures.h"

using namespace tg::optim;

namespace {
// V = 6 rows of width D = 3; duplicates in the index list on purpose.
tg::Tensor sparse_rows(const std::vector<int64_t>& rows, double scale) {
  return fixtures::row_gradient(rows, fixtures::cyclic_values(static_cast<int64_t>(rows.size()), 3, scale, 7, 2.5), 6);
}
const std::vector<std::vector<int64_t>> kSteps{{1, 3, 1, 4}, {4, 1, 0}, {}, {2, 2, 2, 5}, {5, 0, 5, 3, 3}};

// Runs the same steps twice, sparse and densified, and compares the parameters.
template <class MakeOptimizer> void check_sparse_equals_dense(MakeOptimizer make) {
  tg::manual_seed(7);
  const tg::Tensor start = tg::randn({6, 3}, tg::kFloat64);
  tg::Tensor sparse_param = start.clone().requires_grad_(), dense_param = start.clone().requires_grad_();
  auto sparse_opt = make(sparse_param);
  auto dense_opt = make(dense_param);
  for (size_t s = 0; s < kSteps.size(); ++s) {
    const tg::Tensor g = sparse_rows(kSteps[s], 0.3 + 0.1 * static_cast<double>(s));
    sparse_param.mutable_grad() = g;
    dense_param.mutable_grad() = g.to_dense();
    sparse_opt.step();
    dense_opt.step();
    const std::vector<double> a = sparse_param.detach().to_vector<double>(), b = dense_param.detach().to_vector<double>();
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-13));
  }
}
}  // namespace

TEST_CASE("sparse SGD steps equal dense steps on the densified gradient, with every momentum option") {
  check_sparse_equals_dense([](tg::Tensor p) { return SGD({p}, SGDOptions(0.1)); });
  check_sparse_equals_dense([](tg::Tensor p) { return SGD({p}, SGDOptions(0.1).momentum(0.9).dampening(0.3)); });
  check_sparse_equals_dense([](tg::Tensor p) { return SGD({p}, SGDOptions(0.1).momentum(0.9).nesterov(true)); });
  check_sparse_equals_dense([](tg::Tensor p) { return SGD({p}, SGDOptions(0.1).momentum(0.5).maximize(true)); });
}

TEST_CASE("sparse Adagrad steps equal dense steps on the densified gradient") {
  check_sparse_equals_dense([](tg::Tensor p) {
    return Adagrad({p}, AdagradOptions(0.1).lr_decay(0.2).initial_accumulator_value(0.5).eps(1e-6));
  });
  check_sparse_equals_dense([](tg::Tensor p) { return Adagrad({p}, AdagradOptions(0.1).maximize(true)); });
}

TEST_CASE("SGD's sparse momentum buffer stays coalesced and never outgrows the parameter") {
  tg::Tensor w = tg::zeros({6, 3}, tg::kFloat64).requires_grad_();
  SGD sgd({w}, SGDOptions(0.01).momentum(0.9));
  for (int s = 0; s < 50; ++s) {
    w.mutable_grad() = sparse_rows({s % 6, (s + 1) % 6, s % 6, s % 6}, 1.0);
    sgd.step();
  }
  const tg::Tensor buffer = sgd.state_dict().state.at(0).at("momentum_buffer");
  CHECK(buffer.is_sparse());
  CHECK(buffer.is_coalesced());
  CHECK(buffer._nnz() <= 6);
}

TEST_CASE("Adagrad sums duplicate indices before squaring") {
  // indices [0, 0] with value 1 each: G = 2, sum = 4, update -lr * 2 / sqrt(4) = -1 * lr
  tg::Tensor w = tg::zeros({2, 1}, tg::kFloat64).requires_grad_();
  Adagrad adagrad({w}, AdagradOptions(1.0).eps(0));
  w.mutable_grad() = tg::sparse_coo_tensor(tg::tensor({{0, 0}}, tg::kInt64), tg::ones({2, 1}, tg::kFloat64), {2, 1});
  adagrad.step();
  CHECK(w.to_vector<double>() == std::vector<double>{-1.0, 0.0});
  CHECK(adagrad.state_dict().state.at(0).at("sum").to_vector<double>() == std::vector<double>{4.0, 0.0});
}

TEST_CASE("SparseAdam corrects a row first touched late with the parameter's step count") {
  // beta = (0.9, 0.999), lr 0.1, g = 1 at step 10 only: m = 0.1, v = 0.001,
  // step = 0.1 * sqrt(1 - 0.999^10) / (1 - 0.9^10) * 0.1 / sqrt(0.001) = 0.0484 (SparseAdam's update, optim/sparse_adam.cpp)
  tg::Tensor w = tg::zeros({2, 1}, tg::kFloat64).requires_grad_();
  SparseAdam adam({w}, SparseAdamOptions(0.1));
  for (int s = 1; s <= 10; ++s) {
    const int64_t row = s == 10 ? 1 : 0;
    w.mutable_grad() = tg::sparse_coo_tensor(tg::tensor({{row}}, tg::kInt64),
                                             tg::tensor({{s == 10 ? 1.0 : 0.0}}, tg::kFloat64), {2, 1});
    adam.step();
  }
  const double expected = -0.1 * std::sqrt(1 - std::pow(0.999, 10)) / (1 - std::pow(0.9, 10)) * 0.1 /
                          (std::sqrt(0.001) + 1e-8);
  CHECK(w.to_vector<double>()[1] == doctest::Approx(expected).epsilon(1e-12));
  CHECK(expected == doctest::Approx(-0.0484).epsilon(1e-3));
}

TEST_CASE("SparseAdam leaves rows outside the gradient untouched, moments included") {
  tg::Tensor w = tg::ones({6, 3}, tg::kFloat64).requires_grad_();
  SparseAdam adam({w});
  w.mutable_grad() = sparse_rows({1, 3, 1}, 1.0);
  adam.step();
  w.mutable_grad() = sparse_rows({3}, 1.0);
  adam.step();
  const OptimizerStateDict dict = adam.state_dict();
  const std::vector<double> m = dict.state.at(0).at("exp_avg").to_vector<double>();
  const std::vector<double> theta = w.to_vector<double>();
  for (int64_t row : {0, 2, 4, 5})
    for (int c = 0; c < 3; ++c) {
      CHECK(m[row * 3 + c] == 0.0);
      CHECK(theta[row * 3 + c] == 1.0);
    }
  CHECK(m[1 * 3 + 1] != 0.0);  // row 1 keeps its moment from step 1: no decay at step 2
  CHECK(m[1 * 3 + 1] == doctest::Approx(0.1 * ((1 - 2.5) + (0 - 2.5))).epsilon(1e-12));  // entries 1 and 7
}

TEST_CASE("an empty sparse gradient counts the step but changes nothing") {
  tg::Tensor w = tg::ones({6, 3}, tg::kFloat64).requires_grad_();
  SparseAdam adam({w});
  Adagrad adagrad({w});
  w.mutable_grad() = tg::sparse_coo_tensor(tg::zeros({1, 0}, tg::kInt64), tg::zeros({0, 3}, tg::kFloat64), {6, 3});
  adam.step();
  adagrad.step();
  CHECK(w.sum().item<double>() == 18.0);
  CHECK(adam.state_dict().state.at(0).at("step").item<int64_t>() == 1);
  CHECK(adagrad.state_dict().state.at(0).at("step").item<int64_t>() == 1);
}

TEST_CASE("parameters without a gradient are skipped: no state, no coasting") {
  tg::Tensor a = tg::zeros({2}, tg::kFloat64).requires_grad_(), b = tg::zeros({2}, tg::kFloat64).requires_grad_();
  SGD sgd({a, b}, SGDOptions(1.0).momentum(0.9));
  a.mutable_grad() = tg::ones({2}, tg::kFloat64);
  sgd.step();
  CHECK(sgd.state_dict().state.count(1) == 0);
  sgd.zero_grad();
  sgd.step();  // a has no gradient now: its momentum does not move it
  CHECK(a.to_vector<double>() == std::vector<double>{-1.0, -1.0});
}

TEST_CASE("zero_grad sets gradients to none by default, or zeroes them in place") {
  tg::Tensor dense = tg::zeros({6, 3}, tg::kFloat64).requires_grad_();
  tg::Tensor sparse = tg::zeros({6, 3}, tg::kFloat64).requires_grad_();
  SGD sgd({dense, sparse}, SGDOptions(0.1));
  dense.mutable_grad() = tg::ones({6, 3}, tg::kFloat64);
  sparse.mutable_grad() = sparse_rows({1, 2}, 1.0);
  const tg::Tensor dense_grad = dense.grad(), sparse_grad = sparse.grad();
  sgd.zero_grad(/*set_to_none=*/false);
  CHECK(dense.grad().is_same(dense_grad));
  CHECK(dense_grad.sum().item<double>() == 0.0);
  CHECK(sparse_grad.is_sparse());
  CHECK(sparse_grad._nnz() == 0);  // the same object, seen through an earlier handle
  CHECK(sparse.grad()._nnz() == 0);
  sgd.zero_grad();
  CHECK_FALSE(dense.grad().defined());
  CHECK_FALSE(sparse.grad().defined());
}

TEST_CASE("zero_grad(false) detaches a gradient that carries history, in place") {
  tg::Tensor w = tg::zeros({2}, tg::kFloat64).requires_grad_();
  tg::Tensor x = tg::ones({2}, tg::kFloat64).requires_grad_();
  w.mutable_grad() = x * 2.0;
  const tg::Tensor held = w.grad();
  SGD sgd({w}, SGDOptions(0.1));
  sgd.zero_grad(/*set_to_none=*/false);
  CHECK(w.grad().is_same(held));
  CHECK(held.is_leaf());
  CHECK_FALSE(held.requires_grad());
  CHECK(held.to_vector<double>() == std::vector<double>{0.0, 0.0});
}

TEST_CASE("a zero gradient still runs the update; Adam moves on its momentum") {
  tg::Tensor w = tg::zeros({1}, tg::kFloat64).requires_grad_();
  Adam adam({w}, AdamOptions(0.1));
  w.mutable_grad() = tg::ones({1}, tg::kFloat64);
  adam.step();
  const double after_one = w.item<double>();
  adam.zero_grad(false);
  adam.step();
  CHECK(w.item<double>() < after_one);
}

TEST_CASE("param groups carry their own options and their lr can be changed") {
  tg::Tensor a = tg::zeros({1}, tg::kFloat64).requires_grad_(), b = tg::zeros({1}, tg::kFloat64).requires_grad_();
  SGD sgd(std::vector<ParamGroup>{ParamGroup({a}), ParamGroup({b}, SGDOptions(1.0))}, SGDOptions(0.1));
  CHECK(sgd.param_groups()[0].lr() == 0.1);
  CHECK(sgd.param_groups()[1].lr() == 1.0);
  a.mutable_grad() = tg::ones({1}, tg::kFloat64);
  b.mutable_grad() = tg::ones({1}, tg::kFloat64);
  sgd.step();
  CHECK(a.item<double>() == doctest::Approx(-0.1));
  CHECK(b.item<double>() == doctest::Approx(-1.0));
  sgd.param_groups()[0].set_lr(0.5);
  sgd.step();
  CHECK(a.item<double>() == doctest::Approx(-0.6));
  tg::Tensor c = tg::zeros({1}, tg::kFloat64).requires_grad_();
  sgd.add_param_group(ParamGroup({c}));
  CHECK(sgd.param_groups().size() == 3);
  CHECK(sgd.param_groups()[2].lr() == 0.1);  // the defaults fill a group given without options
}

TEST_CASE("SGD trains through backward: loss = sum(w * w) halves w at lr 0.25") {
  tg::Tensor w = tg::tensor({2.0, -4.0}, tg::kFloat64).requires_grad_();
  SGD sgd({w}, SGDOptions(0.25));
  ((w * w).sum()).backward();  // dL/dw = 2w
  sgd.step();
  CHECK(w.to_vector<double>() == std::vector<double>{1.0, -2.0});
  CHECK(w.is_leaf());
  CHECK(w.grad_fn_name().empty());
}

TEST_CASE("step runs the closure with grad enabled and returns its loss") {
  tg::Tensor w = tg::tensor({3.0}, tg::kFloat64).requires_grad_();
  SGD sgd({w}, SGDOptions(0.5));
  const tg::Tensor loss = sgd.step([&] {
    sgd.zero_grad();
    tg::Tensor l = (w * w).sum();
    l.backward();
    return l;
  });
  CHECK(loss.item<double>() == 9.0);
  CHECK(w.item<double>() == 0.0);  // 3 - 0.5 * 6
}

TEST_CASE("a non-contiguous parameter is updated through its strides") {
  const tg::Tensor base = tg::zeros({3, 2}, tg::kFloat64);
  tg::Tensor w = base.t().detach().requires_grad_();  // (2, 3), transposed strides
  REQUIRE_FALSE(w.is_contiguous());
  Adagrad adagrad({w}, AdagradOptions(1.0).eps(0));
  w.mutable_grad() = tg::sparse_coo_tensor(tg::tensor({{1}}, tg::kInt64), tg::tensor({{1.0, 2.0, 3.0}}, tg::kFloat64),
                                           {2, 3});
  adagrad.step();
  CHECK(w.to_vector<double>() == std::vector<double>{0, 0, 0, -1, -1, -1});
  CHECK(base.to_vector<double>() == std::vector<double>{0, -1, 0, -1, 0, -1});  // storage is shared
}

TEST_CASE("a gradient that is the parameter itself is read before the step writes it") {
  // d = p: SGD takes p - 0.25 p; with momentum the first buffer is d itself.
  for (const double momentum : {0.0, 0.9}) {
    CAPTURE(momentum);
    tg::Tensor p = tg::tensor({1.0f, 2.0f, 4.0f}).requires_grad_();
    SGD opt({p}, SGDOptions(0.25).momentum(momentum));
    p.mutable_grad() = p.detach();
    opt.step();
    CHECK(p.detach().to_vector<float>() == std::vector<float>{0.75f, 1.5f, 3.0f});
  }
}

TEST_CASE("step bumps the parameter's version") {
  tg::Tensor w = tg::zeros({2}, tg::kFloat64).requires_grad_();
  SGD sgd({w}, SGDOptions(0.1));
  w.mutable_grad() = tg::ones({2}, tg::kFloat64);
  const uint32_t before = w.version();
  sgd.step();
  CHECK(w.version() > before);
}

TEST_CASE("state_dict follows PyTorch's layout: positions, options and per-parameter state") {
  tg::Tensor a = tg::zeros({2}, tg::kFloat64).requires_grad_(), b = tg::zeros({2}, tg::kFloat64).requires_grad_();
  Adam adam({a, b}, AdamOptions(0.01).amsgrad(true));
  b.mutable_grad() = tg::ones({2}, tg::kFloat64);
  adam.step();
  const OptimizerStateDict dict = adam.state_dict();
  CHECK(dict.optimizer == "Adam");
  REQUIRE(dict.param_groups.size() == 1);
  CHECK(dict.param_groups[0].params == std::vector<int64_t>{0, 1});
  CHECK(dict.param_groups[0].options[0] == std::pair<std::string, double>{"lr", 0.01});
  CHECK(dict.state.count(0) == 0);  // never had a gradient
  CHECK(dict.state.at(1).size() == 4);  // step, exp_avg, exp_avg_sq, max_exp_avg_sq
  CHECK(dict.state.at(1).at("step").item<int64_t>() == 1);
}

// Saving and resuming: N steps, save, load into fresh parameters and a fresh optimizer
// (as a new process would), M more steps == N + M steps without the break.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>

#include <tapegrad/tapegrad.h>

#include "../support/fixtures.h"

using namespace tg::optim;

namespace {
std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("tapegrad_" + std::to_string(::getpid()) + "_" + name)).string();
}

// Step s's gradient for parameter 0 (sparse or dense) and parameter 1 (dense).
tg::Tensor grad_for(int s, bool sparse) {
  const std::vector<int64_t> rows{s % 5, (s * 3) % 5, s % 5};
  std::vector<double> values(rows.size() * 2);
  for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(1.0 + s * 7.0 + static_cast<double>(i));
  const tg::Tensor g = fixtures::row_gradient(rows, tg::from_vector(values, {3, 2}), 5);
  return sparse ? g : g.to_dense();
}

using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(const tg::NamedTensors&)>;

void train(Optimizer& opt, const tg::NamedTensors& params, int from, int to, bool sparse) {
  for (int s = from; s < to; ++s) {
    tg::Tensor emb = params[0].second, bias = params[1].second;  // handles: the same tensors
    emb.mutable_grad() = grad_for(s, sparse);
    bias.mutable_grad() = tg::full({3}, 0.1 * s - 0.2, tg::kFloat64);
    opt.step();
    opt.zero_grad();
  }
}

tg::NamedTensors fresh_params() {
  tg::manual_seed(3);
  return {{"emb.weight", tg::randn({5, 2}, tg::kFloat64).requires_grad_()},
          {"bias", tg::randn({3}, tg::kFloat64).requires_grad_()}};
}

void check_resume(const MakeOptimizer& make, bool sparse, int n = 4, int m = 3) {
  const tg::NamedTensors straight = fresh_params();
  std::unique_ptr<Optimizer> straight_opt = make(straight);
  train(*straight_opt, straight, 0, n + m, sparse);

  const tg::NamedTensors first = fresh_params();
  std::unique_ptr<Optimizer> first_opt = make(first);
  train(*first_opt, first, 0, n, sparse);
  const std::string params_file = temp_path("params.tg"), optim_file = temp_path("optim.tg");
  tg::save(params_file, first);
  tg::save(optim_file, *first_opt);

  tg::NamedTensors resumed = {{"emb.weight", tg::zeros({5, 2}, tg::kFloat64).requires_grad_()},
                              {"bias", tg::zeros({3}, tg::kFloat64).requires_grad_()}};
  std::unique_ptr<Optimizer> resumed_opt = make(resumed);
  tg::load(params_file, resumed);
  tg::load(optim_file, *resumed_opt);
  train(*resumed_opt, resumed, n, n + m, sparse);
  std::filesystem::remove(params_file);
  std::filesystem::remove(optim_file);

  for (size_t p = 0; p < 2; ++p)
    CHECK(resumed[p].second.to_vector<double>() == straight[p].second.to_vector<double>());
}
}  // namespace

TEST_CASE("SGD with momentum resumes exactly, sparse and dense gradients") {
  auto make = [](const tg::NamedTensors& p) {
    return std::make_unique<SGD>(p, SGDOptions(0.1).momentum(0.9).nesterov(true));
  };
  check_resume(make, /*sparse=*/true);
  check_resume(make, /*sparse=*/false);
}

TEST_CASE("SparseAdam resumes exactly, step counts included") {
  check_resume(
      [](const tg::NamedTensors& p) {
        return std::make_unique<SparseAdam>(std::vector<ParamGroup>{ParamGroup(tg::NamedTensors{p[0]})},
                                            SparseAdamOptions(0.05).betas({0.8, 0.9}));
      },
      /*sparse=*/true);
}

TEST_CASE("Adagrad resumes exactly, with per-group options") {
  check_resume(
      [](const tg::NamedTensors& p) {
        return std::make_unique<Adagrad>(
            std::vector<ParamGroup>{ParamGroup(tg::NamedTensors{p[0]}),
                                    ParamGroup(tg::NamedTensors{p[1]}, AdagradOptions(0.3).weight_decay(0.1))},
            AdagradOptions(0.1).lr_decay(0.05).initial_accumulator_value(0.2));
      },
      /*sparse=*/true);
}

TEST_CASE("Adam with amsgrad resumes exactly") {
  check_resume([](const tg::NamedTensors& p) { return std::make_unique<Adam>(p, AdamOptions(0.02).amsgrad(true)); },
               /*sparse=*/false);
}

TEST_CASE("AdamW with amsgrad and weight decay resumes exactly") {
  check_resume(
      [](const tg::NamedTensors& p) {
        return std::make_unique<AdamW>(p, AdamWOptions(0.02).weight_decay(0.1).amsgrad(true));
      },
      /*sparse=*/false);
}

TEST_CASE("RMSprop with momentum and centering resumes exactly, with per-group options") {
  check_resume(
      [](const tg::NamedTensors& p) {
        return std::make_unique<RMSprop>(
            std::vector<ParamGroup>{ParamGroup(tg::NamedTensors{p[0]}),
                                    ParamGroup(tg::NamedTensors{p[1]}, RMSpropOptions(0.02).alpha(0.9))},
            RMSpropOptions(0.01).momentum(0.9).centered(true).weight_decay(0.05));
      },
      /*sparse=*/false);
}

TEST_CASE("RMSprop's state holds square_avg, and momentum_buffer / grad_avg only when in use") {
  tg::Tensor w = tg::zeros({2}, tg::kFloat64).requires_grad_();
  RMSprop rmsprop({w}, RMSpropOptions(0.1));
  w.mutable_grad() = tg::from_vector(std::vector<double>{1.0, -2.0}, {2});
  rmsprop.step();
  const auto dict = rmsprop.state_dict();  // kept: state refers into it
  const auto& state = dict.state.at(0);
  CHECK(state.count("square_avg") == 1);
  CHECK(state.count("momentum_buffer") == 0);
  CHECK(state.count("grad_avg") == 0);
  // square_avg = (1 - alpha) g^2 after one step
  CHECK(state.at("square_avg").to_vector<double>()[1] == doctest::Approx(0.01 * 4.0).epsilon(1e-12));
}

TEST_CASE("loaded options replace the fresh optimizer's, lr included") {
  tg::Tensor w = tg::zeros({2}, tg::kFloat64).requires_grad_();
  SGD saved({w}, SGDOptions(0.1).momentum(0.5));
  saved.param_groups()[0].set_lr(0.025);
  SGD fresh({w}, SGDOptions(1.0));
  fresh.load_state_dict(saved.state_dict());
  CHECK(fresh.param_groups()[0].lr() == 0.025);
  CHECK(static_cast<const SGDOptions&>(fresh.param_groups()[0].options()).momentum() == 0.5);
}

TEST_CASE("optimizer state is refused by another optimizer or another layout of groups") {
  tg::Tensor a = tg::zeros({5, 2}, tg::kFloat64).requires_grad_(), b = tg::zeros({3}, tg::kFloat64).requires_grad_();
  SGD sgd({a}, SGDOptions(0.1).momentum(0.9));
  a.mutable_grad() = grad_for(0, false);
  sgd.step();
  const std::string file = temp_path("mismatch.tg");
  tg::save(file, sgd);
  Adam adam({a});
  CHECK_THROWS_WITH_AS(tg::load(file, adam), doctest::Contains("the state was saved by SGD; expected state saved by Adam"),
                       tg::Error);
  AdamW adamw({a});
  CHECK_THROWS_WITH_AS(tg::load(file, adamw), doctest::Contains("expected state saved by AdamW"), tg::Error);
  SGD two({a, b}, SGDOptions(0.1));
  CHECK_THROWS_WITH_AS(tg::load(file, two), doctest::Contains("doesn't match the size of optimizer's group"),
                       tg::ValueError);
  SGD other_shape({b}, SGDOptions(0.1));
  CHECK_THROWS_AS(tg::load(file, other_shape), tg::Error);
  CHECK(other_shape.state_dict().state.empty());  // a refused load changes nothing
  tg::save(file, tg::ones({1}));
  CHECK_THROWS_WITH_AS(tg::load(file, sgd), doctest::Contains("expected the state of an optimizer"), tg::Error);
  std::filesystem::remove(file);
}

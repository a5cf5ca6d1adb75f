// StepLR and LambdaLR against PyTorch's sequences (hand-derived from its definitions);
// the other schedulers against sequences PyTorch 1.13 computed (gen_schedulers.py
// writes schedulers.txt).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <tapegrad/tapegrad.h>

#include "../support/golden.h"

using namespace tg::optim;

TEST_CASE("StepLR multiplies lr by gamma every step_size epochs") {
  tg::Tensor w = tg::zeros({1}).requires_grad_();
  SGD sgd({w}, SGDOptions(1.0));
  StepLR scheduler(sgd, /*step_size=*/2, /*gamma=*/0.1);
  std::vector<double> lrs;
  for (int epoch = 0; epoch < 6; ++epoch) {
    lrs.push_back(sgd.param_groups()[0].lr());
    sgd.step();
    scheduler.step();
  }
  // torch: [1, 1, 0.1, 0.1, 0.01, 0.01]
  const std::vector<double> expected{1, 1, 0.1, 0.1, 0.01, 0.01};
  for (size_t i = 0; i < lrs.size(); ++i) CHECK(lrs[i] == doctest::Approx(expected[i]).epsilon(1e-15));
  CHECK(scheduler.last_epoch() == 6);
  CHECK(scheduler.get_last_lr()[0] == doctest::Approx(0.001));
}

TEST_CASE("LambdaLR sets base_lr * lambda(epoch): linear decay, one lambda per group") {
  tg::Tensor a = tg::zeros({1}).requires_grad_(), b = tg::zeros({1}).requires_grad_();
  SGD sgd(std::vector<ParamGroup>{ParamGroup({a}), ParamGroup({b}, SGDOptions(0.2))}, SGDOptions(0.5));
  LambdaLR linear(sgd, [](int64_t epoch) { return 1.0 - static_cast<double>(epoch) / 4.0; });
  CHECK(linear.last_epoch() == 0);  // construction performs step 0
  CHECK(sgd.param_groups()[0].lr() == 0.5);
  linear.step();
  linear.step();
  CHECK(sgd.param_groups()[0].lr() == doctest::Approx(0.25));
  CHECK(sgd.param_groups()[1].lr() == doctest::Approx(0.1));
  LambdaLR per_group(sgd, std::vector<LambdaLR::Lambda>{[](int64_t) { return 1.0; }, [](int64_t e) { return e + 1.0; }});
  CHECK(per_group.base_lrs() == std::vector<double>{0.25, 0.1});
  CHECK_THROWS_WITH_AS(LambdaLR(sgd, std::vector<LambdaLR::Lambda>{[](int64_t) { return 1.0; }}),
                       doctest::Contains("expected one per param group (2)"), tg::ValueError);
}

TEST_CASE("StepLR refuses a step_size below 1") {
  tg::Tensor w = tg::zeros({1}).requires_grad_();
  SGD sgd({w}, SGDOptions(1.0));
  CHECK_THROWS_WITH_AS(StepLR(sgd, 0), doctest::Contains("step_size = 0 is invalid; expected step_size >= 1"),
                       tg::ValueError);
}

TEST_CASE("a scheduler resumes from its state dict") {
  tg::Tensor w = tg::zeros({1}).requires_grad_();
  SGD sgd({w}, SGDOptions(1.0));
  StepLR scheduler(sgd, 1, 0.5);
  scheduler.step();
  scheduler.step();
  const tg::NamedTensors state = scheduler.state_dict();
  SGD fresh({w}, SGDOptions(1.0));
  StepLR resumed(fresh, 1, 0.5);
  resumed.load_state_dict(state);
  CHECK(fresh.param_groups()[0].lr() == 0.25);
  resumed.step();
  scheduler.step();
  CHECK(fresh.param_groups()[0].lr() == sgd.param_groups()[0].lr());
  CHECK(resumed.last_epoch() == 3);
}

namespace {

// SGD with two param groups, lr 0.5 and 0.2, as gen_schedulers.py builds it.
struct TwoGroups {
  tg::Tensor a = tg::zeros({1}).requires_grad_(), b = tg::zeros({1}).requires_grad_();
  SGD sgd{std::vector<ParamGroup>{ParamGroup({a}), ParamGroup({b}, SGDOptions(0.2))}, SGDOptions(0.5)};
  std::vector<double> lrs() const { return {sgd.param_groups()[0].lr(), sgd.param_groups()[1].lr()}; }
};

using Scheduler = std::function<void(const std::vector<double>& metrics, size_t i)>;  // one step
using Factory = std::function<Scheduler(Optimizer&)>;

template <class S> Scheduler stepper(std::shared_ptr<S> s) {
  return [s](const std::vector<double>&, size_t) { s->step(); };
}
Scheduler plateau(Optimizer& opt, const ReduceLROnPlateauOptions& options) {
  auto s = std::make_shared<ReduceLROnPlateau>(opt, options);
  return [s](const std::vector<double>& metrics, size_t i) { s->step(metrics[i]); };
}

// The options of each case, as gen_schedulers.py writes them.
const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> map{
      {"exponential", [](Optimizer& o) { return stepper(std::make_shared<ExponentialLR>(o, 0.9)); }},
      {"multistep", [](Optimizer& o) { return stepper(std::make_shared<MultiStepLR>(o, std::vector<int64_t>{2, 5, 5, 9}, 0.5)); }},
      {"cosine", [](Optimizer& o) { return stepper(std::make_shared<CosineAnnealingLR>(o, 10)); }},
      {"cosine_eta_min", [](Optimizer& o) { return stepper(std::make_shared<CosineAnnealingLR>(o, 7, 0.01)); }},
      {"cosine_tmax1", [](Optimizer& o) { return stepper(std::make_shared<CosineAnnealingLR>(o, 1, 0.05)); }},
      {"onecycle", [](Optimizer& o) { return stepper(std::make_shared<OneCycleLR>(o, OneCycleLROptions(1.0, 20).cycle_momentum(false))); }},
      {"onecycle_linear",
       [](Optimizer& o) {
         return stepper(std::make_shared<OneCycleLR>(
             o, OneCycleLROptions(0.3, 17).pct_start(0.25).anneal_strategy("linear").div_factor(10).final_div_factor(100).cycle_momentum(false)));
       }},
      {"onecycle_three_phase",
       [](Optimizer& o) { return stepper(std::make_shared<OneCycleLR>(o, OneCycleLROptions(2.0, 30).three_phase(true).cycle_momentum(false))); }},
      {"plateau_min_rel", [](Optimizer& o) { return plateau(o, ReduceLROnPlateauOptions().patience(2)); }},
      {"plateau_min_abs_cooldown",
       [](Optimizer& o) {
         return plateau(o, ReduceLROnPlateauOptions().factor(0.5).patience(1).threshold(0.02).threshold_mode("abs")
                               .cooldown(2).min_lr(0.03));
       }},
      {"plateau_max_rel",
       [](Optimizer& o) {
         return plateau(o, ReduceLROnPlateauOptions().mode("max").factor(0.3).patience(0).threshold(0.01).min_lr(1e-3));
       }},
      {"plateau_max_abs_eps",
       [](Optimizer& o) {
         return plateau(o, ReduceLROnPlateauOptions().mode("max").factor(0.9).patience(0).threshold_mode("abs")
                               .min_lr(0.19999999).eps(1e-7));
       }},
  };
  return map;
}

}  // namespace

TEST_CASE("ExponentialLR, MultiStepLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau give PyTorch's lrs") {
  const std::vector<std::string> names = golden::schedulers.cases("", "lrs");
  REQUIRE(names.size() == factories().size());
  for (const std::string& name : names) {
    CAPTURE(name);
    const std::vector<double> expected = golden::values_of(golden::schedulers.tensor(name + "/lrs"));
    const std::string metrics_key = name + "/metrics";
    const std::vector<double> metrics = golden::schedulers.has(metrics_key)
                                            ? golden::values_of(golden::schedulers.tensor(metrics_key))
                                            : std::vector<double>{};
    TwoGroups model;
    Scheduler step = factories().at(name)(model.sgd);
    std::vector<double> actual = model.lrs();
    for (size_t i = 0; 2 * (i + 1) < expected.size(); ++i) {
      model.sgd.step();
      step(metrics, i);
      for (double lr : model.lrs()) actual.push_back(lr);
    }
    REQUIRE(actual.size() == expected.size());
    // Cosine: the closed form against PyTorch's recursive update (Note [Cosine closed form]).
    for (size_t i = 0; i < actual.size(); ++i) {
      CAPTURE(i);
      CHECK(std::abs(actual[i] - expected[i]) <= 1e-15 + 1e-13 * std::abs(expected[i]));
    }
  }
}

TEST_CASE("OneCycleLR refuses a step past total_steps, as PyTorch, and stays where it was") {
  TwoGroups model;
  OneCycleLR cycle(model.sgd, OneCycleLROptions(1.0, 3));
  for (int i = 0; i < 3; ++i) cycle.step();
  const std::vector<double> lrs = model.lrs();
  CHECK_THROWS_WITH_AS(cycle.step(), doctest::Contains("step 4 is past total_steps = 3"), tg::ValueError);
  CHECK(cycle.last_epoch() == 3);
  CHECK(model.lrs() == lrs);
}

TEST_CASE("new schedulers name a bad option") {
  TwoGroups model;
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(model.sgd, ReduceLROnPlateauOptions().factor(1.0)),
                       doctest::Contains("factor = 1 is invalid; expected 0 <= factor < 1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(model.sgd, ReduceLROnPlateauOptions().mode("lowest")),
                       doctest::Contains("mode = 'lowest' is invalid"), tg::ValueError);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(model.sgd, ReduceLROnPlateauOptions().threshold_mode("relative")),
                       doctest::Contains("threshold_mode = 'relative' is invalid"), tg::ValueError);
  CHECK_THROWS_WITH_AS(CosineAnnealingLR(model.sgd, 0), doctest::Contains("T_max = 0 is invalid; expected T_max >= 1"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(ExponentialLR(model.sgd, -0.5), doctest::Contains("gamma = -0.5 is invalid"), tg::ValueError);
  CHECK_THROWS_WITH_AS(OneCycleLR(model.sgd, OneCycleLROptions(1.0, 0)), doctest::Contains("total_steps = 0 is invalid"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(OneCycleLR(model.sgd, OneCycleLROptions(1.0, 10).pct_start(1.5)),
                       doctest::Contains("pct_start = 1.5 is invalid"), tg::ValueError);
  CHECK_THROWS_WITH_AS(OneCycleLR(model.sgd, OneCycleLROptions(1.0, 10).anneal_strategy("cosine")),
                       doctest::Contains("anneal_strategy = 'cosine' is invalid"), tg::ValueError);
  CHECK(model.lrs() == std::vector<double>{0.5, 0.2});  // a refused scheduler leaves the lrs alone
}

TEST_CASE("ReduceLROnPlateau resumes from its state dict") {
  TwoGroups model;
  ReduceLROnPlateau plateau(model.sgd, ReduceLROnPlateauOptions().patience(1).cooldown(1));
  for (double metric : {1.0, 2.0}) plateau.step(metric);  // best 1, one bad epoch
  const tg::NamedTensors state = plateau.state_dict();
  TwoGroups fresh;
  ReduceLROnPlateau resumed(fresh.sgd, ReduceLROnPlateauOptions().patience(1).cooldown(1));
  resumed.load_state_dict(state);
  CHECK(resumed.best() == 1.0);
  CHECK(resumed.num_bad_epochs() == 1);
  CHECK(resumed.last_epoch() == 2);
  resumed.step(3.0);  // the second bad epoch exceeds patience 1: lr * 0.1
  CHECK(fresh.lrs()[0] == doctest::Approx(0.05).epsilon(1e-15));
  resumed.step(4.0);  // cooldown: not counted
  resumed.step(5.0);
  CHECK(fresh.lrs()[0] == doctest::Approx(0.05).epsilon(1e-15));
  CHECK_THROWS_WITH_AS(resumed.load_state_dict({}), doctest::Contains("no 'last_epoch'"), tg::Error);
}

TEST_CASE("OneCycleLR resumes from its state dict") {
  TwoGroups model;
  OneCycleLR cycle(model.sgd, OneCycleLROptions(1.0, 10));
  for (int i = 0; i < 4; ++i) cycle.step();
  TwoGroups fresh;
  OneCycleLR resumed(fresh.sgd, OneCycleLROptions(1.0, 10));
  resumed.load_state_dict(cycle.state_dict());
  CHECK(fresh.lrs() == model.lrs());
  cycle.step();
  resumed.step();
  CHECK(fresh.lrs() == model.lrs());
}

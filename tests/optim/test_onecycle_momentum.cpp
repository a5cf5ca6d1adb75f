// OneCycleLR cycles momentum (beta1 for Adam and AdamW) against the lr, as PyTorch does
// by default: sequences PyTorch 1.13 computed (gen_schedulers.py, the
// onecycle_momentum/* cases of schedulers.txt).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <tapegrad/tapegrad.h>

#include "../support/golden.h"

using namespace tg::optim;

namespace {

double momentum_of(const ParamGroup& group) {
  double momentum = std::nan("");
  bool has_beta1 = false;
  group.options().for_each_field([&](const OptionField& field) {
    if (std::string_view(field.name) == "beta1") {
      momentum = field.value;
      has_beta1 = true;
    } else if (std::string_view(field.name) == "momentum" && !has_beta1) {
      momentum = field.value;
    }
  });
  return momentum;
}

// Two groups, lr 0.5 and 0.2, as gen_schedulers.py's run_momentum builds them; the
// optimizer and the scheduler's options of each case.
struct Case {
  std::function<std::unique_ptr<Optimizer>(std::vector<ParamGroup>)> optimizer;
  OneCycleLROptions options;
};

const std::map<std::string, Case>& cases() {
  static const std::map<std::string, Case> all{
      {"sgd", {[](auto groups) { return std::make_unique<SGD>(groups, SGDOptions(0.5).momentum(0.9)); },
               OneCycleLROptions(1.0, 20)}},
      {"sgd_no_momentum", {[](auto groups) { return std::make_unique<SGD>(groups, SGDOptions(0.5)); },
                           OneCycleLROptions(0.4, 11).pct_start(0.4).anneal_strategy("linear")}},
      {"rmsprop", {[](auto groups) { return std::make_unique<RMSprop>(groups, RMSpropOptions(0.5).momentum(0.5)); },
                   OneCycleLROptions(1.0, 15).base_momentum(0.7).max_momentum(0.8).three_phase(true)}},
      {"adam", {[](auto groups) { return std::make_unique<Adam>(groups, AdamOptions(0.5).betas({0.9, 0.99})); },
                OneCycleLROptions(0.01, 25).base_momentum(0.8).max_momentum(0.92)}},
      {"adamw", {[](auto groups) { return std::make_unique<AdamW>(groups, AdamWOptions(0.5)); },
                 OneCycleLROptions(2.0, 12).three_phase(true).anneal_strategy("linear")}},
  };
  return all;
}

}  // namespace

TEST_CASE("OneCycleLR cycles SGD's and RMSprop's momentum and Adam's and AdamW's beta1 as PyTorch") {
  const std::vector<std::string> names = golden::schedulers.cases("onecycle_momentum/", "momenta");
  REQUIRE(names.size() == cases().size());
  for (const std::string& key : names) {
    CAPTURE(key);
    const Case& c = cases().at(key.substr(std::string("onecycle_momentum/").size()));
    tg::Tensor a = tg::zeros({1}).requires_grad_(), b = tg::zeros({1}).requires_grad_();
    std::unique_ptr<Optimizer> optimizer = c.optimizer({ParamGroup({a}), ParamGroup({b})});
    optimizer->param_groups()[1].set_lr(0.2);
    OneCycleLR scheduler(*optimizer, c.options);
    const std::vector<double> lrs = golden::values_of(golden::schedulers.tensor(key + "/cycle_lrs"));
    const std::vector<double> momenta = golden::values_of(golden::schedulers.tensor(key + "/momenta"));
    for (size_t step = 0; 2 * step < lrs.size(); ++step) {
      CAPTURE(step);
      if (step > 0) {
        optimizer->step();
        scheduler.step();
      }
      for (size_t g = 0; g < 2; ++g) {
        const ParamGroup& group = optimizer->param_groups()[g];
        CHECK(std::abs(group.lr() - lrs[2 * step + g]) <= 1e-15 + 1e-13 * std::abs(lrs[2 * step + g]));
        CHECK(std::abs(momentum_of(group) - momenta[2 * step + g]) <= 1e-15 + 1e-13 * momenta[2 * step + g]);
      }
    }
  }
}

TEST_CASE("OneCycleLR leaves momentum alone with cycle_momentum(false) and keeps beta2") {
  tg::Tensor w = tg::zeros({1}).requires_grad_();
  SGD sgd({w}, SGDOptions(0.1).momentum(0.3));
  OneCycleLR plain(sgd, OneCycleLROptions(1.0, 5).cycle_momentum(false));
  plain.step();
  CHECK(momentum_of(sgd.param_groups()[0]) == 0.3);
  Adam adam({w}, AdamOptions(0.1).betas({0.5, 0.75}));
  OneCycleLR cycled(adam, OneCycleLROptions(1.0, 5));
  CHECK(momentum_of(adam.param_groups()[0]) == 0.95);
  CHECK(std::get<1>(static_cast<const AdamOptions&>(adam.param_groups()[0].options()).betas()) == 0.75);
}

TEST_CASE("OneCycleLR refuses to cycle momentum on an optimizer without it, and momenta out of range") {
  tg::Tensor w = tg::zeros({1}).requires_grad_();
  Adagrad adagrad({w}, AdagradOptions(0.1));
  CHECK_THROWS_WITH_AS(OneCycleLR(adagrad, OneCycleLROptions(1.0, 10)),
                       doctest::Contains("cycle_momentum = true needs an optimizer with momentum or betas"),
                       tg::ValueError);
  CHECK(adagrad.param_groups()[0].lr() == 0.1);  // refused before any lr was set
  OneCycleLR without(adagrad, OneCycleLROptions(1.0, 10).cycle_momentum(false));
  CHECK(adagrad.param_groups()[0].lr() == doctest::Approx(0.04));
  Adam adam({w}, AdamOptions(0.1));
  CHECK_THROWS_WITH_AS(OneCycleLR(adam, OneCycleLROptions(1.0, 10).max_momentum(1.0)),
                       doctest::Contains("max_momentum = 1 is invalid for the optimizer's beta1; expected a number in [0, 1)"),
                       tg::ValueError);
  SGD sgd({w}, SGDOptions(0.1));
  CHECK_THROWS_WITH_AS(OneCycleLR(sgd, OneCycleLROptions(1.0, 10).base_momentum(-0.5)),
                       doctest::Contains("base_momentum = -0.5 is invalid for the optimizer's momentum"), tg::ValueError);
}

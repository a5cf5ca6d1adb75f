// StepLR and LambdaLR against PyTorch's sequences (hand-derived from its definitions).
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

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

// Every refusal PyTorch's optimizers make (docs/optimizers.md, "Refusals"): the error kind, and the part of the message a user
// relies on (the option, its value, the valid range or what to use instead).
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include "../support/fixtures.h"

using namespace tg::optim;

namespace {
tg::Tensor leaf(tg::Shape shape = {4, 2}) { return tg::zeros(shape, tg::kFloat64).requires_grad_(); }
tg::Tensor row_grad(const std::vector<int64_t>& rows, int64_t num_rows = 4) {
  return fixtures::row_gradient(rows, tg::ones({static_cast<int64_t>(rows.size()), 2}, tg::kFloat64), num_rows);
}
}  // namespace

TEST_CASE("invalid hyperparameters raise ValueError naming option, value and range") {
  const std::vector<tg::Tensor> p{leaf()};
  CHECK_THROWS_WITH_AS(SGD(p, SGDOptions(-1)), doctest::Contains("lr = -1 is invalid; expected lr >= 0"), tg::ValueError);
  CHECK_THROWS_WITH_AS(SGD(p, SGDOptions(0.1).momentum(-0.5)), doctest::Contains("momentum = -0.5"), tg::ValueError);
  CHECK_THROWS_WITH_AS(SGD(p, SGDOptions(0.1).weight_decay(-0.001)),
                       doctest::Contains("weight_decay = -0.001 is invalid; expected weight_decay >= 0"), tg::ValueError);
  CHECK_THROWS_WITH_AS(SGD(p, SGDOptions(0.1).nesterov(true)),
                       doctest::Contains("Nesterov momentum requires a momentum > 0 and zero dampening"), tg::ValueError);
  CHECK_THROWS_WITH_AS(SGD(p, SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)),
                       doctest::Contains("dampening = 0.1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(SparseAdam(p, SparseAdamOptions(0)), doctest::Contains("lr = 0 is invalid; expected lr > 0"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(SparseAdam(p, SparseAdamOptions().eps(0)), doctest::Contains("eps = 0 is invalid; expected eps > 0"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(SparseAdam(p, SparseAdamOptions().betas({1.0, 0.999})),
                       doctest::Contains("betas[0] = 1 is invalid; expected 0 <= beta1 < 1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(Adam(p, AdamOptions().betas({0.9, -0.1})),
                       doctest::Contains("betas[1] = -0.1 is invalid; expected 0 <= beta2 < 1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(Adam(p, AdamOptions().eps(-1)), doctest::Contains("eps = -1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(Adam(p, AdamOptions().weight_decay(-1)), doctest::Contains("weight_decay = -1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(Adagrad(p, AdagradOptions().lr_decay(-1)),
                       doctest::Contains("lr_decay = -1 is invalid; expected lr_decay >= 0"), tg::ValueError);
  CHECK_THROWS_WITH_AS(Adagrad(p, AdagradOptions().initial_accumulator_value(-1)),
                       doctest::Contains("initial_accumulator_value = -1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(Adagrad(p, AdagradOptions().eps(-1)), doctest::Contains("eps = -1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(Adagrad(p, AdagradOptions(std::nan(""))), doctest::Contains("lr = nan"), tg::ValueError);
  CHECK_THROWS_WITH_AS(AdamW(p, AdamWOptions(-0.5)), doctest::Contains("AdamW: lr = -0.5 is invalid; expected lr >= 0"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(AdamW(p, AdamWOptions().eps(-1e-8)), doctest::Contains("eps = -1e-08 is invalid"), tg::ValueError);
  CHECK_THROWS_WITH_AS(AdamW(p, AdamWOptions().betas({0.9, 1.0})),
                       doctest::Contains("betas[1] = 1 is invalid; expected 0 <= beta2 < 1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(AdamW(p, AdamWOptions().weight_decay(-0.01)), doctest::Contains("weight_decay = -0.01"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(RMSprop(p, RMSpropOptions(-1)), doctest::Contains("RMSprop: lr = -1 is invalid; expected lr >= 0"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(RMSprop(p, RMSpropOptions().alpha(-0.5)),
                       doctest::Contains("alpha = -0.5 is invalid; expected alpha >= 0"), tg::ValueError);
  CHECK_THROWS_WITH_AS(RMSprop(p, RMSpropOptions().eps(-1)), doctest::Contains("eps = -1 is invalid; expected eps >= 0"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(RMSprop(p, RMSpropOptions().momentum(-0.9)), doctest::Contains("momentum = -0.9"), tg::ValueError);
  CHECK_THROWS_WITH_AS(RMSprop(p, RMSpropOptions().weight_decay(-1)), doctest::Contains("weight_decay = -1"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(RMSprop(p, RMSpropOptions().alpha(std::nan(""))), doctest::Contains("alpha = nan"),
                       tg::ValueError);
}

TEST_CASE("loaded options obey the same rules, flags load from 0 / 1, unknown options are refused") {
  tg::Tensor w = leaf();
  SGD sgd({w}, SGDOptions(0.1).momentum(0.9));
  OptimizerStateDict dict = sgd.state_dict();
  dict.param_groups[0].options = {{"nesterov", 1.0}, {"dampening", 0.0}};
  sgd.load_state_dict(dict);
  CHECK(static_cast<const SGDOptions&>(sgd.param_groups()[0].options()).nesterov());
  CHECK(static_cast<const SGDOptions&>(sgd.param_groups()[0].options()).momentum() == 0.9);
  dict.param_groups[0].options = {{"momentum", -0.5}};
  CHECK_THROWS_WITH_AS(sgd.load_state_dict(dict), doctest::Contains("momentum = -0.5 is invalid"), tg::ValueError);
  dict.param_groups[0].options = {{"momentum", 0.0}};  // nesterov without momentum
  CHECK_THROWS_WITH_AS(sgd.load_state_dict(dict), doctest::Contains("Nesterov momentum requires"), tg::ValueError);
  dict.param_groups[0].options = {{"betas", 0.5}};
  CHECK_THROWS_WITH_AS(sgd.load_state_dict(dict), doctest::Contains("unknown option 'betas'"), tg::Error);
  CHECK(static_cast<const SGDOptions&>(sgd.param_groups()[0].options()).momentum() == 0.9);  // refused: unchanged
}

TEST_CASE("zero learning rate and eps are allowed where PyTorch allows them") {
  const std::vector<tg::Tensor> p{leaf()};
  CHECK_NOTHROW(SGD(p, SGDOptions(0)));
  CHECK_NOTHROW(Adam(p, AdamOptions(0).eps(0)));
  CHECK_NOTHROW(Adagrad(p, AdagradOptions(0).eps(0)));
}

TEST_CASE("an lr made invalid between steps is refused at the next step") {
  tg::Tensor w = leaf();
  SGD sgd({w}, SGDOptions(0.1));
  sgd.param_groups()[0].set_lr(-2);
  w.mutable_grad() = tg::ones({4, 2}, tg::kFloat64);
  CHECK_THROWS_WITH_AS(sgd.step(), doctest::Contains("lr = -2"), tg::ValueError);
  CHECK(w.sum().item<double>() == 0.0);
}

TEST_CASE("bad parameter lists are refused") {
  CHECK_THROWS_WITH_AS(SGD(std::vector<tg::Tensor>{}, SGDOptions(0.1)),
                       doctest::Contains("optimizer got an empty parameter list"), tg::ValueError);
  tg::Tensor w = leaf();
  CHECK_THROWS_WITH_AS(SGD({w * 2.0}, SGDOptions(0.1)), doctest::Contains("can't optimize a non-leaf Tensor"),
                       tg::ValueError);
  CHECK_THROWS_AS(SGD({tg::Tensor()}, SGDOptions(0.1)), tg::TypeError);
  CHECK_THROWS_AS(SGD({tg::zeros({2}, tg::kInt64)}, SGDOptions(0.1)), tg::TypeError);
  CHECK_THROWS_WITH_AS(SGD(std::vector<ParamGroup>{ParamGroup({w}), ParamGroup({w})}, SGDOptions(0.1)),
                       doctest::Contains("some parameters appear in more than one parameter group"), tg::ValueError);
  CHECK_THROWS_WITH_AS(SGD({w, w}, SGDOptions(0.1)), doctest::Contains("appears twice"), tg::ValueError);
  const tg::Tensor sparse_param = row_grad({0});
  CHECK_THROWS_WITH_AS(SparseAdam({sparse_param}), doctest::Contains("SparseAdam requires dense parameter tensors"),
                       tg::ValueError);
}

TEST_CASE("SGD with weight_decay refuses a sparse gradient and changes nothing") {
  tg::Tensor w = leaf();
  SGD sgd({{"emb.weight", w}}, SGDOptions(0.1).momentum(0.9).weight_decay(0.01));
  w.mutable_grad() = row_grad({1, 1});
  CHECK_THROWS_WITH_AS(sgd.step(), doctest::Contains("'emb.weight' has a sparse gradient"), tg::Error);
  CHECK_THROWS_WITH_AS(sgd.step(), doctest::Contains("param group with weight_decay = 0"), tg::Error);
  CHECK(w.sum().item<double>() == 0.0);
  CHECK(sgd.state_dict().state.empty());  // no momentum buffer was stored
}

TEST_CASE("Adagrad with weight_decay refuses a sparse gradient") {
  tg::Tensor w = leaf();
  Adagrad adagrad({w}, AdagradOptions(0.1).weight_decay(0.1));
  w.mutable_grad() = row_grad({2});
  CHECK_THROWS_WITH_AS(adagrad.step(), doctest::Contains("weight_decay option is not compatible with sparse gradients"),
                       tg::Error);
  CHECK(w.sum().item<double>() == 0.0);
  CHECK(adagrad.state_dict().state.at(0).at("step").item<int64_t>() == 0);
}

TEST_CASE("SparseAdam refuses a dense gradient, naming the parameter and the fix") {
  tg::Tensor w = leaf();
  SparseAdam adam({{"emb.weight", w}});
  w.mutable_grad() = tg::ones({4, 2}, tg::kFloat64);
  CHECK_THROWS_WITH_AS(adam.step(), doctest::Contains("parameter 'emb.weight' has a dense gradient"), tg::TypeError);
  CHECK_THROWS_WITH_AS(adam.step(), doctest::Contains("Build the Embedding with sparse = true"), tg::TypeError);
  CHECK(adam.state_dict().state.empty());
}

TEST_CASE("an unnamed parameter is named by its position in messages") {
  tg::Tensor a = leaf(), b = leaf();
  SparseAdam adam({a, b});
  b.mutable_grad() = tg::ones({4, 2}, tg::kFloat64);
  CHECK_THROWS_WITH_AS(adam.step(), doctest::Contains("parameter 1 (group 0, index 1)"), tg::TypeError);
}

TEST_CASE("Adam refuses a sparse gradient and points to SparseAdam") {
  tg::Tensor w = leaf();
  Adam adam({w});
  w.mutable_grad() = row_grad({0, 3});
  CHECK_THROWS_WITH_AS(adam.step(), doctest::Contains("please consider SparseAdam instead"), tg::TypeError);
  CHECK(adam.state_dict().state.empty());
}

TEST_CASE("AdamW and RMSprop refuse a sparse gradient and point to SparseAdam") {
  tg::Tensor w = leaf();
  AdamW adamw({w});
  RMSprop rmsprop({w});
  w.mutable_grad() = row_grad({1, 1});
  CHECK_THROWS_WITH_AS(adamw.step(), doctest::Contains("AdamW does not support sparse gradients, please consider SparseAdam"),
                       tg::TypeError);
  CHECK_THROWS_WITH_AS(rmsprop.step(),
                       doctest::Contains("RMSprop does not support sparse gradients, please consider SparseAdam"),
                       tg::TypeError);
  CHECK(adamw.state_dict().state.empty());
  CHECK(rmsprop.state_dict().state.empty());
  CHECK(w.to_vector<double>() == std::vector<double>(8, 0.0));
}

TEST_CASE("a refused step leaves every parameter unchanged, also those checked earlier") {
  tg::Tensor good = leaf(), bad = leaf();
  Adam adam({good, bad}, AdamOptions(0.1));
  good.mutable_grad() = tg::ones({4, 2}, tg::kFloat64);
  bad.mutable_grad() = row_grad({0});
  CHECK_THROWS_AS(adam.step(), tg::TypeError);
  CHECK(good.sum().item<double>() == 0.0);
}

TEST_CASE("a gradient of the wrong shape is refused") {
  tg::Tensor w = leaf();
  SGD sgd({w}, SGDOptions(0.1));
  w.mutable_grad() = tg::ones({2, 2}, tg::kFloat64);
  CHECK_THROWS_WITH_AS(sgd.step(), doctest::Contains("expected the parameter's shape [4, 2]"), tg::ValueError);
}

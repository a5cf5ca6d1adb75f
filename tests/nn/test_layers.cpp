// Activation, Dropout, Flatten and LayerNorm layers and their functional forms:
// PyTorch 1.13's values and gradients (tests/golden/gen_small_models.py), finite
// differences, dropout's statistics and seeding, and the errors.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include <tapegrad/tapegrad.h>

#include "../support/fixtures.h"
#include "golden_case.h"

using namespace tg::nn;
namespace F = tg::nn::functional;
using small_golden::check_case;
using small_golden::Inputs;

TEST_CASE("activations match PyTorch's values and gradients, empty inputs included") {
  check_case("act/relu", {"x"}, {}, [](Inputs& in) { return F::relu(in["x"]); });
  check_case("act/leaky_relu", {"x"}, {}, [](Inputs& in) { return F::leaky_relu(in["x"]); });
  check_case("act/leaky_relu_02", {"x"}, {},
             [](Inputs& in) { return F::leaky_relu(in["x"], F::LeakyReLUFuncOptions().negative_slope(0.2)); });
  check_case("act/sigmoid", {"x"}, {}, [](Inputs& in) { return F::sigmoid(in["x"]); });
  check_case("act/tanh", {"x"}, {}, [](Inputs& in) { return F::tanh(in["x"]); });
  check_case("act/silu", {"x"}, {}, [](Inputs& in) { return F::silu(in["x"]); });
  check_case("act/gelu", {"x"}, {}, [](Inputs& in) { return F::gelu(in["x"]); });
  check_case("act/gelu_tanh", {"x"}, {},
             [](Inputs& in) { return F::gelu(in["x"], F::GELUFuncOptions().approximate("tanh")); });
  check_case("act/softmax_1", {"x"}, {}, [](Inputs& in) { return F::softmax(in["x"], 1); });
  check_case("act/softmax_0", {"x"}, {}, [](Inputs& in) { return F::softmax(in["x"], F::SoftmaxFuncOptions(0)); });
  check_case("act/log_softmax_m1", {"x"}, {}, [](Inputs& in) { return F::log_softmax(in["x"], -1); });
  check_case("act/relu_empty", {"x"}, {}, [](Inputs& in) { return F::relu(in["x"]); });
  check_case("act/silu_empty", {"x"}, {}, [](Inputs& in) { return F::silu(in["x"]); });
}

TEST_CASE("activation modules apply their functional form with PyTorch's defaults") {
  const tg::Tensor x = small_golden::tensor("act/relu/x");
  small_golden::check_close(ReLU()(x), "act/relu/y");
  small_golden::check_close(LeakyReLU()(x), "act/leaky_relu/y");
  small_golden::check_close(LeakyReLU(LeakyReLUOptions().negative_slope(0.2))(x), "act/leaky_relu_02/y");
  small_golden::check_close(Sigmoid()(x), "act/sigmoid/y");
  small_golden::check_close(Tanh()(x), "act/tanh/y");
  small_golden::check_close(SiLU()(x), "act/silu/y");
  small_golden::check_close(GELU()(x), "act/gelu/y");
  small_golden::check_close(GELU(GELUOptions().approximate("tanh"))(x), "act/gelu_tanh/y");
  const tg::Tensor x23 = small_golden::tensor("act/softmax_1/x");
  small_golden::check_close(Softmax(1)(x23), "act/softmax_1/y");
  small_golden::check_close(LogSoftmax(LogSoftmaxOptions(-1))(x23), "act/log_softmax_m1/y");
  CHECK(Identity()(x).is_same(x));
}

TEST_CASE("activations pass finite-difference checks away from their kinks") {
  const tg::Tensor x = tg::tensor({-2.0, -0.7, 0.3, 1.1, 2.5}, tg::kFloat64).requires_grad_();
  using Fn = std::function<tg::Tensor(const tg::Tensor&)>;
  for (const Fn& fn : {Fn([](const tg::Tensor& t) { return F::leaky_relu(t); }),
                       Fn([](const tg::Tensor& t) { return F::silu(t); }),
                       Fn([](const tg::Tensor& t) { return F::gelu(t); }),
                       Fn([](const tg::Tensor& t) { return F::gelu(t, F::GELUFuncOptions().approximate("tanh")); }),
                       Fn([](const tg::Tensor& t) { return F::softmax(t, 0); })})
    CHECK(fixtures::gradcheck(fn, x));
}

TEST_CASE("dropout's deterministic cases match PyTorch: p = 0, p = 1, eval and empty") {
  check_case("dropout/p0", {"x"}, {}, [](Inputs& in) { return F::dropout(in["x"], F::DropoutFuncOptions().p(0.0)); });
  check_case("dropout/p1", {"x"}, {}, [](Inputs& in) { return F::dropout(in["x"], F::DropoutFuncOptions().p(1.0)); });
  check_case("dropout/eval", {"x"}, {},
             [](Inputs& in) { return F::dropout(in["x"], F::DropoutFuncOptions().training(false)); });
  check_case("dropout/empty", {"x"}, {}, [](Inputs& in) { return F::dropout(in["x"]); });
  // p = 1 keeps the result in the graph, as PyTorch: the gradient is zero, not missing.
  const tg::Tensor x = tg::ones({3}).requires_grad_();
  F::dropout(x, F::DropoutFuncOptions().p(1.0)).sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{0, 0, 0});
}

TEST_CASE("dropout zeroes about p of the elements and scales the rest by 1 / (1 - p)") {
  tg::manual_seed(7);
  const tg::Tensor x = tg::full({200, 100}, 2.0).requires_grad_();
  const tg::Tensor y = F::dropout(x, F::DropoutFuncOptions().p(0.3));
  int64_t zeros = 0;
  for (float v : y.to_vector<float>()) {
    if (v == 0.0f) ++zeros;
    else CHECK(v == doctest::Approx(2.0 / 0.7).epsilon(1e-6));
  }
  // 20000 Bernoulli(0.3) draws: the count is within 5 standard deviations (~65) of 6000.
  CHECK(std::abs(static_cast<double>(zeros) - 6000.0) < 325.0);
  // The gradient is the mask: 1 / (1 - p) where kept, 0 where dropped.
  y.sum().backward();
  const std::vector<float> grad = x.grad().to_vector<float>(), out = y.to_vector<float>();
  for (size_t i = 0; i < grad.size(); i += 97) CHECK(grad[i] == doctest::Approx(out[i] / 2.0).epsilon(1e-6));
}

TEST_CASE("dropout draws the same mask after the same manual_seed") {
  Dropout drop(0.5);
  const tg::Tensor x = tg::ones({64});
  tg::manual_seed(11);
  const std::vector<float> first = drop(x).to_vector<float>();
  tg::manual_seed(11);
  CHECK(drop(x).to_vector<float>() == first);
  CHECK(drop(x).to_vector<float>() != first);  // the next draw differs
}

TEST_CASE("Dropout is the identity after eval() and drops again after train()") {
  Dropout drop(DropoutOptions().p(0.9));
  const tg::Tensor x = tg::ones({50});
  drop.eval();
  CHECK(drop(x).is_same(x));
  drop.train();
  tg::manual_seed(1);
  CHECK(drop(x).sum().item<float>() != doctest::Approx(50.0));
}

TEST_CASE("dropout refuses p outside [0, 1], naming p") {
  CHECK_THROWS_WITH_AS(Dropout(1.5), doctest::Contains("p = 1.5"), tg::ValueError);
  CHECK_THROWS_WITH_AS(Dropout(-0.1), doctest::Contains("expected a probability in [0, 1]"), tg::ValueError);
  CHECK_THROWS_WITH_AS(F::dropout(tg::ones({2}), F::DropoutFuncOptions().p(2.0)), doctest::Contains("p = 2"),
                       tg::ValueError);
  CHECK_THROWS_AS(F::dropout(tg::ones({2}), F::DropoutFuncOptions().p(NAN)), tg::ValueError);
}

TEST_CASE("Flatten merges dims as torch.nn.Flatten, a 0-d input included") {
  check_case("flatten/default", {"x"}, {}, [](Inputs& in) { return Flatten()(in["x"]); });
  check_case("flatten/0_1", {"x"}, {}, [](Inputs& in) { return Flatten(FlattenOptions().start_dim(0).end_dim(1))(in["x"]); });
  check_case("flatten/m2_m1", {"x"}, {},
             [](Inputs& in) { return Flatten(FlattenOptions().start_dim(-2).end_dim(-1))(in["x"]); });
  check_case("flatten/scalar", {"x"}, {}, [](Inputs& in) { return Flatten(FlattenOptions().start_dim(0))(in["x"]); });
  CHECK_THROWS_WITH_AS(Flatten(FlattenOptions().start_dim(3))(tg::ones({2, 3})), doctest::Contains("start_dim = 3"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(Flatten(FlattenOptions().start_dim(1).end_dim(0))(tg::ones({2, 3})),
                       doctest::Contains("start_dim <= end_dim"), tg::ValueError);
}

TEST_CASE("layer_norm matches PyTorch with and without affine, over one or two dims") {
  check_case("layer_norm/affine", {"x", "w", "b"}, {}, [](Inputs& in) {
    return F::layer_norm(in["x"], F::LayerNormFuncOptions({4}).weight(in["w"]).bias(in["b"]));
  });
  check_case("layer_norm/plain_2d", {"x"}, {}, [](Inputs& in) { return F::layer_norm(in["x"], F::LayerNormFuncOptions({3, 4})); });
  check_case("layer_norm/eps", {"x"}, {}, [](Inputs& in) { return F::layer_norm(in["x"], F::LayerNormFuncOptions({4}).eps(0.5)); });
  check_case("layer_norm/constant_rows", {"x"}, {}, [](Inputs& in) { return F::layer_norm(in["x"], F::LayerNormFuncOptions({3})); });
  check_case("layer_norm/empty_batch", {"x", "w", "b"}, {}, [](Inputs& in) {
    return F::layer_norm(in["x"], F::LayerNormFuncOptions({4}).weight(in["w"]).bias(in["b"]));
  });
}

TEST_CASE("the LayerNorm module starts at weight 1, bias 0 and computes the functional form") {
  LayerNorm norm(LayerNormOptions({4}).dtype(tg::kFloat64));
  CHECK(norm.weight.to_vector<double>() == std::vector<double>{1, 1, 1, 1});
  CHECK(norm.bias.to_vector<double>() == std::vector<double>{0, 0, 0, 0});
  {
    tg::NoGradGuard no_grad;
    norm.weight.copy_(small_golden::tensor("layer_norm/affine/w"));
    norm.bias.copy_(small_golden::tensor("layer_norm/affine/b"));
  }
  small_golden::check_close(norm(small_golden::tensor("layer_norm/affine/x")), "layer_norm/affine/y");
  LayerNorm plain(LayerNormOptions({3, 4}).elementwise_affine(false));
  CHECK(plain.parameters().empty());
  small_golden::check_close(plain(small_golden::tensor("layer_norm/plain_2d/x").to(tg::kFloat32)),
                            "layer_norm/plain_2d/y", 1e-5, 1e-5);
}

TEST_CASE("layer_norm passes finite-difference checks for input, weight and bias") {
  tg::manual_seed(3);
  const tg::Tensor x = tg::randn({2, 5}, tg::kFloat64).requires_grad_();
  const tg::Tensor w = tg::randn({5}, tg::kFloat64).requires_grad_();
  const tg::Tensor b = tg::randn({5}, tg::kFloat64).requires_grad_();
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) {
        return F::layer_norm(in[0], F::LayerNormFuncOptions({5}).weight(in[1]).bias(in[2]).eps(1e-3));
      },
      {x, w, b}));
}

TEST_CASE("layer_norm refuses an input that does not end in normalized_shape, naming both shapes") {
  LayerNorm norm(LayerNormOptions({4}));
  CHECK_THROWS_WITH_AS(norm(tg::ones({2, 3})), doctest::Contains("input of shape [2, 3] does not end in normalized_shape = [4]"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(F::layer_norm(tg::ones({4}), F::LayerNormFuncOptions({2, 4})), doctest::Contains("[*, 2, 4]"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(F::layer_norm(tg::ones({2, 4}), F::LayerNormFuncOptions({4}).weight(tg::ones({3}))),
                       doctest::Contains("weight has shape [3]"), tg::ValueError);
  CHECK_THROWS_WITH_AS(LayerNorm(LayerNormOptions({})), doctest::Contains("normalized_shape = []"), tg::ValueError);
}

TEST_CASE("GELU prints as PyTorch's and refuses an unknown approximation") {
  const auto printed = [](const Module& m) {
    std::ostringstream out;
    out << m;
    return out.str();
  };
  CHECK(printed(GELU()) == "GELU(approximate='none')");
  CHECK(printed(GELU(GELUOptions().approximate("tanh"))) == "GELU(approximate='tanh')");
  CHECK(printed(Sequential(Linear(2, 3), GELU())) ==
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): GELU(approximate='none')\n)");
  CHECK_THROWS_WITH_AS(GELU(GELUOptions().approximate("fast")),
                       doctest::Contains("approximate is 'fast'; expected 'none' or 'tanh'"), tg::ValueError);
  CHECK_THROWS_WITH_AS(F::gelu(tg::ones({2}), F::GELUFuncOptions().approximate("exact")),
                       doctest::Contains("approximate is 'exact'"), tg::ValueError);
}

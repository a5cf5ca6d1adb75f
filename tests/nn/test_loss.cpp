// Losses against PyTorch 1.13 (tests/golden/gen_embedding.py, section 7) and gradcheck.
#include <doctest/doctest.h>

#include <tapegrad/autograd/ops/logistic.h>
#include <tapegrad/tapegrad.h>

#include "../support/golden.h"

namespace F = tg::nn::functional;
using tg::nn::Reduction;

namespace {
const char* tag(Reduction r) { return r == Reduction::Mean ? "mean" : r == Reduction::Sum ? "sum" : "none"; }
}  // namespace

TEST_CASE("mse_loss and its gradient match PyTorch for mean, sum and none") {
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    const tg::Tensor x = golden::embedding.leaf("loss/x");
    const tg::Tensor loss = F::mse_loss(x, golden::embedding.tensor("loss/y"), r);
    loss.backward(tg::ones_like(loss));
    golden::embedding.check_close(loss, std::string("loss/mse_") + tag(r), 1e-12, 1e-12);
    golden::embedding.check_close(x.grad(), std::string("loss/mse_") + tag(r) + "_grad", 1e-12, 1e-12);
  }
}

TEST_CASE("binary_cross_entropy_with_logits matches PyTorch and stays finite at logits of +-40") {
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    const tg::Tensor x = golden::embedding.leaf("loss/x");
    const tg::Tensor loss = F::binary_cross_entropy_with_logits(x, golden::embedding.tensor("loss/y"), r);
    loss.backward(tg::ones_like(loss));
    golden::embedding.check_close(loss, std::string("loss/bce_") + tag(r), 1e-12, 1e-12);
    golden::embedding.check_close(x.grad(), std::string("loss/bce_") + tag(r) + "_grad", 1e-12, 1e-12);
  }
  const tg::Tensor x = golden::embedding.tensor("loss/x"), y = golden::embedding.tensor("loss/y");
  golden::embedding.check_close(
      F::binary_cross_entropy_with_logits(x, y, Reduction::Mean, golden::embedding.tensor("loss/pos_weight")),
      "loss/bce_pos_weight", 1e-12, 1e-12);
}

TEST_CASE("binary_cross_entropy_with_logits in float32 (the vectorised kernel) matches PyTorch over [-100, 100]") {
  // PyTorch's float formula rounds x - x + exp(x) to 0 for label 0 and x < -17 (loss 3.6e-7
  // at x = -15 where the exact value is 3.1e-7): the absolute tolerance covers that.
  for (Reduction r : {Reduction::Sum, Reduction::None}) {
    const tg::Tensor x = golden::embedding.leaf("loss/x32");
    const tg::Tensor loss = F::binary_cross_entropy_with_logits(x, golden::embedding.tensor("loss/y32"), r);
    CHECK(loss.grad_fn_name() == "BinaryCrossEntropyWithLogitsBackward0");
    loss.backward(tg::ones_like(loss));
    golden::embedding.check_close(loss, std::string("loss/bce32_") + tag(r), 1e-6, r == Reduction::Sum ? 1e-4 : 1e-6);
    golden::embedding.check_close(x.grad(), std::string("loss/bce32_") + tag(r) + "_grad", 1e-6, 1e-7);
  }
}

TEST_CASE("binary_cross_entropy_with_logits keeps exp(x) where 1 - y cancels x, and refuses mixed dtypes") {
  // Label 0 at x = -30: the loss is log1p(exp(-30)) = 9.36e-14, not 0.
  const tg::Tensor loss = F::binary_cross_entropy_with_logits(tg::tensor({-30.0f}), tg::tensor({0.0f}), Reduction::Sum);
  CHECK(loss.item<float>() == doctest::Approx(9.357623e-14).epsilon(1e-5));
  CHECK_THROWS_AS(tg::binary_cross_entropy_with_logits(tg::zeros({2}), tg::zeros({2}, tg::kFloat64), true), tg::TypeError);
  CHECK_THROWS_AS(tg::binary_cross_entropy_with_logits(tg::zeros({2}), tg::zeros({3}), true), tg::ValueError);
}

TEST_CASE("binary_cross_entropy_with_logits passes gradcheck, fused and through the target") {
  const tg::Tensor x = (tg::randn({3, 4}, tg::kFloat64) * 5.0).detach().requires_grad_();
  const tg::Tensor y = tg::rand({3, 4}, tg::kFloat64);
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None})
    CHECK(tg::autograd::gradcheck(
        [&](const std::vector<tg::Tensor>& in) {
          const tg::Tensor l = F::binary_cross_entropy_with_logits(in[0], y, r);
          return r == Reduction::None ? l : l.unsqueeze(0);
        },
        {x}));
  // A target that needs its gradient takes the composed path: d/dy = -x.
  const tg::Tensor yg = y.detach().requires_grad_();
  CHECK(tg::autograd::gradcheck(
      [&](const std::vector<tg::Tensor>& in) {
        return F::binary_cross_entropy_with_logits(in[0], in[1], Reduction::Sum).unsqueeze(0);
      },
      {x, yg}));
}

TEST_CASE("nll_loss with ignore_index matches PyTorch for mean, sum and none") {
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    const tg::Tensor lp = golden::embedding.leaf("loss/log_softmax");
    const tg::Tensor loss = F::nll_loss(lp, golden::embedding.tensor("loss/target"), r);
    loss.backward(tg::ones_like(loss));
    golden::embedding.check_close(loss, std::string("loss/nll_") + tag(r), 1e-12, 1e-12);
    golden::embedding.check_close(lp.grad(), std::string("loss/nll_") + tag(r) + "_grad", 1e-12, 1e-12);
  }
}

TEST_CASE("nll_loss names a target out of range and refuses float targets") {
  const tg::Tensor lp = tg::zeros({2, 3});
  CHECK_THROWS_WITH_AS(F::nll_loss(lp, tg::tensor({0, 3})), doctest::Contains("target[1] = 3 is out of range"),
                       tg::IndexError);
  CHECK_THROWS_AS(F::nll_loss(lp, tg::tensor({0.f, 1.f})), tg::TypeError);
  CHECK_THROWS_AS(F::nll_loss(lp, tg::tensor({0, 1, 2})), tg::ValueError);
}

TEST_CASE("nll_loss passes gradcheck") {
  const tg::Tensor lp = tg::randn({4, 3}, tg::kFloat64).requires_grad_();
  const tg::Tensor t = tg::tensor({0, 2, 2, 1});
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None})
    CHECK(tg::autograd::gradcheck(
        [&](const std::vector<tg::Tensor>& in) { return r == Reduction::None ? F::nll_loss(in[0], t, r) : F::nll_loss(in[0], t, r).unsqueeze(0); }, {lp}));
}

TEST_CASE("logsigmoid and mse_loss refuse mismatched shapes") {
  CHECK(F::logsigmoid(tg::tensor({0.0}, tg::kFloat64)).item<double>() == doctest::Approx(-std::log(2.0)));
  CHECK_THROWS_WITH_AS(F::mse_loss(tg::zeros({2}), tg::zeros({3})), doctest::Contains("expected equal shapes"),
                       tg::ValueError);
}

// The option-class losses: PyTorch 1.13's values and gradients for every reduction
// (tests/golden/gen_small_models.py), finite differences, and the errors.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include "golden_case.h"

using namespace tg::nn;
namespace F = tg::nn::functional;
using small_golden::check_case;
using small_golden::Inputs;

namespace {

const std::vector<std::pair<const char*, Reduction>> kReductions = {
    {"none", kNone}, {"mean", kMean}, {"sum", kSum}};

}  // namespace

TEST_CASE("cross_entropy with class indices, ignore_index and label_smoothing matches PyTorch") {
  for (const auto& [tag, r] : kReductions) {
    const std::string red = tag;
    const Reduction reduction = r;
    check_case("ce/index_" + red, {"x"}, {"target"}, [&](Inputs& in) {
      return F::cross_entropy(in["x"], in["target"], F::CrossEntropyFuncOptions().reduction(reduction));
    });
    check_case("ce/ignore_" + red, {"x"}, {"target"}, [&](Inputs& in) {
      return F::cross_entropy(in["x"], in["target"], F::CrossEntropyFuncOptions().reduction(reduction));
    });
    check_case("ce/smooth_" + red, {"x"}, {"target"}, [&](Inputs& in) {
      return F::cross_entropy(in["x"], in["target"],
                              F::CrossEntropyFuncOptions().reduction(reduction).label_smoothing(0.1));
    });
    check_case("ce/ignore1_smooth_" + red, {"x"}, {"target"}, [&](Inputs& in) {
      return F::cross_entropy(in["x"], in["target"],
                              F::CrossEntropyFuncOptions().reduction(reduction).ignore_index(1).label_smoothing(0.25));
    });
  }
}

TEST_CASE("cross_entropy with class probabilities matches PyTorch, gradients for both inputs") {
  for (const auto& [tag, r] : kReductions) {
    const std::string red = tag;
    const Reduction reduction = r;
    check_case("ce/probs_" + red, {"x", "target"}, {}, [&](Inputs& in) {
      return F::cross_entropy(in["x"], in["target"], F::CrossEntropyFuncOptions().reduction(reduction));
    });
    check_case("ce/probs_smooth_" + red, {"x", "target"}, {}, [&](Inputs& in) {
      return F::cross_entropy(in["x"], in["target"],
                              F::CrossEntropyFuncOptions().reduction(reduction).label_smoothing(0.2));
    });
  }
}

TEST_CASE("cross_entropy's edge cases match PyTorch: one sample, all ignored, empty batch, smoothing 1") {
  auto plain = [](double smoothing) {
    return [smoothing](Inputs& in) {
      return F::cross_entropy(in["x"], in["target"], F::CrossEntropyFuncOptions().label_smoothing(smoothing));
    };
  };
  check_case("ce/single", {"x"}, {"target"}, plain(0.0));
  check_case("ce/single_smooth", {"x"}, {"target"}, plain(0.3));
  check_case("ce/all_ignored_smooth", {"x"}, {"target"}, plain(0.1));  // 0 / 0 = nan, as PyTorch
  check_case("ce/empty_mean", {"x"}, {"target"}, plain(0.0));
  check_case("ce/full_smoothing", {"x"}, {"target"}, plain(1.0));
  check_case("ce/empty_sum", {"x"}, {"target"},
             [](Inputs& in) { return F::cross_entropy(in["x"], in["target"], F::CrossEntropyFuncOptions().reduction(kSum)); });
}

TEST_CASE("nll_loss with options matches PyTorch") {
  for (const auto& [tag, r] : kReductions) {
    const Reduction reduction = r;
    check_case(std::string("nll/ignore2_") + tag, {"x"}, {"target"}, [&](Inputs& in) {
      return F::nll_loss(in["x"], in["target"], F::NLLLossFuncOptions().ignore_index(2).reduction(reduction));
    });
  }
}

TEST_CASE("binary_cross_entropy matches PyTorch, with weights and at probabilities 0 and 1") {
  for (const auto& [tag, r] : kReductions) {
    const std::string red = tag;
    const Reduction reduction = r;
    check_case("bce/" + red, {"x", "target"}, {}, [&](Inputs& in) {
      return F::binary_cross_entropy(in["x"], in["target"], F::BinaryCrossEntropyFuncOptions().reduction(reduction));
    });
    check_case("bce/weight_" + red, {"x", "target"}, {"w"}, [&](Inputs& in) {
      return F::binary_cross_entropy(in["x"], in["target"],
                                     F::BinaryCrossEntropyFuncOptions().weight(in["w"]).reduction(reduction));
    });
  }
  // Logs clamped at -100 and the input gradient's denominator at 1e-12, as PyTorch.
  check_case("bce/edges", {"x"}, {"target"}, [](Inputs& in) {
    return F::binary_cross_entropy(in["x"], in["target"], F::BinaryCrossEntropyFuncOptions().reduction(kSum));
  });
  check_case("bce/empty_mean", {"x"}, {"target"},
             [](Inputs& in) { return F::binary_cross_entropy(in["x"], in["target"]); });
}

TEST_CASE("l1_loss and smooth_l1_loss match PyTorch for beta 1, 0.5 and 0") {
  for (const auto& [tag, r] : kReductions) {
    const std::string red = tag;
    const Reduction reduction = r;
    check_case("l1/" + red, {"x", "target"}, {},
               [&](Inputs& in) { return F::l1_loss(in["x"], in["target"], F::L1LossFuncOptions(reduction)); });
    for (const auto& [beta_tag, beta] : {std::pair<const char*, double>{"1.0", 1.0}, {"0.5", 0.5}, {"0.0", 0.0}}) {
      const double b = beta;
      check_case(std::string("smooth_l1/beta") + beta_tag + "_" + red, {"x", "target"}, {}, [&](Inputs& in) {
        return F::smooth_l1_loss(in["x"], in["target"], F::SmoothL1LossFuncOptions().reduction(reduction).beta(b));
      });
    }
  }
  check_case("l1/empty_mean", {"x", "target"}, {}, [](Inputs& in) { return F::l1_loss(in["x"], in["target"]); });
}

TEST_CASE("kl_div matches PyTorch for every reduction, batchmean included, and with log_target") {
  for (const auto& [tag, r] : {std::pair<const char*, Reduction>{"none", kNone}, {"mean", kMean}, {"sum", kSum},
                               {"batchmean", kBatchMean}}) {
    const std::string red = tag;
    const Reduction reduction = r;
    // The target has zeros: 0 log 0 counts as 0.
    check_case("kl/" + red, {"x"}, {"target"},
               [&](Inputs& in) { return F::kl_div(in["x"], in["target"], F::KLDivFuncOptions(reduction)); });
    check_case("kl/positive_" + red, {"x", "target"}, {},
               [&](Inputs& in) { return F::kl_div(in["x"], in["target"], F::KLDivFuncOptions(reduction)); });
    check_case("kl/log_target_" + red, {"x", "target"}, {}, [&](Inputs& in) {
      return F::kl_div(in["x"], in["target"], F::KLDivFuncOptions().reduction(reduction).log_target(true));
    });
  }
}

TEST_CASE("the losses pass finite-difference checks") {
  tg::manual_seed(5);
  const tg::Tensor logits = tg::randn({4, 3}, tg::kFloat64).requires_grad_();
  const tg::Tensor labels = tg::tensor({0, 2, -100, 1});
  CHECK(tg::autograd::gradcheck(
      [&](const std::vector<tg::Tensor>& in) {
        return F::cross_entropy(in[0], labels, F::CrossEntropyFuncOptions().label_smoothing(0.2)).unsqueeze(0);
      },
      {logits}));
  const tg::Tensor q = tg::softmax(tg::randn({4, 3}, tg::kFloat64), 1).requires_grad_();
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) { return F::cross_entropy(in[0], in[1]).unsqueeze(0); }, {logits, q}));
  const tg::Tensor p = tg::tensor({0.2, 0.5, 0.9}, tg::kFloat64).requires_grad_();
  const tg::Tensor y = tg::tensor({0.0, 0.3, 1.0}, tg::kFloat64).requires_grad_();
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) {
        return F::binary_cross_entropy(in[0], in[1], F::BinaryCrossEntropyFuncOptions().reduction(kNone));
      },
      {p, y}));
  const tg::Tensor a = tg::tensor({-1.7, -0.2, 0.4, 2.0}, tg::kFloat64).requires_grad_();
  const tg::Tensor b = tg::tensor({0.1, 0.2, -0.5, 0.3}, tg::kFloat64);
  CHECK(tg::autograd::gradcheck(
      [&](const std::vector<tg::Tensor>& in) {
        return F::smooth_l1_loss(in[0], b, F::SmoothL1LossFuncOptions(kNone).beta(0.5));
      },
      {a}));
  const tg::Tensor log_q = tg::log_softmax(tg::randn({2, 3}, tg::kFloat64), 1).requires_grad_();
  const tg::Tensor target = tg::tensor({{0.2, 0.3, 0.5}, {0.6, 0.1, 0.3}}, tg::kFloat64).requires_grad_();
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) {
        return F::kl_div(in[0], in[1], F::KLDivFuncOptions(kBatchMean)).unsqueeze(0);
      },
      {log_q, target}));
}

TEST_CASE("the losses refuse bad options and shapes, naming the value") {
  const tg::Tensor logits = tg::zeros({2, 3});
  CHECK_THROWS_WITH_AS(F::cross_entropy(logits, tg::tensor({0, 1}), F::CrossEntropyFuncOptions().label_smoothing(1.5)),
                       doctest::Contains("label_smoothing = 1.5"), tg::ValueError);
  CHECK_THROWS_WITH_AS(F::cross_entropy(logits, tg::tensor({0, 3})), doctest::Contains("target[1] = 3"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(F::cross_entropy(logits, tg::zeros({2, 4})), doctest::Contains("probability target has shape [2, 4]"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(F::cross_entropy(logits, tg::tensor({0, 1}), F::CrossEntropyFuncOptions().reduction(kBatchMean)),
                       doctest::Contains("batchmean is only for kl_div"), tg::ValueError);
  CHECK_THROWS_WITH_AS(F::binary_cross_entropy(tg::tensor({0.5f, 1.5f}), tg::tensor({0.0f, 1.0f})),
                       doctest::Contains("input element 1 = 1.5 is not a probability"), tg::ValueError);
  CHECK_THROWS_WITH_AS(F::l1_loss(tg::zeros({2}), tg::zeros({3})), doctest::Contains("target has shape [3]"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(F::smooth_l1_loss(tg::zeros({2}), tg::zeros({2}), F::SmoothL1LossFuncOptions().beta(-1.0)),
                       doctest::Contains("beta = -1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(F::l1_loss(tg::zeros({2}), tg::zeros({2}), kBatchMean), doctest::Contains("batchmean"),
                       tg::ValueError);
}

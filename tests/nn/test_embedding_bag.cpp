// EmbeddingBag's behaviour beyond the golden cases: the module (options, init,
// from_pretrained, printing), bags with nothing in them, gradcheck for the table and
// per_sample_weights, sparse and dense optimizer steps agreeing, and what the node keeps.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include <tapegrad/tapegrad.h>

namespace F = tg::nn::functional;
using tg::nn::EmbeddingBag;
using tg::nn::EmbeddingBagMode;
using tg::nn::EmbeddingBagOptions;

namespace {

std::string repr(const EmbeddingBag& bag) {
  std::ostringstream s;
  s << bag;
  return s.str();
}

F::EmbeddingBagFuncOptions bag_options(EmbeddingBagMode mode, const tg::Tensor& offsets) {
  return F::EmbeddingBagFuncOptions().mode(mode).offsets(offsets);
}

}  // namespace

TEST_CASE("an EmbeddingBag prints its options as PyTorch 2's repr does") {
  CHECK(repr(EmbeddingBag(10, 3)) == "EmbeddingBag(10, 3, mode='mean')");
  CHECK(repr(EmbeddingBag(EmbeddingBagOptions(10, 3).mode(EmbeddingBagMode::Max))) == "EmbeddingBag(10, 3, mode='max')");
  // sparse and include_last_offset are not printed, as in PyTorch.
  CHECK(repr(EmbeddingBag(EmbeddingBagOptions(10, 3)
                              .mode(EmbeddingBagMode::Sum)
                              .max_norm(1.0)
                              .norm_type(1.0)
                              .scale_grad_by_freq(true)
                              .sparse(true)
                              .include_last_offset(true)
                              .padding_idx(-1))) ==
        "EmbeddingBag(10, 3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, mode='sum', padding_idx=9)");
}

TEST_CASE("a fresh EmbeddingBag draws N(0, 1) and zeroes the padding row; its one parameter is weight") {
  tg::manual_seed(3);
  EmbeddingBag bag(EmbeddingBagOptions(400, 50).padding_idx(7));
  CHECK(bag.weight.sizes() == tg::Shape{400, 50});
  CHECK(bag.weight.requires_grad());
  CHECK(bag.weight[7].abs().sum().item<double>() == 0.0);
  // 20000 draws: the mean is within 0.02 of 0 and the mean square within 0.04 of 1 (several standard errors).
  CHECK(std::abs(bag.weight.mean().item<double>()) < 0.02);
  CHECK(std::abs(bag.weight.pow(2.0).mean().item<double>() - 1.0) < 0.04);
  const auto named = bag.named_parameters();
  REQUIRE(named.size() == 1);
  CHECK(named[0].first == "weight");
  CHECK(bag.options().mode() == EmbeddingBagMode::Mean);  // PyTorch's default
}

TEST_CASE("from_pretrained shares the tensor, is frozen by default, keeps the padding row and the bag options") {
  const tg::Tensor pretrained = tg::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}});
  EmbeddingBag bag = EmbeddingBag::from_pretrained(
      pretrained, tg::nn::EmbeddingBagFromPretrainedOptions().mode(EmbeddingBagMode::Sum).padding_idx(1));
  CHECK_FALSE(bag.weight.requires_grad());
  CHECK(bag.weight.data_ptr<float>() == pretrained.data_ptr<float>());
  CHECK(bag.weight[1].to_vector<float>() == std::vector<float>{3.0f, 4.0f});  // not zeroed
  const tg::Tensor out = bag(tg::tensor({{0, 1, 2}}));
  CHECK(out.to_vector<float>() == std::vector<float>{6.0f, 8.0f});  // rows 0 and 2; the padding row left out
  CHECK_FALSE(out.requires_grad());
  EmbeddingBag trainable = EmbeddingBag::from_pretrained(pretrained, tg::nn::EmbeddingBagFromPretrainedOptions().freeze(false));
  CHECK(trainable.weight.requires_grad());
  CHECK(repr(trainable) == "EmbeddingBag(3, 2, mode='mean')");
}

TEST_CASE("no offsets at all give a (0, D) result and a zero gradient, dense and sparse") {
  for (bool sparse : {false, true}) {
    CAPTURE(sparse);
    const tg::Tensor w = tg::ones({5, 2}, tg::kFloat64).requires_grad_();
    const tg::Tensor out = F::embedding_bag(tg::tensor({1, 2}), w,
                                            bag_options(EmbeddingBagMode::Sum, tg::zeros({0}, tg::kInt64)).sparse(sparse));
    CHECK(out.sizes() == tg::Shape{0, 2});
    out.sum().backward();
    REQUIRE(w.grad().defined());
    CHECK(w.grad().is_sparse() == sparse);
    if (sparse) CHECK(w.grad()._nnz() == 0);
    CHECK(w.grad().to_dense().abs().sum().item<double>() == 0.0);
  }
}

TEST_CASE("2-D input with zero columns is B empty bags: zeros, and a zero gradient") {
  // PyTorch 1.13 fails here ("step must be nonzero") building offsets with step 0.
  for (EmbeddingBagMode mode : {EmbeddingBagMode::Sum, EmbeddingBagMode::Mean, EmbeddingBagMode::Max}) {
    const tg::Tensor w = tg::ones({5, 2}, tg::kFloat64).requires_grad_();
    const tg::Tensor out = F::embedding_bag(tg::zeros({3, 0}, tg::kInt64), w, F::EmbeddingBagFuncOptions().mode(mode));
    CHECK(out.sizes() == tg::Shape{3, 2});
    CHECK(out.abs().sum().item<double>() == 0.0);
    out.sum().backward();
    CHECK(w.grad().abs().sum().item<double>() == 0.0);
  }
}

TEST_CASE("an empty bag gives zeros and sends no gradient; a sparse gradient has no entry for it") {
  const tg::Tensor w = tg::tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}, tg::kFloat64).requires_grad_();
  // bags: {0, 2}, {}, {1}
  const tg::Tensor out = F::embedding_bag(tg::tensor({0, 2, 1}), w,
                                          bag_options(EmbeddingBagMode::Mean, tg::tensor({0, 2, 2})).sparse(true));
  CHECK(out.to_vector<double>() == std::vector<double>{3.0, 4.0, 0.0, 0.0, 3.0, 4.0});
  out.backward(tg::tensor({{2.0, 4.0}, {100.0, 100.0}, {1.0, 1.0}}, tg::kFloat64));
  const tg::Tensor grad = w.grad();
  REQUIRE(grad.is_sparse());
  CHECK(grad.indices().to_vector<int64_t>() == std::vector<int64_t>{0, 2, 1});
  CHECK(grad.values().to_vector<double>() == std::vector<double>{1.0, 2.0, 1.0, 2.0, 1.0, 1.0});  // mean: / 2
}

TEST_CASE("embedding_bag passes gradcheck in every mode, dense and sparse") {
  tg::manual_seed(11);
  const tg::Tensor w = tg::randn({6, 3}, tg::kFloat64).requires_grad_();
  const tg::Tensor ids = tg::tensor({4, 0, 4, 2, 5, 1, 1});
  const tg::Tensor offsets = tg::tensor({0, 3, 3, 5});
  for (EmbeddingBagMode mode : {EmbeddingBagMode::Sum, EmbeddingBagMode::Mean, EmbeddingBagMode::Max}) {
    for (bool sparse : {false, true}) {
      if (mode == EmbeddingBagMode::Max && sparse) continue;
      CAPTURE(static_cast<int>(mode));
      CAPTURE(sparse);
      CHECK(tg::autograd::gradcheck(
          [&](const std::vector<tg::Tensor>& in) {
            return F::embedding_bag(ids, in[0], bag_options(mode, offsets).sparse(sparse)) * in[0].sum();
          },
          {w}));
    }
  }
}

TEST_CASE("per_sample_weights' gradient passes gradcheck, with and without padding") {
  tg::manual_seed(12);
  const tg::Tensor w = tg::randn({6, 3}, tg::kFloat64).requires_grad_();
  const tg::Tensor psw = tg::randn({2, 4}, tg::kFloat64).requires_grad_();
  const tg::Tensor ids = tg::tensor({{4, 0, 4, 2}, {5, 1, 2, 3}});
  for (bool padding : {false, true}) {
    CAPTURE(padding);
    auto options = F::EmbeddingBagFuncOptions().mode(EmbeddingBagMode::Sum);
    if (padding) options.padding_idx(2);
    CHECK(tg::autograd::gradcheck(
        [&](const std::vector<tg::Tensor>& in) {
          return F::embedding_bag(ids, in[0], F::EmbeddingBagFuncOptions(options).per_sample_weights(in[1])).pow(2.0);
        },
        {w, psw}));
  }
}

TEST_CASE("SGD and Adagrad steps on the sparse gradient equal the steps on the dense one") {
  tg::manual_seed(13);
  const tg::Tensor start = tg::randn({30, 4}, tg::kFloat64);
  const tg::Tensor ids = tg::tensor({3, 3, 7, 0, 29, 7, 1, 3, 12});
  const tg::Tensor offsets = tg::tensor({0, 2, 2, 6});
  for (bool adagrad : {false, true}) {
    CAPTURE(adagrad);
    std::vector<tg::Tensor> weights;
    for (bool sparse : {false, true}) {
      auto bag = EmbeddingBag::from_pretrained(start.clone(), tg::nn::EmbeddingBagFromPretrainedOptions()
                                                                  .freeze(false)
                                                                  .mode(EmbeddingBagMode::Mean)
                                                                  .scale_grad_by_freq(true)
                                                                  .padding_idx(7)
                                                                  .sparse(sparse));
      std::unique_ptr<tg::optim::Optimizer> opt;
      if (adagrad) opt = std::make_unique<tg::optim::Adagrad>(bag.parameters(), tg::optim::AdagradOptions(0.1));
      else opt = std::make_unique<tg::optim::SGD>(bag.parameters(), tg::optim::SGDOptions(0.1));
      for (int step = 0; step < 3; ++step) {
        opt->zero_grad();
        (bag(ids, offsets) * tg::tensor({1.0, -2.0, 0.5, 3.0}, tg::kFloat64)).sum().backward();
        CHECK(bag.weight.grad().is_sparse() == sparse);
        opt->step();
      }
      weights.push_back(bag.weight.detach());
    }
    CHECK((weights[0] - weights[1]).abs().max().item<double>() < 1e-14);
    CHECK((weights[1][7] - start[7]).abs().max().item<double>() == 0.0);  // the padding row never moves
    CHECK((weights[1][5] - start[5]).abs().max().item<double>() == 0.0);  // nor a row never looked up
  }
}

TEST_CASE("a sparse embedding_bag of a non-leaf table sends it the dense gradient") {
  const tg::Tensor w = tg::ones({4, 2}, tg::kFloat64).requires_grad_();
  F::embedding_bag(tg::tensor({{1, 3}}), w * 2.0, F::EmbeddingBagFuncOptions().mode(EmbeddingBagMode::Sum).sparse(true))
      .sum()
      .backward();
  REQUIRE_FALSE(w.grad().is_sparse());
  CHECK(w.grad().to_vector<double>() == std::vector<double>{0, 0, 2, 2, 0, 0, 2, 2});
}

TEST_CASE("max_norm renormalises the looked-up rows in place and bumps the version once") {
  const tg::Tensor w = tg::tensor({{3.0, 4.0}, {0.3, 0.4}, {6.0, 8.0}}, tg::kFloat64);
  const uint32_t version = w.version();
  const tg::Tensor out = F::embedding_bag(tg::tensor({{0, 1}}), w,
                                          F::EmbeddingBagFuncOptions().mode(EmbeddingBagMode::Sum).max_norm(1.0));
  CHECK(w.version() == version + 1);
  CHECK(w[0][0].item<double>() == doctest::Approx(0.6));
  CHECK(w[2][0].item<double>() == 6.0);  // not looked up, so not renormalised
  CHECK(out[0][1].item<double>() == doctest::Approx(0.8 + 0.4));
}

TEST_CASE("a failing max_norm call leaves the table untouched") {
  const tg::Tensor w = tg::tensor({{3.0, 4.0}, {6.0, 8.0}}, tg::kFloat64);
  CHECK_THROWS_AS(F::embedding_bag(tg::tensor({0, 1}), w,
                                   bag_options(EmbeddingBagMode::Sum, tg::tensor({0, 3})).max_norm(1.0)),
                  tg::ValueError);
  CHECK(w.to_vector<double>() == std::vector<double>{3.0, 4.0, 6.0, 8.0});
}

TEST_CASE("changing the indices in place before backward is an error, not a wrong gradient") {
  const tg::Tensor w = tg::ones({4, 2}, tg::kFloat64).requires_grad_();
  tg::Tensor ids = tg::tensor({1, 2});
  const tg::Tensor out = F::embedding_bag(ids, w, bag_options(EmbeddingBagMode::Sum, tg::tensor({0})));
  ids.fill_(3);
  CHECK_THROWS_WITH_AS(out.sum().backward(), doctest::Contains("modified by an inplace operation"), tg::Error);
}

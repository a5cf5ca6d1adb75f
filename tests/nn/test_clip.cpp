// Gradient clipping with sparse gradients, against PyTorch's clipping of the same
// gradient densified (PyTorch 1.13 cannot clip a sparse gradient with norm_type inf).
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include "../support/golden.h"

namespace F = tg::nn::functional;

namespace {

struct Setup {
  tg::nn::Embedding emb{tg::nn::EmbeddingOptions(6, 3).sparse(true).dtype(tg::kFloat64)};
  tg::Tensor lin = tg::tensor({{0.5, -1.0, 2.0}}, tg::kFloat64).requires_grad_();
  Setup() {
    {
      tg::NoGradGuard no_grad;
      emb.weight.copy_(tg::arange(18).to(tg::kFloat64).reshape({6, 3}) / 10.0);
    }
    (emb(tg::tensor({1, 4, 1, 0})) * tg::tensor({1.0, 2.0, 3.0}, tg::kFloat64)).sum().backward();
    (lin * 3.0).sum().backward();
  }
};

}  // namespace

TEST_CASE("clip_grad_norm_ takes a sparse gradient's norm after merging duplicates, and scales it in place") {
  for (const char* p : {"2", "inf"}) {
    CAPTURE(p);
    Setup s;
    const tg::Tensor grad = s.emb.weight.grad();
    REQUIRE(grad.is_sparse());
    const double norm_type = std::string(p) == "inf" ? INFINITY : 2.0;
    const double total = tg::nn::utils::clip_grad_norm_({s.emb.weight, s.lin}, 1.0, norm_type);
    CHECK(total == doctest::Approx(golden::embedding.scalar(std::string("clip/total_") + p)).epsilon(1e-12));
    CHECK(s.emb.weight.grad().is_same(grad));  // the same object, updated in place
    CHECK(grad.is_sparse());
    golden::embedding.check_close(grad, std::string("clip/emb_grad_") + p, 1e-12, 1e-12);
    golden::embedding.check_close(s.lin.grad(), std::string("clip/lin_grad_") + p, 1e-12, 1e-12);
  }
}

TEST_CASE("clip_grad_norm_ leaves gradients below max_norm alone and refuses a non-finite total on request") {
  Setup s;
  const auto before = s.lin.grad().to_vector<double>();
  tg::nn::utils::clip_grad_norm_({s.emb.weight, s.lin}, 1e6);
  CHECK(s.lin.grad().to_vector<double>() == before);
  s.lin.mutable_grad() = tg::tensor({{INFINITY, 0.0, 0.0}}, tg::kFloat64);
  CHECK_THROWS_WITH_AS(tg::nn::utils::clip_grad_norm_({s.lin}, 1.0, 2.0, true), doctest::Contains("finite"), tg::Error);
}

TEST_CASE("clip_grad_value_ clamps a sparse gradient's merged rows") {
  Setup s;
  tg::nn::utils::clip_grad_value_({s.emb.weight, s.lin}, 2.5);
  const tg::Tensor g = s.emb.weight.grad();
  REQUIRE(g.is_sparse());
  CHECK(g.is_coalesced());
  // row 1 was looked up twice: (1, 2, 3) * 2 = (2, 4, 6) -> clamped (2, 2.5, 2.5)
  CHECK(g.to_dense()[1].to_vector<double>() == std::vector<double>{2.0, 2.5, 2.5});
  CHECK(g.to_dense()[0].to_vector<double>() == std::vector<double>{1.0, 2.0, 2.5});
  CHECK(s.lin.grad().to_vector<double>() == std::vector<double>{2.5, 2.5, 2.5});
}

// Backward through view and copy ops: every view maps its gradient back to the
// base's shape. Checked by finite differences and by hand.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <functional>

namespace {

using In = const std::vector<tg::Tensor>&;

tg::Tensor cube() {
  // (2, 3, 4) float64 with distinct values, so a misplaced gradient shows.
  tg::Tensor t = tg::arange(24, tg::kFloat64).view({2, 3, 4}) * 0.25 - 2.0;
  return t.requires_grad_();
}

// Multiplying by a fixed tensor makes each output element's gradient distinct.
tg::Tensor weighted(const tg::Tensor& t) { return t * (tg::arange(t.numel(), tg::kFloat64).view(t.sizes()) + 1.0); }

}  // namespace

TEST_CASE("gradcheck passes for every view op") {
  const std::vector<std::pair<const char*, std::function<tg::Tensor(const tg::Tensor&)>>> views = {
      {"view", [](const tg::Tensor& t) { return t.view({6, 4}); }},
      {"view -1", [](const tg::Tensor& t) { return t.view({4, -1}); }},
      {"reshape as a view", [](const tg::Tensor& t) { return t.reshape({3, 8}); }},
      {"reshape as a copy", [](const tg::Tensor& t) { return t.transpose(0, 2).reshape({-1}); }},
      {"flatten", [](const tg::Tensor& t) { return t.flatten(); }},
      {"unsqueeze", [](const tg::Tensor& t) { return t.unsqueeze(1); }},
      {"unsqueeze -1", [](const tg::Tensor& t) { return t.unsqueeze(-1); }},
      {"squeeze", [](const tg::Tensor& t) { return t.unsqueeze(0).unsqueeze(3).squeeze(); }},
      {"squeeze(d)", [](const tg::Tensor& t) { return t.unsqueeze(2).squeeze(2); }},
      {"t of a matrix", [](const tg::Tensor& t) { return t[1].t(); }},
      {"transpose", [](const tg::Tensor& t) { return t.transpose(0, 2); }},
      {"permute", [](const tg::Tensor& t) { return t.permute({2, 0, 1}); }},
      {"t[i]", [](const tg::Tensor& t) { return t[1]; }},
      {"select", [](const tg::Tensor& t) { return t.select(2, -1); }},
      {"narrow", [](const tg::Tensor& t) { return t.narrow(1, 1, 2); }},
      {"expand", [](const tg::Tensor& t) { return t.narrow(1, 0, 1).expand({3, 2, 5, 4}); }},
      {"expand_as", [](const tg::Tensor& t) { return t[0][0].expand_as(t); }},
      {"contiguous", [](const tg::Tensor& t) { return t.transpose(1, 2).contiguous(); }},
      {"clone", [](const tg::Tensor& t) { return t.clone(); }},
      {"chained", [](const tg::Tensor& t) { return t.permute({1, 2, 0}).narrow(1, 1, 3)[2].t().unsqueeze(0); }},
  };
  for (const auto& [name, view] : views) {
    INFO(std::string(name));
    auto fn = view;
    CHECK(tg::autograd::gradcheck([fn](In in) { return weighted(fn(in[0])); }, {cube()}));
  }
}

TEST_CASE("gradcheck passes for a leaf that is itself a strided view") {
  tg::Tensor base = tg::arange(12, tg::kFloat64).view({3, 4});
  tg::Tensor leaf = base.t().narrow(0, 1, 2).requires_grad_();  // (2, 3), strides (1, 4)
  CHECK(tg::autograd::gradcheck([](In in) { return weighted(in[0].exp()); }, {leaf}));
}

TEST_CASE("select and narrow send the gradient to their slots and zeros elsewhere") {
  tg::Tensor x = tg::zeros({3, 2}).requires_grad_();
  ((x[1] * tg::tensor({2.f, 3.f})).sum() + (x.narrow(1, 1, 1).squeeze(1) * 10.0).sum()).backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{0, 10, 2, 13, 0, 10});
}

TEST_CASE("expand sums the gradient over the expanded dims") {
  tg::Tensor x = tg::tensor({{1.f}, {2.f}}).requires_grad_();
  x.expand({3, 2, 4}).backward(tg::ones({3, 2, 4}));
  CHECK(x.grad().sizes() == tg::Shape{2, 1});
  CHECK(x.grad().to_vector<float>() == std::vector<float>{12, 12});
}

TEST_CASE("transpose and permute route each gradient element back to its source") {
  tg::Tensor x = tg::zeros({2, 3}).requires_grad_();
  x.t().backward(tg::tensor({{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}}));
  CHECK(x.grad().to_vector<float>() == std::vector<float>{1, 3, 5, 2, 4, 6});
  tg::Tensor y = tg::zeros({1, 2, 3}).requires_grad_();
  y.permute({2, 0, 1}).backward(tg::arange(6, tg::kFloat32).view({3, 1, 2}));
  CHECK(y.grad().to_vector<float>() == std::vector<float>{0, 2, 4, 1, 3, 5});
}

TEST_CASE("view ops record the PyTorch grad_fn names") {
  const tg::Tensor x = tg::zeros({2, 3}).requires_grad_();
  CHECK(x.view({3, 2}).grad_fn_name() == "ViewBackward0");
  CHECK(x.unsqueeze(0).grad_fn_name() == "UnsqueezeBackward0");
  CHECK(x.unsqueeze(0).squeeze().grad_fn_name() == "SqueezeBackward0");
  CHECK(x.unsqueeze(0).squeeze(0).grad_fn_name() == "SqueezeBackward1");
  CHECK(x.t().grad_fn_name() == "TBackward0");
  CHECK(x[0].t().grad_fn_name() == "TBackward0");                // 1-d: a no-op, still recorded
  CHECK(x.squeeze(0).grad_fn_name() == "SqueezeBackward1");      // a dim of size 2: a no-op
  CHECK(x.squeeze(0).sizes() == tg::Shape{2, 3});
  CHECK(x.transpose(0, 1).grad_fn_name() == "TransposeBackward0");
  CHECK(x.permute({1, 0}).grad_fn_name() == "PermuteBackward0");
  CHECK(x[0].grad_fn_name() == "SelectBackward0");
  CHECK(x.narrow(1, 0, 2).grad_fn_name() == "SliceBackward0");
  CHECK(x.expand({4, 2, 3}).grad_fn_name() == "ExpandBackward0");
  CHECK(x.clone().grad_fn_name() == "CloneBackward0");
  CHECK(x.to(tg::kFloat64).grad_fn_name() == "ToCopyBackward0");
}

TEST_CASE("a view of a tensor that requires grad is not a leaf; under NoGradGuard it records nothing") {
  const tg::Tensor x = tg::zeros({2, 3}).requires_grad_();
  CHECK_FALSE(x[0].is_leaf());
  CHECK(x[0].requires_grad());
  tg::NoGradGuard no_grad;
  CHECK(x[0].is_leaf());
  CHECK_FALSE(x.view({6}).requires_grad());
}

TEST_CASE("contiguous of a contiguous tensor is the tensor itself, history included") {
  const tg::Tensor x = tg::zeros({2, 3}).requires_grad_();
  CHECK(x.contiguous().is_same(x));
  const tg::Tensor y = x * 2.0;
  CHECK(y.contiguous().is_same(y));
}

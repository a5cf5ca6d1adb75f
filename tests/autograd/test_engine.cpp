// The backward engine: seeding, accumulation, graph release, leaves and .grad,
// grad mode, retain_grad, tg::autograd::grad and very deep graphs.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <cmath>

TEST_CASE("tanh(w*x + b) backward matches the hand-derived gradient") {
  tg::Tensor w = tg::tensor({0.5}).requires_grad_();
  tg::Tensor x = tg::tensor({2.0});
  tg::Tensor b = tg::tensor({-0.25}).requires_grad_();
  tg::Tensor y = (w * x + b).tanh();
  y.sum().backward();
  // d tanh(u)/du = 1 - tanh(u)^2 with u = 0.75; dy/dw = x (1 - t^2), dy/db = 1 - t^2
  const double t = std::tanh(0.75);
  CHECK(w.grad().item<float>() == doctest::Approx(2.0 * (1 - t * t)).epsilon(1e-6));
  CHECK(b.grad().item<float>() == doctest::Approx(1 - t * t).epsilon(1e-6));
  CHECK(y.grad_fn_name() == "TanhBackward0");
}

// ---------------------------------------------------------------- seeding
TEST_CASE("backward of a one-element output seeds it with 1") {
  tg::Tensor x = tg::tensor({3.0f}).requires_grad_();
  (x * 2.0).backward();  // shape [1]: one element, like a 0-d loss
  CHECK(x.grad().to_vector<float>() == std::vector<float>{2});
  tg::Tensor y = tg::tensor(3.0f).requires_grad_();
  (y * y).backward();  // 0-d
  CHECK(y.grad().item<float>() == 6.0f);
}

TEST_CASE("backward of a non-scalar output needs an explicit gradient") {
  tg::Tensor x = tg::ones({2, 2}).requires_grad_();
  CHECK_THROWS_WITH_AS((x * 2.0).backward(),
                       doctest::Contains("grad can be implicitly created only for scalar outputs"), tg::Error);
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("an explicit gradient weights the output elements") {
  tg::Tensor x = tg::tensor({1.f, 2.f, 3.f}).requires_grad_();
  (x * x).backward(tg::tensor({1.f, 0.f, -2.f}));
  CHECK(x.grad().to_vector<float>() == std::vector<float>{2, 0, -12});
}

TEST_CASE("an explicit gradient of the wrong shape is refused") {
  tg::Tensor x = tg::ones({2}).requires_grad_();
  CHECK_THROWS_WITH_AS((x * 2.0).backward(tg::ones({3})),
                       doctest::Contains("the gradient has shape [3] but the tensor has shape [2]"), tg::ValueError);
}

TEST_CASE("backward of a tensor that does not require grad is refused") {
  const tg::Tensor x = tg::ones({1});
  CHECK_THROWS_WITH_AS((x * 2.0).backward(), doctest::Contains("does not require grad and does not have a grad_fn"),
                       tg::Error);
  tg::Tensor y = tg::ones({1}).requires_grad_();
  tg::NoGradGuard no_grad;
  CHECK_THROWS_WITH_AS((y * 2.0).backward(), doctest::Contains("does not require grad"), tg::Error);
}

TEST_CASE("backward from several roots adds their gradients") {
  tg::Tensor x = tg::tensor({1.f, 2.f}).requires_grad_();
  tg::autograd::backward({(x * 3.0).sum(), x * x}, {tg::tensor(1.f), tg::tensor({1.f, 1.f})});
  CHECK(x.grad().to_vector<float>() == std::vector<float>{5, 7});
  CHECK_THROWS_WITH_AS(tg::autograd::backward({x * 2.0, x * 3.0}, {tg::ones({2})}),
                       doctest::Contains("got 1 gradients for 2 tensors"), tg::ValueError);
}

// ---------------------------------------------------------------- accumulation and release
TEST_CASE("gradients accumulate across backward calls into .grad") {
  tg::Tensor x = tg::tensor({1.f, 2.f}).requires_grad_();
  (x * 3.0).sum().backward();
  (x * x).sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{5, 7});
}

TEST_CASE("a graph is released by backward unless retain_graph is set") {
  tg::Tensor x = tg::tensor({2.f}).requires_grad_();
  const tg::Tensor y = (x * x).sum();
  y.backward({}, /*retain_graph=*/true);
  y.backward({}, /*retain_graph=*/true);
  y.backward();
  CHECK(x.grad().item<float>() == 12.0f);
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("pass retain_graph = true"), tg::Error);
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("backward through the graph a second time"), tg::Error);
  CHECK(x.grad().item<float>() == 12.0f);  // the failed call added nothing
}

TEST_CASE("a second backward through a shared part of a released graph is refused") {
  tg::Tensor x = tg::tensor({2.f}).requires_grad_();
  const tg::Tensor shared = x.exp();
  (shared * 2.0).sum().backward();
  CHECK_THROWS_WITH_AS((shared * 3.0).sum().backward(), doctest::Contains("ExpBackward0 was released"), tg::Error);
}

TEST_CASE("gradients reach a value along paths of different depth") {
  // x feeds the output directly and through a long chain: the direct edge must
  // wait for the chain before x's node runs.
  tg::Tensor x = tg::tensor({1.0}, tg::kFloat64).requires_grad_();
  tg::Tensor a = x * 2.0;
  tg::Tensor chain = a;
  for (int i = 0; i < 10; ++i) chain = chain * 1.5;
  (chain + a + x).sum().backward();
  CHECK(x.grad().item<double>() == doctest::Approx(2.0 * std::pow(1.5, 10) + 2.0 + 1.0));
}

TEST_CASE("branches that do not require grad get no gradient and block nothing") {
  tg::Tensor x = tg::tensor({1.f, 2.f}).requires_grad_();
  const tg::Tensor c = tg::tensor({5.f, 6.f});
  const tg::Tensor y = x * c + c.exp() * 0.0;
  y.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{5, 6});
  CHECK_FALSE(c.grad().defined());
}

// ---------------------------------------------------------------- leaves, flags, .grad
TEST_CASE("is_leaf and requires_grad for leaves, outputs and detached tensors") {
  tg::Tensor plain = tg::ones({1});
  CHECK(plain.is_leaf());
  CHECK_FALSE(plain.requires_grad());
  tg::Tensor w = tg::ones({1}).requires_grad_();
  CHECK(w.is_leaf());
  CHECK(w.requires_grad());
  CHECK(w.grad_fn_name().empty());
  const tg::Tensor y = w * 2.0;
  CHECK_FALSE(y.is_leaf());
  CHECK(y.requires_grad());
  CHECK(y.detach().is_leaf());
  CHECK_FALSE(y.detach().requires_grad());
  w.requires_grad_(false);
  CHECK_FALSE(w.requires_grad());
  CHECK_FALSE((w * 2.0).requires_grad());
}

TEST_CASE("requires_grad_(false) on a non-leaf is refused; requires_grad_(true) is a no-op") {
  tg::Tensor w = tg::ones({1}).requires_grad_();
  tg::Tensor y = w * 2.0;
  CHECK_THROWS_WITH_AS(y.requires_grad_(false),
                       doctest::Contains("you can only change requires_grad flags of leaf variables"), tg::Error);
  CHECK_THROWS_WITH_AS(y.requires_grad_(false), doctest::Contains("output of MulBackward0"), tg::Error);
  CHECK(y.requires_grad());
  CHECK_NOTHROW(y.requires_grad_(true));
  CHECK(y.grad_fn_name() == "MulBackward0");
}

TEST_CASE("grad() is undefined before backward and never throws") {
  const tg::Tensor w = tg::ones({2}).requires_grad_();
  CHECK_FALSE(w.grad().defined());
  CHECK_FALSE(tg::ones({2}).grad().defined());
  CHECK_FALSE(tg::Tensor().grad().defined());
  CHECK_FALSE(tg::Tensor().requires_grad());
  CHECK(tg::Tensor().is_leaf());
}

TEST_CASE("a non-leaf's .grad stays undefined after backward unless retained") {
  tg::Tensor w = tg::ones({2}).requires_grad_();
  const tg::Tensor y = w * 2.0;
  (y * y).sum().backward();
  CHECK_FALSE(y.grad().defined());
  CHECK(w.grad().defined());
}

TEST_CASE("mutable_grad() sets, accumulates into and clears .grad") {
  tg::Tensor w = tg::tensor({1.f, 2.f}).requires_grad_();
  w.mutable_grad() = tg::tensor({10.f, 20.f});
  CHECK(w.grad().to_vector<float>() == std::vector<float>{10, 20});
  (w * 2.0).sum().backward();
  CHECK(w.grad().to_vector<float>() == std::vector<float>{12, 22});
  w.mutable_grad() = tg::Tensor();
  CHECK_FALSE(w.grad().defined());
  (w * 2.0).sum().backward();
  CHECK(w.grad().to_vector<float>() == std::vector<float>{2, 2});
  tg::Tensor undefined;
  CHECK_THROWS_WITH_AS(undefined.mutable_grad(), doctest::Contains("the tensor is undefined"), tg::Error);
}

TEST_CASE("the first gradient stored in .grad does not alias another tensor") {
  tg::Tensor a = tg::ones({2}).requires_grad_();
  tg::Tensor b = tg::ones({2}).requires_grad_();
  const tg::Tensor seed = tg::tensor({1.f, 2.f});
  (a + b).backward(seed);  // AddBackward0 passes one gradient to both inputs
  tg::Tensor grad_a = a.grad();
  {
    tg::NoGradGuard no_grad;
    grad_a.add_(100.0);
  }
  CHECK(b.grad().to_vector<float>() == std::vector<float>{1, 2});
  CHECK(seed.to_vector<float>() == std::vector<float>{1, 2});
}

TEST_CASE("retain_grad keeps a non-leaf's gradient, accumulating across backward calls") {
  tg::Tensor w = tg::tensor({1.f, 2.f}).requires_grad_();
  const tg::Tensor y = w * 3.0;
  y.retain_grad();
  const tg::Tensor loss = (y * y).sum();
  loss.backward({}, /*retain_graph=*/true);
  CHECK(y.grad().to_vector<float>() == std::vector<float>{6, 12});  // 2y
  loss.backward();
  CHECK(y.grad().to_vector<float>() == std::vector<float>{12, 24});
  CHECK(w.grad().to_vector<float>() == std::vector<float>{36, 72});
}

TEST_CASE("retain_grad on a leaf is a no-op and on a tensor without grad is refused") {
  tg::Tensor w = tg::ones({1}).requires_grad_();
  CHECK_NOTHROW(w.retain_grad());
  CHECK_THROWS_WITH_AS(tg::ones({1}).retain_grad(), doctest::Contains("requires_grad = false"), tg::Error);
}

TEST_CASE("names set on a tensor are kept") {
  tg::Tensor w = tg::ones({1}).requires_grad_();
  CHECK(w.name().empty());
  w.set_name("embedding.weight");
  CHECK(w.name() == "embedding.weight");
}

// ---------------------------------------------------------------- grad mode
TEST_CASE("NoGradGuard stops recording and restores the previous mode, nested") {
  tg::Tensor w = tg::ones({1}).requires_grad_();
  CHECK(tg::autograd::is_grad_enabled());
  {
    tg::NoGradGuard outer;
    CHECK_FALSE((w * 2.0).requires_grad());
    {
      tg::NoGradGuard inner;
      CHECK_FALSE(tg::autograd::is_grad_enabled());
    }
    CHECK_FALSE(tg::autograd::is_grad_enabled());  // the inner guard restored "off"
    {
      tg::EnableGradGuard enable;
      CHECK((w * 2.0).requires_grad());
    }
    CHECK_FALSE((w * 2.0).requires_grad());
  }
  CHECK(tg::autograd::is_grad_enabled());
  CHECK((w * 2.0).requires_grad());
}

TEST_CASE("backward formulas run without recording, and grad mode survives a throwing backward") {
  tg::Tensor x = tg::ones({2}).requires_grad_();
  (x * x).sum().backward();
  CHECK_FALSE(x.grad().requires_grad());
  CHECK_THROWS_AS((x * 2.0).backward(), tg::Error);
  CHECK(tg::autograd::is_grad_enabled());
}

// ---------------------------------------------------------------- tg::autograd::grad
TEST_CASE("autograd::grad returns gradients and leaves .grad untouched") {
  tg::Tensor a = tg::tensor({1.f, 2.f}).requires_grad_();
  tg::Tensor b = tg::tensor({3.f}).requires_grad_();
  const tg::Tensor loss = (a * b).sum();
  const std::vector<tg::Tensor> grads = tg::autograd::grad({loss}, {a, b});
  REQUIRE(grads.size() == 2);
  CHECK(grads[0].to_vector<float>() == std::vector<float>{3, 3});
  CHECK(grads[1].to_vector<float>() == std::vector<float>{3});
  CHECK_FALSE(a.grad().defined());
  CHECK_FALSE(b.grad().defined());
}

TEST_CASE("autograd::grad with respect to a non-leaf stops there") {
  tg::Tensor x = tg::tensor({2.f}).requires_grad_();
  const tg::Tensor h = x * x;
  const tg::Tensor out = (h * 3.0).sum();
  const auto grads = tg::autograd::grad({out}, {h}, {}, /*retain_graph=*/true);
  CHECK(grads[0].to_vector<float>() == std::vector<float>{3});
  CHECK_FALSE(x.grad().defined());
  out.backward();  // the graph was retained
  CHECK(x.grad().to_vector<float>() == std::vector<float>{12});
}

TEST_CASE("autograd::grad refuses unused inputs by default, as libtorch does, or reports them as undefined") {
  tg::Tensor a = tg::ones({1}).requires_grad_();
  tg::Tensor unused = tg::ones({1}).requires_grad_();
  const tg::Tensor loss = (a * 2.0).sum();
  CHECK_THROWS_WITH_AS(tg::autograd::grad({loss}, {a, unused}, {}, /*retain_graph=*/true),
                       doctest::Contains("inputs[1] was not used in the graph; pass allow_unused = true"), tg::Error);
  const auto grads = tg::autograd::grad({loss}, {a, unused}, {}, /*retain_graph=*/true, /*create_graph=*/false,
                                        /*allow_unused=*/true);
  CHECK(grads[0].to_vector<float>() == std::vector<float>{2});
  CHECK_FALSE(grads[1].defined());
  CHECK_THROWS_WITH_AS(tg::autograd::grad({loss}, {tg::ones({1})}), doctest::Contains("inputs[0] does not require grad"),
                       tg::Error);
}

TEST_CASE("autograd::grad refuses create_graph, whose gradients it could not differentiate again") {
  tg::Tensor x = tg::tensor({3.f}).requires_grad_();
  const tg::Tensor y = (x * x).sum();
  CHECK_THROWS_WITH_AS(tg::autograd::grad({y}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true),
                       doctest::Contains("expected create_graph = false"), tg::Error);
  CHECK(tg::autograd::grad({y}, {x})[0].to_vector<float>() == std::vector<float>{6});  // the graph is intact
}

// ---------------------------------------------------------------- deep graphs
TEST_CASE("a chain of 100000 ops builds, backprops and frees without stack overflow") {
  tg::Tensor x = tg::tensor({1.0}, tg::kFloat64).requires_grad_();
  tg::Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = (i % 2 == 0) ? y * 1.0 : y + 0.5;
  CHECK(y.item<double>() == 25001.0);  // 50000 additions of 0.5
  y.sum().backward();
  CHECK(x.grad().item<double>() == 1.0);
  y = tg::Tensor();  // frees the released chain
}

TEST_CASE("an unused chain of 100000 ops frees without stack overflow") {
  tg::Tensor x = tg::tensor({1.0f}).requires_grad_();
  {
    tg::Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y.exp();
  }
  CHECK(x.is_leaf());
}

TEST_CASE("a long chain retained for a second backward frees cleanly") {
  tg::Tensor x = tg::tensor({2.0f}).requires_grad_();
  tg::Tensor y = x;
  for (int i = 0; i < 10000; ++i) y = y - 0.0;
  y.backward({}, /*retain_graph=*/true);
  y.backward();
  CHECK(x.grad().item<float>() == 2.0f);
}

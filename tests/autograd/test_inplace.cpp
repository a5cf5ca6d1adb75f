// In-place ops: version counting, the refusals that keep gradients honest, and
// correct gradients through differentiable in-place updates of non-leaves.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <functional>

namespace {
using In = const std::vector<tg::Tensor>&;
}

TEST_CASE("every in-place op bumps the version by one") {
  tg::Tensor t = tg::ones({2, 2});
  const std::vector<std::pair<const char*, std::function<void()>>> ops = {
      {"add_", [&] { t.add_(tg::ones({2})); }},
      {"add_ scalar", [&] { t.add_(1.0); }},
      {"sub_", [&] { t.sub_(tg::ones({2, 2}), 2.0); }},
      {"mul_", [&] { t.mul_(tg::ones({2, 2})); }},
      {"mul_ scalar", [&] { t.mul_(2.0); }},
      {"div_", [&] { t.div_(2.0); }},
      {"zero_", [&] { t.zero_(); }},
      {"fill_", [&] { t.fill_(3.0); }},
      {"copy_", [&] { t.copy_(tg::zeros({2, 2})); }},
      {"clamp_", [&] { t.clamp_(0.0, 1.0); }},
  };
  for (const auto& [name, op] : ops) {
    INFO(std::string(name));
    const uint32_t before = t.version();
    op();
    CHECK(t.version() == before + 1);
  }
}

TEST_CASE("in-place ops compute the right values") {
  tg::Tensor t = tg::tensor({1.f, -2.f, 3.f});
  t.add_(tg::tensor({1.f, 1.f, 1.f}), 2.0);
  CHECK(t.to_vector<float>() == std::vector<float>{3, 0, 5});
  t.sub_(tg::tensor(1.f));
  CHECK(t.to_vector<float>() == std::vector<float>{2, -1, 4});
  t.mul_(tg::tensor({2.f, 3.f, 0.5f}));
  CHECK(t.to_vector<float>() == std::vector<float>{4, -3, 2});
  t.div_(4.0);
  CHECK(t.to_vector<float>() == std::vector<float>{1, -0.75f, 0.5f});
  t.clamp_(-0.5, std::nullopt);
  CHECK(t.to_vector<float>() == std::vector<float>{1, -0.5f, 0.5f});
  t.add_(-0.5);
  CHECK(t.to_vector<float>() == std::vector<float>{0.5f, -1, 0});
}

TEST_CASE("an in-place op on a leaf that requires grad is refused and leaves it untouched") {
  tg::Tensor w = tg::ones({2}).requires_grad_();
  const char* message = "a leaf tensor that requires grad is being used in an in-place operation";
  CHECK_THROWS_WITH_AS(w.add_(1.0), doctest::Contains(message), tg::Error);
  CHECK_THROWS_WITH_AS(w.mul_(tg::ones({2})), doctest::Contains("mul_:"), tg::Error);
  CHECK_THROWS_WITH_AS(w.zero_(), doctest::Contains("fill_:"), tg::Error);
  CHECK_THROWS_WITH_AS(w.copy_(tg::zeros({2})), doctest::Contains("NoGradGuard"), tg::Error);
  CHECK_THROWS_WITH_AS(w.clamp_(0.0, 0.5), doctest::Contains(message), tg::Error);
  CHECK_THROWS_WITH_AS(w.div_(2.0), doctest::Contains(message), tg::Error);
  CHECK(w.to_vector<float>() == std::vector<float>{1, 1});
  CHECK(w.version() == 0);
}

TEST_CASE("under NoGradGuard a leaf that requires grad may be updated in place and stays a leaf") {
  tg::Tensor w = tg::ones({2}).requires_grad_();
  {
    tg::NoGradGuard no_grad;
    w.add_(tg::tensor({1.f, 2.f}), -0.5);
  }
  CHECK(w.to_vector<float>() == std::vector<float>{0.5f, 0.0f});
  CHECK(w.is_leaf());
  CHECK(w.requires_grad());
  CHECK(w.grad_fn_name().empty());
  CHECK(w.version() == 1);
}

TEST_CASE("differentiable in-place ops on a non-leaf: y = x*2; y.add_(1); y.mul_(3)") {
  tg::Tensor x = tg::tensor({1.f, 2.f}).requires_grad_();
  tg::Tensor y = x * 2.0;
  y.add_(1.0);
  y.mul_(3.0);
  CHECK(y.to_vector<float>() == std::vector<float>{9, 15});
  CHECK(y.grad_fn_name() == "MulBackward0");
  CHECK(y.version() == 2);
  CHECK_FALSE(y.is_leaf());
  y.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{6, 6});
}

TEST_CASE("in-place mul_ by a tensor that requires grad sends it the value before the update") {
  tg::Tensor x = tg::tensor({1.f, 2.f}).requires_grad_();
  tg::Tensor w = tg::tensor({5.f, 7.f}).requires_grad_();
  tg::Tensor y = x * 3.0;  // 3, 6
  y.mul_(w);               // 15, 42
  y.add_(w, 2.0);          // 25, 56
  y.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{15, 21});  // 3 w
  CHECK(w.grad().to_vector<float>() == std::vector<float>{5, 8});    // old y + 2
}

TEST_CASE("fill_, zero_ and copy_ on a non-leaf cut the gradient to the old value") {
  tg::Tensor x = tg::tensor({1.f, 2.f}).requires_grad_();
  tg::Tensor src = tg::tensor({4.f}).requires_grad_();
  tg::Tensor a = x * 2.0;
  a.fill_(7.0);
  tg::Tensor b = x * 2.0;
  b.zero_();
  tg::Tensor c = x * 2.0;
  c.copy_(src);  // broadcasts [1] to [2]
  CHECK(c.to_vector<float>() == std::vector<float>{4, 4});
  (a.sum() + b.sum() + (c * tg::tensor({1.f, 3.f})).sum()).backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{0, 0});
  CHECK(src.grad().to_vector<float>() == std::vector<float>{4});
}

TEST_CASE("copy_ converts dtype and casts the gradient back to the source's dtype") {
  tg::Tensor src = tg::tensor({1.5, 2.5}, tg::kFloat64).requires_grad_();
  tg::Tensor dst = tg::zeros({2}).requires_grad_() * 1.0;  // float32 non-leaf
  dst.copy_(src);
  CHECK(dst.dtype() == tg::kFloat32);
  dst.sum().backward();
  CHECK(src.grad().dtype() == tg::kFloat64);
  CHECK(src.grad().to_vector<double>() == std::vector<double>{1, 1});
}

TEST_CASE("clamp_ and div_ on a non-leaf have the out-of-place gradients") {
  tg::Tensor x = tg::tensor({-2.f, 0.5f, 3.f}).requires_grad_();
  tg::Tensor y = x * 1.0;
  y.clamp_(-1.0, 1.0);
  y.div_(4.0);
  y.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{0, 0.25f, 0});
}

TEST_CASE("gradcheck passes through a chain of in-place updates") {
  const tg::Tensor a = tg::tensor({{0.7, -1.3}, {2.1, 0.4}}, tg::kFloat64).requires_grad_();
  const tg::Tensor b = tg::tensor({1.1, -0.6}, tg::kFloat64).requires_grad_();
  CHECK(tg::autograd::gradcheck(
      [](In in) {
        tg::Tensor y = in[0] * 1.0;
        y.add_(in[1], 2.0);
        y.mul_(in[0]);
        y.sub_(in[1]);
        y.clamp_(-3.0, 3.0);
        y.div_(2.0);
        return y;
      },
      {a, b}));
}

TEST_CASE("backward refuses a saved tensor modified in place, naming the op and both versions") {
  tg::Tensor x = tg::tensor({1.f, 2.f}).requires_grad_();
  tg::Tensor w = tg::tensor({3.f, 4.f}).requires_grad_();
  tg::Tensor a = x * 1.0;
  a.add_(1.0);           // version 1
  tg::Tensor z = a * w;  // MulBackward0 saves a at version 1
  a.add_(1.0);           // version 2
  CHECK_THROWS_WITH_AS(z.sum().backward(), doctest::Contains("is at version 2; expected version 1"), tg::Error);
  CHECK_THROWS_WITH_AS(z.sum().backward(), doctest::Contains("backward of MulBackward0"), tg::Error);
  CHECK_THROWS_WITH_AS(z.sum().backward(),
                       doctest::Contains("[torch.FloatTensor [2]], which is output 0 of AddBackward0,"), tg::Error);
  CHECK_THROWS_WITH_AS(z.sum().backward(), doctest::Contains("modified by an inplace operation"), tg::Error);
}

TEST_CASE("an optimizer-style update between forward and backward is caught") {
  tg::Tensor w = tg::tensor({2.0}, tg::kFloat64).requires_grad_();
  const tg::Tensor loss = (w * w).sum();
  {
    tg::NoGradGuard no_grad;
    w.sub_(tg::tensor({0.5}, tg::kFloat64));
  }
  CHECK_THROWS_WITH_AS(loss.backward(), doctest::Contains("[torch.DoubleTensor [1]] is at version 1; expected version 0"),
                       tg::Error);
}

TEST_CASE("an op that saves its output catches an in-place change of that output") {
  tg::Tensor x = tg::tensor({0.5f}).requires_grad_();
  tg::Tensor y = x.exp();
  y.mul_(2.0);
  CHECK_THROWS_WITH_AS(y.sum().backward(), doctest::Contains("output 0 of ExpBackward0, is at version 1"), tg::Error);
}

TEST_CASE("in-place changes to tensors no backward reads are allowed") {
  tg::Tensor x = tg::tensor({1.f, 2.f}).requires_grad_();
  tg::Tensor c = tg::tensor({3.f, 4.f});
  tg::Tensor y = x + c;  // AddBackward0 saves nothing
  c.mul_(10.0);
  y.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{1, 1});
}

TEST_CASE("a differentiable in-place op on a view is refused with a hint") {
  tg::Tensor x = tg::ones({2, 2}).requires_grad_();
  tg::Tensor y = x * 1.0;
  CHECK_THROWS_WITH_AS(y[0].add_(1.0), doctest::Contains("an in-place op on a view"), tg::Error);
  tg::Tensor base = tg::zeros({2, 2});
  CHECK_THROWS_WITH_AS(base[0].copy_(x[1]), doctest::Contains("clone() the view first"), tg::Error);
  CHECK(y.to_vector<float>() == std::vector<float>(4, 1.0f));
  CHECK(base.to_vector<float>() == std::vector<float>(4, 0.0f));
}

TEST_CASE("in-place ops on integer tensors work and record nothing") {
  tg::Tensor ids = tg::tensor({1, 2, 3});
  ids.add_(tg::tensor({1, 1, 1}));
  ids.mul_(2.0);
  CHECK(ids.to_vector<int64_t>() == std::vector<int64_t>{4, 6, 8});
  CHECK(ids.dtype() == tg::kInt64);
  CHECK_FALSE(ids.requires_grad());
}

TEST_CASE("in-place ops refuse a sparse destination and an operand that does not broadcast") {
  tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{0}}), tg::ones({1}), {2});
  CHECK_THROWS_WITH_AS(s.add_(1.0), doctest::Contains("sparse"), tg::TypeError);
  tg::Tensor t = tg::ones({2});
  CHECK_THROWS_WITH_AS(t.add_(tg::ones({2, 2})), doctest::Contains("does not broadcast to the destination"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(t.mul_(tg::ones({3})), doctest::Contains("cannot be broadcast"), tg::ValueError);
  CHECK(t.to_vector<float>() == std::vector<float>{1, 1});
  CHECK(t.version() == 0);
}

TEST_CASE("writing into an expanded tensor is refused: its elements share memory") {
  tg::Tensor e = tg::ones({1}).expand({3});
  CHECK_THROWS_WITH_AS(e.add_(tg::ones({3})), doctest::Contains("stride 0 in dim 0 (an expanded tensor)"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(e.mul_(2.0), doctest::Contains("clone() it first"), tg::ValueError);
  CHECK_THROWS_WITH_AS(e.copy_(tg::arange(3, tg::kFloat32)), doctest::Contains("overlapping memory"), tg::ValueError);
  CHECK(e.to_vector<float>() == std::vector<float>{1, 1, 1});
  e.fill_(2.0);  // every element gets the same value: allowed, as in PyTorch
  CHECK(e.to_vector<float>() == std::vector<float>{2, 2, 2});
}

#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include "../support/golden.h"


namespace {

tg::Tensor ids(std::vector<int64_t> values) { return tg::from_vector(values); }

// out.backward(g) with g from linalg.txt, then checks out and the named input grads.
void check_golden(const std::string& prefix, const tg::Tensor& out,
                  const std::vector<std::pair<std::string, tg::Tensor>>& inputs) {
  golden::linalg.check_close(out, prefix + "/out", 1e-10, 1e-10);
  out.backward(golden::linalg.tensor(prefix + "/g"));
  for (const auto& [name, input] : inputs)
    golden::linalg.check_close(input.grad(), prefix + "/grad_" + name, 1e-10, 1e-10);
}

}  // namespace

// ---- index_select

TEST_CASE("index_select matches PyTorch along every dim, with int32 and int64 indices") {
  tg::Tensor rows = golden::linalg.leaf("index_select/rows/x");
  check_golden("index_select/rows", rows.index_select(0, ids({2, 0, 2})), {{"x", rows}});
  tg::Tensor cols = golden::linalg.leaf("index_select/cols/x");
  check_golden("index_select/cols", tg::index_select(cols, -1, ids({1, 1, 0, 2})), {{"x", cols}});
  tg::Tensor middle = golden::linalg.leaf("index_select/middle/x");
  check_golden("index_select/middle", middle.index_select(1, tg::tensor({3, 1}, tg::kInt32)), {{"x", middle}});
}

TEST_CASE("index_select reads a transposed view through its strides") {
  tg::Tensor x = golden::linalg.leaf("index_select/transposed/x");
  check_golden("index_select/transposed", x.t().index_select(0, ids({3, 0})), {{"x", x}});
}

TEST_CASE("index_select backward adds the gradients of repeated indices") {
  tg::Tensor x = tg::zeros({3, 2}).requires_grad_();
  tg::Tensor out = x.index_select(0, ids({1, 1, 2}));
  CHECK(out.grad_fn_name() == "IndexSelectBackward0");
  out.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{0, 0, 2, 2, 1, 1});
}

TEST_CASE("index_select with a 0-d index keeps the dim with size 1") {
  tg::Tensor x = tg::tensor({{0.0, 1.0, 2.0}, {3.0, 4.0, 5.0}});
  tg::Tensor out = x.index_select(1, tg::scalar_tensor(2, tg::kInt64));
  CHECK(out.sizes() == tg::Shape{2, 1});
  CHECK(out.to_vector<float>() == std::vector<float>{2, 5});
}

TEST_CASE("index_select passes gradcheck") {
  tg::manual_seed(2);
  tg::Tensor x = tg::randn({3, 4, 2}, tg::kFloat64).requires_grad_();
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) { return in[0].index_select(1, tg::from_vector<int64_t>({3, 0, 3})); },
      {x}));
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) { return in[0].index_select(-1, tg::tensor({1, 1}, tg::kInt32)); }, {x}));
}

TEST_CASE("index_select names the position, value and size of an out-of-range index") {
  tg::Tensor x = tg::zeros({5, 2});
  CHECK_THROWS_WITH_AS(x.index_select(0, ids({1, 7})),
                       doctest::Contains("index_select: index[1] = 7 is out of range for dim 0 of size 5; expected [0, 5)"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(x.index_select(0, ids({-1})), doctest::Contains("index[0] = -1 is out of range"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(x.index_select(2, ids({0})), doctest::Contains("dim = 2 is out of range"), tg::IndexError);
}

TEST_CASE("index_select rejects float and 2-d indices") {
  tg::Tensor x = tg::zeros({5, 2});
  CHECK_THROWS_WITH_AS(x.index_select(0, tg::tensor({1.0})), doctest::Contains("expected torch.int64 or torch.int32"),
                       tg::TypeError);
  CHECK_THROWS_WITH_AS(x.index_select(0, tg::tensor({{1}}, tg::kInt64)), doctest::Contains("expected a 1-d"),
                       tg::ValueError);
}

// ---- index_add_

TEST_CASE("index_add_ matches PyTorch, alpha and repeated indices included") {
  tg::Tensor x = golden::linalg.leaf("index_add/rows/x"), src = golden::linalg.leaf("index_add/rows/src");
  tg::Tensor out = x.clone();
  out.index_add_(0, ids({0, 2, 0}), src, 2.5);
  CHECK(out.grad_fn_name() == "IndexAddBackward0");
  check_golden("index_add/rows", out, {{"x", x}, {"src", src}});

  tg::Tensor y = golden::linalg.leaf("index_add/cols/x"), src2 = golden::linalg.leaf("index_add/cols/src");
  tg::Tensor out2 = y.clone();
  out2.index_add_(-1, tg::tensor({3, 3, 1}, tg::kInt32), src2);
  check_golden("index_add/cols", out2, {{"x", y}, {"src", src2}});
}

TEST_CASE("index_add_ adds in place, bumps the version and keeps integer dtypes") {
  tg::Tensor counts = tg::zeros({3}, tg::kInt64);
  const uint32_t before = counts.version();
  counts.index_add_(0, ids({0, 0, 2}), tg::ones({3}, tg::kInt64), 2.0);
  CHECK(counts.to_vector<int64_t>() == std::vector<int64_t>{4, 0, 2});
  CHECK(counts.version() == before + 1);
}

TEST_CASE("index_add_ writes through a non-contiguous tensor") {
  tg::Tensor base = tg::zeros({2, 3});
  tg::Tensor view = base.t();  // (3, 2), column-major over base
  view.index_add_(0, ids({2}), tg::tensor({{1.0, 2.0}}));
  CHECK(base.to_vector<float>() == std::vector<float>{0, 0, 1, 0, 0, 2});
}

TEST_CASE("index_add_ passes gradcheck for both self and source") {
  tg::manual_seed(3);
  tg::Tensor x = tg::randn({4, 3}, tg::kFloat64).requires_grad_();
  tg::Tensor src = tg::randn({4, 2}, tg::kFloat64).requires_grad_();
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) {
        tg::Tensor out = in[0] * 1.0;  // a non-leaf copy to modify in place
        out.index_add_(1, tg::from_vector<int64_t>({2, 0}), in[1], -1.5);
        return out;
      },
      {x, src}));
}

TEST_CASE("index_add_ refuses a leaf that requires grad and a view with history") {
  tg::Tensor w = tg::zeros({3}).requires_grad_();
  CHECK_THROWS_WITH_AS(w.index_add_(0, ids({0}), tg::ones({1})), doctest::Contains("leaf tensor that requires grad"),
                       tg::Error);
  tg::Tensor view = (w * 1.0).narrow(0, 0, 2);
  CHECK_THROWS_WITH_AS(view.index_add_(0, ids({0}), tg::ones({1})), doctest::Contains("in-place op on a view"),
                       tg::Error);
  tg::NoGradGuard no_grad;
  w.index_add_(0, ids({1}), tg::ones({1}));  // optimizers update leaves this way
  CHECK(w.to_vector<float>() == std::vector<float>{0, 1, 0});
}

TEST_CASE("index_add_ checks the index, the source's shape and its dtype") {
  tg::Tensor x = tg::zeros({5, 2});
  CHECK_THROWS_WITH_AS(x.index_add_(0, ids({5}), tg::ones({1, 2})),
                       doctest::Contains("index_add_: index[0] = 5 is out of range for dim 0 of size 5"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(x.index_add_(0, ids({0}), tg::ones({2})), doctest::Contains("source has shape [2]"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(x.index_add_(0, ids({0, 1}), tg::ones({1, 2})), doctest::Contains("2 indices along dim 0"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(x.index_add_(0, ids({0}), tg::ones({1, 2}, tg::kFloat64)),
                       doctest::Contains("source has dtype torch.float64"), tg::TypeError);
  CHECK(x.sum().item<float>() == 0.0f);  // nothing was written
}

// ---- cat and stack

TEST_CASE("cat matches PyTorch along the first and the last dim") {
  tg::Tensor a = golden::linalg.leaf("cat/rows/a"), b = golden::linalg.leaf("cat/rows/b");
  tg::Tensor c = golden::linalg.leaf("cat/rows/c");
  tg::Tensor out = tg::cat({a, b, c}, 0);
  CHECK(out.grad_fn_name() == "CatBackward0");
  check_golden("cat/rows", out, {{"a", a}, {"b", b}, {"c", c}});
  tg::Tensor d = golden::linalg.leaf("cat/last/a"), e = golden::linalg.leaf("cat/last/b");
  check_golden("cat/last", tg::cat({d, e}, -1), {{"a", d}, {"b", e}});
}

TEST_CASE("cat of a transposed view matches PyTorch") {
  tg::Tensor a = golden::linalg.leaf("cat/transposed/a"), b = golden::linalg.leaf("cat/transposed/b");
  check_golden("cat/transposed", tg::cat({a.t(), b}, 1), {{"a", a}, {"b", b}});
}

TEST_CASE("cat sends gradients only to inputs that require grad") {
  tg::Tensor a = tg::ones({1, 2}).requires_grad_(), b = tg::ones({2, 2});
  (tg::cat({a, b}) * tg::tensor({{1.0}, {2.0}, {3.0}})).sum().backward();
  CHECK(a.grad().to_vector<float>() == std::vector<float>{1, 1});
  CHECK_FALSE(b.grad().defined());
}

TEST_CASE("cat passes gradcheck") {
  tg::manual_seed(4);
  std::vector<tg::Tensor> in{tg::randn({2, 3}, tg::kFloat64).requires_grad_(),
                             tg::randn({2, 1}, tg::kFloat64).requires_grad_()};
  CHECK(tg::autograd::gradcheck([](const std::vector<tg::Tensor>& t) { return tg::cat(t, 1); }, in));
}

TEST_CASE("stack matches PyTorch for dims 0, 1 and -1") {
  for (auto [key, dim] : {std::pair{"stack/dim0", 0}, {"stack/dim1", 1}, {"stack/dimm1", -1}}) {
    CAPTURE(key);
    tg::Tensor a = golden::linalg.leaf(std::string(key) + "/a"), b = golden::linalg.leaf(std::string(key) + "/b");
    tg::Tensor out = tg::stack({a, b}, dim);
    CHECK(out.grad_fn_name() == "StackBackward0");
    check_golden(key, out, {{"a", a}, {"b", b}});
  }
}

TEST_CASE("stack of 0-d tensors makes a vector") {
  tg::Tensor out = tg::stack({tg::scalar_tensor(1.0), tg::scalar_tensor(2.0)});
  CHECK(out.sizes() == tg::Shape{2});
  CHECK(out.to_vector<float>() == std::vector<float>{1, 2});
}

TEST_CASE("stack passes gradcheck") {
  tg::manual_seed(5);
  std::vector<tg::Tensor> in{tg::randn({2, 3}, tg::kFloat64).requires_grad_(),
                             tg::randn({2, 3}, tg::kFloat64).requires_grad_()};
  CHECK(tg::autograd::gradcheck([](const std::vector<tg::Tensor>& t) { return tg::stack(t, 1); }, in));
}

TEST_CASE("stack rejects an empty list, unequal shapes and a bad dim") {
  CHECK_THROWS_WITH_AS(tg::stack({}), doctest::Contains("empty list"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::stack({tg::zeros({2}), tg::zeros({3})}),
                       doctest::Contains("stack: tensors[1] has shape [3] but tensors[0] has shape [2]"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::stack({tg::zeros({2})}, 2), doctest::Contains("dim = 2 is out of range"), tg::IndexError);
}

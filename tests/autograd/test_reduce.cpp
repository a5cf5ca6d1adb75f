// Reductions: golden values from PyTorch 1.13 (tests/golden/gen_reduce.py writes
// tests/golden/reduce.txt), hand-worked cases, gradcheck and the error messages.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.h>

#include "../support/fixtures.h"
#include "../support/golden.h"

namespace {

using fixtures::gradcheck;

// ---- the golden file: records "<case>/<field>" of reduce.txt (gen_reduce.py)

struct GoldenCase {
  std::string name, op;
  double p = 0;
  tg::Shape dims;
  bool keepdim = false;
};

std::vector<GoldenCase> golden_cases() {
  std::vector<GoldenCase> out;
  for (const std::string& name : golden::reduce.cases("", "op")) {
    GoldenCase c;
    c.name = name;
    c.op = golden::reduce.text(name + "/op");
    c.p = golden::reduce.scalar(name + "/p");
    if (golden::reduce.has(name + "/dims")) c.dims = golden::reduce.tensor(name + "/dims").to_vector<int64_t>();
    c.keepdim = golden::reduce.scalar(name + "/keepdim") != 0;
    out.push_back(std::move(c));
  }
  return out;
}

// Same dtype and shape, values equal up to float rounding: |a - e| <= rtol (1 + |e|).
void check_matches(const std::string& what, const tg::Tensor& actual, const std::string& key) {
  INFO(what);
  REQUIRE(actual.defined());
  const tg::Tensor expected = golden::reduce.tensor(key);
  CHECK(golden::name_of(actual.dtype()) == golden::name_of(expected.dtype()));
  const double rtol = expected.dtype() == tg::kFloat32 ? 2e-6 : 1e-12;
  golden::check_close(actual, expected, rtol, rtol);
}

// The op a golden case names, returning (values, indices-or-undefined).
std::pair<tg::Tensor, tg::Tensor> run_op(const GoldenCase& c, const tg::Tensor& x) {
  const std::string& op = c.op;
  const int64_t d = c.dims.empty() ? 0 : c.dims[0];
  if (op == "sum") return {x.sum(), {}};
  if (op == "sum_dims") return {x.sum(c.dims, c.keepdim), {}};
  if (op == "mean") return {x.mean(), {}};
  if (op == "mean_dims") return {x.mean(c.dims, c.keepdim), {}};
  if (op == "prod") return {x.prod(), {}};
  if (op == "prod_dim") return {x.prod(d, c.keepdim), {}};
  if (op == "max") return {x.max(), {}};
  if (op == "min") return {x.min(), {}};
  if (op == "max_dim") return tg::max_with_indices(x, d, c.keepdim);
  if (op == "min_dim") return tg::min_with_indices(x, d, c.keepdim);
  if (op == "argmax") return {x.argmax(), {}};
  if (op == "argmin") return {x.argmin(), {}};
  if (op == "argmax_dim") return {x.argmax(d, c.keepdim), {}};
  if (op == "argmin_dim") return {x.argmin(d, c.keepdim), {}};
  if (op == "norm") return {x.norm(c.p), {}};
  if (op == "norm_dim") return {x.norm(c.p, d, c.keepdim), {}};
  FAIL("unknown golden op " << op);
  return {};
}

// Runs every golden case whose op is one of `ops`; returns how many ran.
int check_golden(const std::vector<std::string>& ops) {
  int count = 0;
  for (const GoldenCase& c : golden_cases()) {
    if (std::find(ops.begin(), ops.end(), c.op) == ops.end()) continue;
    ++count;
    INFO("golden case " << c.name);
    const std::string& key = c.name;
    tg::Tensor x = golden::reduce.tensor(key + "/in");
    const bool differentiable = golden::reduce.has(key + "/gout");
    if (differentiable) x.requires_grad_();
    auto [values, indices] = run_op(c, x);
    check_matches("out", values, key + "/out");
    if (golden::reduce.has(key + "/idx")) check_matches("idx", indices, key + "/idx");
    if (!differentiable) {
      CHECK_FALSE(values.requires_grad());
      continue;
    }
    values.backward(golden::reduce.tensor(key + "/gout"));
    if (golden::reduce.is_none(key + "/gin"))
      CHECK_FALSE(x.grad().defined());
    else
      check_matches("gin", x.grad(), key + "/gin");
  }
  return count;
}

tg::Tensor sample(uint64_t seed = 7) {
  tg::manual_seed(seed);
  return tg::randn({2, 3, 4}, tg::kFloat64);
}

}  // namespace

// ---- golden values from PyTorch (forward and gradient)

TEST_CASE("sum matches PyTorch for every dim list, keepdim and dtype") {
  CHECK(check_golden({"sum", "sum_dims"}) > 100);
}

TEST_CASE("mean matches PyTorch for every dim list and keepdim") {
  CHECK(check_golden({"mean", "mean_dims"}) > 100);
}

TEST_CASE("prod matches PyTorch, gradients with one, two and three zeros in a slice included") {
  CHECK(check_golden({"prod", "prod_dim"}) > 60);
}

TEST_CASE("max and min match PyTorch: values, first-index ties, NaN and the gradient routing") {
  CHECK(check_golden({"max", "min", "max_dim", "min_dim"}) > 120);
}

TEST_CASE("argmax and argmin match PyTorch's indices") {
  CHECK(check_golden({"argmax", "argmin", "argmax_dim", "argmin_dim"}) > 120);
}

TEST_CASE("norm matches PyTorch for p = 1, 2, 3.5, 0.5, 0, -1, inf, -inf with and without dims") {
  CHECK(check_golden({"norm", "norm_dim"}) > 200);
}

// ---- hand-worked cases

TEST_CASE("the backward nodes carry PyTorch 1.13's names") {
  const tg::Tensor x = tg::tensor({{1.0, 2.0}, {3.0, 4.0}}).requires_grad_();
  CHECK(x.sum().grad_fn_name() == "SumBackward0");
  CHECK(x.sum(1).grad_fn_name() == "SumBackward1");
  CHECK(x.mean().grad_fn_name() == "MeanBackward0");
  CHECK(x.mean(-1, true).grad_fn_name() == "MeanBackward1");
  CHECK(x.prod().grad_fn_name() == "ProdBackward0");
  CHECK(x.prod(0).grad_fn_name() == "ProdBackward1");
  CHECK(x.max().grad_fn_name() == "MaxBackward1");
  CHECK(x.max(0).grad_fn_name() == "MaxBackward0");
  CHECK(x.min().grad_fn_name() == "MinBackward1");
  CHECK(tg::min_with_indices(x, 1).first.grad_fn_name() == "MinBackward0");
  // Python's x.norm(p) passes every dim, so both forms print NormBackward1.
  CHECK(x.norm().grad_fn_name() == "NormBackward1");
  CHECK(x.norm(3.0, 1).grad_fn_name() == "NormBackward1");
  CHECK_FALSE(x.argmax().requires_grad());
  CHECK_FALSE(tg::max_with_indices(x, 0).second.requires_grad());
}

TEST_CASE("prod backward gives the product of the others, and nothing divides by zero") {
  // slices along dim 1: no zero, one zero, two zeros
  tg::Tensor x = tg::tensor({{2.0, 3.0, 4.0}, {2.0, 0.0, 5.0}, {0.0, 7.0, 0.0}}).requires_grad_();
  tg::Tensor y = x.prod(1);
  CHECK(y.to_vector<float>() == std::vector<float>{24, 0, 0});
  y.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{12, 8, 6, 0, 10, 0, 0, 0, 0});
}

TEST_CASE("the full max shares its gradient evenly among tied maxima") {
  tg::Tensor x = tg::tensor({1.0, 3.0, 3.0, -2.0}).requires_grad_();
  x.max().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{0, 0.5f, 0.5f, 0});
}

TEST_CASE("max along a dim returns the first of tied maxima and sends its gradient there") {
  tg::Tensor x = tg::tensor({{1.0, 3.0, 3.0}, {2.0, 2.0, 0.0}}).requires_grad_();
  auto [values, indices] = tg::max_with_indices(x, -1);
  CHECK(values.to_vector<float>() == std::vector<float>{3, 2});
  CHECK(indices.dtype() == tg::kInt64);
  CHECK(indices.to_vector<int64_t>() == std::vector<int64_t>{1, 0});
  values.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{0, 1, 0, 1, 0, 0});
}

TEST_CASE("the 2-norm of the zero vector has gradient 0, not NaN") {
  tg::Tensor x = tg::zeros({3}, tg::kFloat64).requires_grad_();
  x.norm().backward();
  CHECK(x.grad().to_vector<double>() == std::vector<double>{0, 0, 0});
}

TEST_CASE("integer and bool sums give int64; mean of an empty tensor is nan; prod of it is 1") {
  CHECK(tg::tensor({1, 2, 3}, tg::kInt32).sum().dtype() == tg::kInt64);
  const tg::Tensor flags = tg::tensor({{true, false}, {true, true}});
  CHECK(flags.sum(0).to_vector<int64_t>() == std::vector<int64_t>{2, 1});
  CHECK(std::isnan(tg::zeros({0}).mean().item<float>()));
  CHECK(tg::zeros({0}).prod().item<float>() == 1.0f);
  CHECK(tg::zeros({0}).sum().item<float>() == 0.0f);
}

TEST_CASE("float32 sums accumulate in double") {
  // 1 + 2^24 copies of 1 in float32 would stall at 2^24; in double it does not.
  const int64_t n = (1 << 24) + 8;
  CHECK(tg::ones({n}).sum().item<float>() == static_cast<float>(n));
  CHECK(tg::ones({2, n / 2}).sum(1).to_vector<float>() == std::vector<float>(2, static_cast<float>(n / 2)));
}

// ---- gradcheck (float64)

TEST_CASE("gradcheck: sum and mean over dims") {
  const tg::Tensor x = sample();
  CHECK(gradcheck([](const tg::Tensor& t) { return t.sum(); }, x));
  CHECK(gradcheck([](const tg::Tensor& t) { return t.sum(tg::Shape{0, -1}, true); }, x));
  CHECK(gradcheck([](const tg::Tensor& t) { return t.mean(); }, x));
  CHECK(gradcheck([](const tg::Tensor& t) { return t.mean(-2); }, x));
  CHECK(gradcheck([](const tg::Tensor& t) { return t.mean(tg::Shape{2, 0}, true); }, x));
}

TEST_CASE("gradcheck: prod, also with a zero in a slice") {
  tg::Tensor x = sample();
  CHECK(gradcheck([](const tg::Tensor& t) { return t.prod(); }, x));
  CHECK(gradcheck([](const tg::Tensor& t) { return t.prod(1); }, x));
  {
    tg::NoGradGuard no_grad;
    x[0][1].narrow(0, 2, 1).fill_(0.0);
  }
  CHECK(gradcheck([](const tg::Tensor& t) { return t.prod(-1, true); }, x));
  CHECK(gradcheck([](const tg::Tensor& t) { return t.prod(); }, x));
}

TEST_CASE("gradcheck: max and min, full and along a dim (no ties)") {
  const tg::Tensor x = sample();
  CHECK(gradcheck([](const tg::Tensor& t) { return t.max(); }, x));
  CHECK(gradcheck([](const tg::Tensor& t) { return t.min(); }, x));
  CHECK(gradcheck([](const tg::Tensor& t) { return t.max(1); }, x));
  CHECK(gradcheck([](const tg::Tensor& t) { return t.min(-1, true); }, x));
}

TEST_CASE("gradcheck: norm for p = 1, 2, 3.5, 0.5, inf, -inf") {
  const tg::Tensor x = sample();
  const double inf = std::numeric_limits<double>::infinity();
  for (double p : {1.0, 2.0, 3.5, 0.5, -1.0, inf, -inf}) {
    CAPTURE(p);
    CHECK(gradcheck([p](const tg::Tensor& t) { return t.norm(p); }, x));
    CHECK(gradcheck([p](const tg::Tensor& t) { return t.norm(p, -1); }, x));
    CHECK(gradcheck([p](const tg::Tensor& t) { return t.norm(p, 0, true); }, x));
  }
}

// ---- errors

TEST_CASE("mean of an integer tensor raises TypeError") {
  CHECK_THROWS_WITH_AS(tg::arange(4).mean(), doctest::Contains("mean: input dtype = torch.int64"), tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::ones({2}, tg::kBool).mean(0), doctest::Contains("expected a floating point dtype"),
                       tg::TypeError);
}

TEST_CASE("norm of an integer tensor raises TypeError") {
  CHECK_THROWS_WITH_AS(tg::arange(4).norm(), doctest::Contains("norm: input dtype = torch.int64"), tg::TypeError);
}

TEST_CASE("max, min, argmax and argmin of an empty tensor raise IndexError naming the op") {
  CHECK_THROWS_WITH_AS(tg::zeros({0}).max(), doctest::Contains("max: input.numel() = 0"), tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::zeros({2, 0}).min(), doctest::Contains("min: input.numel() = 0"), tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::zeros({0}).argmax(), doctest::Contains("argmax: input.numel() = 0"), tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::zeros({2, 0}).max(1), doctest::Contains("max: size of reduced dim 1 = 0"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::zeros({2, 0}).argmin(-1), doctest::Contains("argmin: size of reduced dim 1 = 0"),
                       tg::IndexError);
}

TEST_CASE("a dim out of range raises IndexError for every reduction") {
  const tg::Tensor x = tg::ones({2, 3});
  CHECK_THROWS_WITH_AS(x.sum(2), doctest::Contains("sum: dim = 2 is out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(x.mean(-3), doctest::Contains("mean: dim = -3"), tg::IndexError);
  CHECK_THROWS_WITH_AS(x.prod(5), doctest::Contains("prod: dim = 5"), tg::IndexError);
  CHECK_THROWS_WITH_AS(x.max(2), doctest::Contains("max: dim = 2"), tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::min_with_indices(x, -3), doctest::Contains("min: dim = -3"), tg::IndexError);
  CHECK_THROWS_WITH_AS(x.argmax(2), doctest::Contains("argmax: dim = 2"), tg::IndexError);
  CHECK_THROWS_WITH_AS(x.norm(2.0, 2), doctest::Contains("norm: dim = 2"), tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::tensor(1.0).sum(1), doctest::Contains("sum: dim = 1"), tg::IndexError);
}

TEST_CASE("a dim named twice raises ValueError") {
  CHECK_THROWS_WITH_AS(tg::ones({2, 3}).sum(tg::Shape{0, -2}), doctest::Contains("name one dim twice"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::ones({2, 3}).mean(tg::Shape{1, 1}), doctest::Contains("mean: dims [1, 1]"),
                       tg::ValueError);
}

// ---- strided inputs (the golden inputs are all contiguous)

TEST_CASE("every reduction of a transposed, narrowed view equals that of its contiguous copy") {
  tg::manual_seed(3);
  const tg::Tensor base = tg::randn({4, 5, 6}, tg::kFloat64);
  const tg::Tensor view = base.transpose(0, 2).narrow(1, 1, 3);  // (6, 3, 4), strided
  const tg::Tensor copy = view.contiguous();
  REQUIRE_FALSE(view.is_contiguous());
  const std::vector<std::function<tg::Tensor(const tg::Tensor&)>> ops = {
      [](const tg::Tensor& t) { return t.sum(); },
      [](const tg::Tensor& t) { return t.sum(tg::Shape{0, 2}); },
      [](const tg::Tensor& t) { return t.mean(1, true); },
      [](const tg::Tensor& t) { return t.prod(-1); },
      [](const tg::Tensor& t) { return t.max(); },
      [](const tg::Tensor& t) { return t.min(0); },
      [](const tg::Tensor& t) { return t.argmax(1).to(tg::kFloat64); },
      [](const tg::Tensor& t) { return t.argmin().to(tg::kFloat64); },
      [](const tg::Tensor& t) { return t.norm(3.5, 0); },
      [](const tg::Tensor& t) { return t.norm(-INFINITY); },
  };
  for (size_t i = 0; i < ops.size(); ++i) {
    CAPTURE(i);
    const std::vector<double> expected = golden::values_of(ops[i](copy));
    const std::vector<double> actual = golden::values_of(ops[i](view));
    REQUIRE(actual.size() == expected.size());
    for (size_t k = 0; k < actual.size(); ++k) CHECK(actual[k] == doctest::Approx(expected[k]).epsilon(1e-12));
  }
  CHECK(gradcheck([](const tg::Tensor& t) { return t.narrow(2, 0, 3).transpose(0, 2).prod(1); }, base));
  CHECK(gradcheck([](const tg::Tensor& t) { return t.transpose(0, 1).norm(2.0, -1); }, base));
}

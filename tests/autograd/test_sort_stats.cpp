// sort, argsort, topk, var and std: golden values from PyTorch 1.13
// (tests/golden/gen_sort_stats.py writes tests/golden/sort_stats.txt), ties and NaN
// included; gradcheck; hand-worked cases; the error messages.
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

const golden::File sort_stats{"sort_stats.txt"};

void check_matches(const std::string& what, const tg::Tensor& actual, const std::string& key) {
  INFO(what);
  REQUIRE(actual.defined());
  const tg::Tensor expected = sort_stats.tensor(key);
  CHECK(golden::name_of(actual.dtype()) == golden::name_of(expected.dtype()));
  const double rtol = expected.dtype() == tg::kFloat32 ? 2e-6 : 1e-12;
  golden::check_close(actual, expected, rtol, rtol);
}

bool flag(const std::string& key) { return sort_stats.scalar(key) != 0; }

// The op a golden case names: (values, indices or undefined).
std::tuple<tg::Tensor, tg::Tensor> run_op(const std::string& key, const std::string& op, const tg::Tensor& x) {
  if (op == "sort") {
    const auto dim = static_cast<int64_t>(sort_stats.scalar(key + "/dim"));
    const bool descending = flag(key + "/descending");
    if (sort_stats.is_none(key + "/stable")) return x.sort(dim, descending);
    return x.sort(flag(key + "/stable"), dim, descending);
  }
  if (op == "topk")
    return x.topk(static_cast<int64_t>(sort_stats.scalar(key + "/k")), static_cast<int64_t>(sort_stats.scalar(key + "/dim")),
                  flag(key + "/largest"), flag(key + "/sorted"));
  const double correction = sort_stats.scalar(key + "/correction");
  const bool keepdim = flag(key + "/keepdim");
  const bool is_var = op == "var";
  if (!sort_stats.has(key + "/dims"))
    return {is_var ? x.var(std::nullopt, correction, keepdim) : x.std(std::nullopt, correction, keepdim), {}};
  const tg::Shape dims = sort_stats.tensor(key + "/dims").to_vector<int64_t>();
  return {is_var ? x.var(dims, correction, keepdim) : x.std(dims, correction, keepdim), {}};
}

// Runs every golden case of `op`; returns how many ran.
int check_golden(const std::string& op) {
  int count = 0;
  for (const std::string& key : sort_stats.cases(op + "/", "op")) {
    ++count;
    INFO("golden case " << key);
    tg::Tensor x = sort_stats.tensor(key + "/in");
    const bool differentiable = sort_stats.has(key + "/gout");
    if (differentiable) x.requires_grad_();
    auto [values, indices] = run_op(key, op, x);
    check_matches("out", values, key + "/out");
    if (sort_stats.has(key + "/idx")) check_matches("idx", indices, key + "/idx");
    if (!differentiable) {
      CHECK_FALSE(values.requires_grad());
      continue;
    }
    if (indices.defined()) CHECK_FALSE(indices.requires_grad());
    values.backward(sort_stats.tensor(key + "/gout"));
    check_matches("gin", x.grad(), key + "/gin");
  }
  return count;
}

// Distinct values (finite differences need no ties for sort and topk).
tg::Tensor sample() {
  tg::manual_seed(11);
  return tg::randn({3, 4, 5}, tg::kFloat64);
}

}  // namespace

// ---- golden values

TEST_CASE("sort matches PyTorch: ties stable and not, NaN as the largest, ints, empty and 0-d") {
  CHECK(check_golden("sort") == 29);
}

TEST_CASE("topk matches PyTorch: both selection paths, ties, NaN, k = 0, k = size, empty and 0-d") {
  CHECK(check_golden("topk") == 40);
}

TEST_CASE("var matches PyTorch over all elements and dims, every correction, keepdim, empty and 0-d") {
  CHECK(check_golden("var") > 40);
}

TEST_CASE("std matches PyTorch, a zero std's gradient is 0 and correction >= N gives inf or nan") {
  CHECK(check_golden("std") > 40);
}

// ---- hand-worked cases

TEST_CASE("sort and argsort put NaN last ascending and first descending") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const tg::Tensor x = tg::tensor({2.0, nan, -1.0, 2.0}, tg::kFloat64);
  auto [up, up_index] = x.sort();
  CHECK(up_index.to_vector<int64_t>() == std::vector<int64_t>{2, 0, 3, 1});
  CHECK(std::isnan(up.to_vector<double>()[3]));
  auto [down, down_index] = tg::sort(x, 0, /*descending=*/true);
  CHECK(down_index.to_vector<int64_t>() == std::vector<int64_t>{1, 0, 3, 2});
  CHECK(x.argsort(-1, true).to_vector<int64_t>() == std::vector<int64_t>{1, 0, 3, 2});
  CHECK(tg::argsort(x).to_vector<int64_t>() == std::vector<int64_t>{2, 0, 3, 1});
  CHECK(x.argsort(/*stable=*/true, 0, false).to_vector<int64_t>() == std::vector<int64_t>{2, 0, 3, 1});
  CHECK_FALSE(x.argsort().requires_grad());
}

TEST_CASE("topk's gradient lands on the chosen elements and leaves the others 0") {
  tg::Tensor x = tg::tensor({{1.0, 5.0, 3.0}, {4.0, 0.0, 6.0}}, tg::kFloat64).requires_grad_();
  auto [values, indices] = tg::topk(x, 2);
  CHECK(values.to_vector<double>() == std::vector<double>{5, 3, 6, 4});
  CHECK(indices.to_vector<int64_t>() == std::vector<int64_t>{1, 2, 2, 0});
  CHECK(values.grad_fn_name() == "TopkBackward0");
  values.backward(tg::tensor({{10.0, 20.0}, {30.0, 40.0}}, tg::kFloat64));
  CHECK(x.grad().to_vector<double>() == std::vector<double>{0, 10, 20, 40, 0, 30});
}

TEST_CASE("var and std take libtorch's unbiased flag, a dim, dims and keepdim") {
  const tg::Tensor x = tg::tensor({{1.0, 2.0, 4.0}, {3.0, 3.0, 3.0}}, tg::kFloat64);
  CHECK(x[0].var().item<double>() == doctest::Approx(7.0 / 3));
  CHECK(x[0].var(false).item<double>() == doctest::Approx(14.0 / 9));
  CHECK(x[0].std(true).item<double>() == doctest::Approx(std::sqrt(7.0 / 3)));
  const std::vector<double> rows = x.var(1).to_vector<double>();
  CHECK(rows[0] == doctest::Approx(7.0 / 3));
  CHECK(rows[1] == 0);
  CHECK(x.var(1, 0, true).sizes() == tg::Shape{2, 1});
  CHECK(x.std({0, 1}, 0).item<double>() == doctest::Approx(std::sqrt(x.var(std::nullopt, 0).item<double>())));
  CHECK(x.var(std::nullopt, 1, /*keepdim=*/true).sizes() == tg::Shape{1, 1});
}

// ---- gradcheck (float64)

TEST_CASE("gradcheck: sort and topk along every dim, both directions, sorted or not") {
  const tg::Tensor x = sample();
  for (int64_t dim : {0, 1, -1}) {
    CAPTURE(dim);
    CHECK(gradcheck([dim](const tg::Tensor& t) { return std::get<0>(t.sort(dim)); }, x));
    CHECK(gradcheck([dim](const tg::Tensor& t) { return std::get<0>(t.sort(dim, true)); }, x));
    CHECK(gradcheck([dim](const tg::Tensor& t) { return std::get<0>(t.topk(2, dim)); }, x));
    CHECK(gradcheck([dim](const tg::Tensor& t) { return std::get<0>(t.topk(3, dim, false, false)); }, x));
  }
}

TEST_CASE("gradcheck: var and std over all elements, dims, corrections and keepdim") {
  const tg::Tensor x = sample();
  for (double correction : {0.0, 1.0, 2.5}) {
    CAPTURE(correction);
    CHECK(gradcheck([correction](const tg::Tensor& t) { return t.var(std::nullopt, correction); }, x));
    CHECK(gradcheck([correction](const tg::Tensor& t) { return t.std(std::nullopt, correction); }, x));
    CHECK(gradcheck([correction](const tg::Tensor& t) { return t.var({0, 2}, correction); }, x));
    CHECK(gradcheck([correction](const tg::Tensor& t) { return t.std(1, correction, true); }, x));
    CHECK(gradcheck([correction](const tg::Tensor& t) { return t.std({-1}, correction); }, x));
  }
}

// ---- errors

TEST_CASE("topk names k and the size when k is out of range, and the dim when it is bad") {
  const tg::Tensor x = tg::zeros({2, 3});
  CHECK_THROWS_WITH_AS(x.topk(4), doctest::Contains("topk: k = 4 is out of range for dim -1 of size 3"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(x.topk(-1, 0), doctest::Contains("k = -1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(x.topk(1, 2), doctest::Contains("topk: dim = 2 is out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::ones({2}, tg::kBool).topk(1), doctest::Contains("torch.bool"), tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::Tensor().topk(1), doctest::Contains("topk"), tg::Error);
}

TEST_CASE("sort, argsort, var and std refuse bad dims, integer input and sparse tensors") {
  const tg::Tensor x = tg::zeros({2, 3});
  CHECK_THROWS_WITH_AS(x.sort(-3), doctest::Contains("sort: dim = -3 is out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(x.argsort(2), doctest::Contains("sort: dim = 2 is out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(x.var(5), doctest::Contains("var: dim = 5 is out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(x.std({0, -2}), doctest::Contains("std: dims [0, -2] name one dim twice"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::arange(4).var(), doctest::Contains("var: input dtype = torch.int64"), tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::arange(4).std(0), doctest::Contains("expected a floating point dtype"), tg::TypeError);
  const tg::Tensor sparse = tg::sparse_coo_tensor(tg::tensor({{0, 1}}, tg::kInt64), tg::ones({2}), {3});
  CHECK_THROWS_AS(sparse.sort(), tg::Error);
  CHECK_THROWS_AS(sparse.var(), tg::Error);
}

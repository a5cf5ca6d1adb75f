// Tensor creators: nested lists, vectors, constants, ranges and random draws.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "../support/golden.h"

namespace {

struct Moments {
  double mean = 0, std = 0;
};

Moments moments(const std::vector<double>& v) {
  Moments m;
  for (double x : v) m.mean += x;
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.std += (x - m.mean) * (x - m.mean);
  m.std = std::sqrt(m.std / static_cast<double>(v.size() - 1));
  return m;
}

}  // namespace

// ---------------------------------------------------------------- tg::tensor
TEST_CASE("tensor() infers float32, int64 and bool from nested lists, as torch.tensor") {
  CHECK(tg::tensor({1.f, 2.3f, 3.f}).dtype() == tg::kFloat32);
  CHECK(tg::tensor({1.0, 2.0}).dtype() == tg::kFloat32);  // Python floats give the default dtype
  CHECK(tg::tensor({1, 2}).dtype() == tg::kInt64);
  CHECK(tg::tensor({true, false}).dtype() == tg::kBool);
  CHECK(tg::tensor({1, 2.5}).dtype() == tg::kFloat32);  // any float makes it floating
  CHECK(tg::tensor({{1, 2}, {3, 4}}).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 3, 4});
}

TEST_CASE("tensor() takes any rank and an explicit dtype") {
  const tg::Tensor t = tg::tensor({{1, 2, 4, 5}, {4, 3, 2, 9}}, tg::kInt64);
  CHECK(t.sizes() == tg::Shape{2, 4});
  CHECK(t.strides() == tg::Shape{4, 1});
  const tg::Tensor cube = tg::tensor({{{1}, {2}}, {{3}, {4}}, {{5}, {6}}}, tg::kFloat64);
  CHECK(cube.sizes() == tg::Shape{3, 2, 1});
  CHECK(cube.to_vector<double>() == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(tg::tensor({1.7, -2.7}, tg::kInt32).to_vector<int32_t>() == std::vector<int32_t>{1, -2});  // truncates
}

TEST_CASE("tensor() of a single number is 0-d") {
  const tg::Tensor t = tg::tensor(3.5);
  CHECK(t.dim() == 0);
  CHECK(t.sizes().empty());
  CHECK(t.numel() == 1);
  CHECK(t.item<float>() == 3.5f);
  CHECK(tg::tensor(7).item<int64_t>() == 7);
}

TEST_CASE("tensor() refuses ragged nested lists") {
  CHECK_THROWS_WITH_AS(tg::tensor({{1, 2}, {3}}), doctest::Contains("same length"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::tensor({{1, 2}, 3}), doctest::Contains("equal depth"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::tensor({1, {2, 3}}), doctest::Contains("tensor:"), tg::ValueError);
}

// ---------------------------------------------------------------- from_vector
TEST_CASE("from_vector copies values and takes its dtype from T") {
  std::vector<double> values = {1, 2, 3, 4, 5, 6};
  const tg::Tensor t = tg::from_vector(values, {2, 3});
  values[0] = 100;  // a copy: the tensor does not see this
  CHECK(t.dtype() == tg::kFloat64);
  CHECK(t.sizes() == tg::Shape{2, 3});
  CHECK(t.to_vector<double>()[0] == 1.0);
  CHECK(tg::from_vector(std::vector<int32_t>{1, 2}).dtype() == tg::kInt32);
  CHECK(tg::from_vector(std::vector<int64_t>{1, 2}).dtype() == tg::kInt64);
  CHECK(tg::from_vector(std::vector<float>{1, 2}).dtype() == tg::kFloat32);
  CHECK(tg::from_vector(std::vector<bool>{true, false}, {2}).to_vector<bool>() == std::vector<bool>{true, false});
}

TEST_CASE("from_vector makes 0-d and zero-size tensors") {
  const tg::Tensor scalar = tg::from_vector(std::vector<float>{2.5f}, {});
  CHECK(scalar.dim() == 0);
  CHECK(scalar.item<float>() == 2.5f);
  const tg::Tensor empty = tg::from_vector(std::vector<float>{}, {3, 0});
  CHECK(empty.sizes() == tg::Shape{3, 0});
  CHECK(empty.numel() == 0);
  CHECK(empty.to_vector<float>().empty());
  CHECK(tg::from_vector(std::vector<int64_t>{}).sizes() == tg::Shape{0});
}

TEST_CASE("from_vector refuses a count that does not fill the shape") {
  CHECK_THROWS_WITH_AS(tg::from_vector(std::vector<float>{1, 2, 3}, {2, 2}),
                       doctest::Contains("3 values cannot fill shape [2, 2]"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::from_vector(std::vector<float>{}, {}), doctest::Contains("0 values"), tg::ValueError);
}

// ---------------------------------------------------------------- constants
TEST_CASE("zeros, ones, full and empty have the requested shape, dtype and values") {
  CHECK(tg::zeros({2, 2}).to_vector<float>() == std::vector<float>(4, 0.0f));
  CHECK(tg::ones({3}, tg::kInt32).to_vector<int32_t>() == std::vector<int32_t>{1, 1, 1});
  CHECK(tg::full({2}, 2.5, tg::kFloat64).to_vector<double>() == std::vector<double>{2.5, 2.5});
  CHECK(tg::full({2}, 1, tg::kBool).to_vector<bool>() == std::vector<bool>{true, true});
  CHECK(tg::zeros({}).dim() == 0);
  CHECK(tg::ones({}).item<float>() == 1.0f);
  const tg::Tensor e = tg::empty({4, 0, 2}, tg::kInt64);
  CHECK(e.sizes() == tg::Shape{4, 0, 2});
  CHECK(e.dtype() == tg::kInt64);
  CHECK(e.numel() == 0);
  CHECK(tg::zeros({2, 3}).is_contiguous());
}

TEST_CASE("the *_like creators copy shape and dtype") {
  const tg::Tensor t = tg::ones({2, 3}, tg::kFloat64).t();
  CHECK(tg::zeros_like(t).sizes() == tg::Shape{3, 2});
  CHECK(tg::ones_like(t).dtype() == tg::kFloat64);
  CHECK(tg::full_like(t, 4).to_vector<double>() == std::vector<double>(6, 4.0));
  CHECK(tg::empty_like(t).sizes() == tg::Shape{3, 2});
}

TEST_CASE("creators refuse negative sizes") {
  CHECK_THROWS_WITH_AS(tg::zeros({2, -1}), doctest::Contains("negative dimension -1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::empty({-3}), doctest::Contains("negative dimension"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::full({-1}, 1.0), doctest::Contains("negative dimension"), tg::ValueError);
}

// ---------------------------------------------------------------- ranges
TEST_CASE("arange matches PyTorch, with steps of either sign") {
  golden::core.check_close(tg::arange(10), "arange/10");
  CHECK(tg::arange(10).dtype() == tg::kInt64);
  golden::core.check_close(tg::arange(2, 11, 3), "arange/2_11_3");
  golden::core.check_close(tg::arange(10, 0, -3), "arange/10_0_m3");
  CHECK(tg::arange(0).numel() == 0);
  CHECK(tg::arange(3, 3).numel() == 0);
  CHECK(tg::arange(4, tg::kFloat32).to_vector<float>() == std::vector<float>{0, 1, 2, 3});
}

TEST_CASE("arange refuses a zero step and a step pointing away from end") {
  CHECK_THROWS_WITH_AS(tg::arange(0, 5, 0), doctest::Contains("step = 0"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::arange(5, 0, 1), doctest::Contains("cannot be walked with step 1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::arange(-1), doctest::Contains("arange"), tg::ValueError);
}

TEST_CASE("linspace matches PyTorch and ends exactly at end") {
  golden::core.check_close(tg::linspace(0, 1, 7), "linspace/0_1_7", 0, 0);
  golden::core.check_close(tg::linspace(-2, 3, 6), "linspace/m2_3_6", 0, 0);
  golden::core.check_close(tg::linspace(1, -1, 5, tg::kFloat64), "linspace/1_m1_5_f64", 0, 0);
  golden::core.check_close(tg::linspace(3, 3, 1), "linspace/3_3_1", 0, 0);
  CHECK(tg::linspace(0, 1, 0).numel() == 0);
  CHECK_THROWS_WITH_AS(tg::linspace(0, 1, -2), doctest::Contains("steps = -2"), tg::ValueError);
}

TEST_CASE("eye is the identity") {
  golden::core.check_close(tg::eye(3), "eye/3", 0, 0);
  CHECK(tg::eye(2, tg::kInt64).to_vector<int64_t>() == std::vector<int64_t>{1, 0, 0, 1});
  CHECK(tg::eye(0).sizes() == tg::Shape{0, 0});
}

TEST_CASE("scalar_tensor makes a 0-d tensor of the given dtype") {
  const tg::Tensor t = tg::scalar_tensor(3, tg::kInt32);
  CHECK(t.dim() == 0);
  CHECK(t.item<int32_t>() == 3);
}

// ---------------------------------------------------------------- random
TEST_CASE("manual_seed makes every random creator reproducible") {
  tg::manual_seed(1234);
  const auto n1 = tg::randn({257}).to_vector<float>();
  const auto u1 = tg::rand({5}, tg::kFloat64).to_vector<double>();
  const auto i1 = tg::randint(-3, 9, {50}).to_vector<int64_t>();
  const auto p1 = tg::randperm(20).to_vector<int64_t>();
  tg::manual_seed(1234);
  CHECK(tg::randn({257}).to_vector<float>() == n1);
  CHECK(tg::rand({5}, tg::kFloat64).to_vector<double>() == u1);
  CHECK(tg::randint(-3, 9, {50}).to_vector<int64_t>() == i1);
  CHECK(tg::randperm(20).to_vector<int64_t>() == p1);
  tg::manual_seed(4321);
  CHECK(tg::randn({257}).to_vector<float>() != n1);
}

TEST_CASE("successive draws differ") {
  tg::manual_seed(7);
  CHECK(tg::rand({16}).to_vector<float>() != tg::rand({16}).to_vector<float>());
}

TEST_CASE("randn has mean 0 and standard deviation 1 over 1e5 samples") {
  tg::manual_seed(0);
  for (tg::Dtype dtype : {tg::kFloat32, tg::kFloat64}) {
    const tg::Tensor t = tg::randn({100000}, dtype);
    CHECK(t.dtype() == dtype);
    const Moments m = moments(golden::values_of(t));
    CHECK(std::abs(m.mean) < 0.02);  // standard error 0.003
    CHECK(std::abs(m.std - 1.0) < 0.02);
  }
  // An odd count fills its last element too (Box-Muller draws pairs).
  const auto odd = tg::randn({3, 3}).to_vector<float>();
  CHECK(std::count(odd.begin(), odd.end(), 0.0f) == 0);
}

TEST_CASE("rand is uniform on [0, 1): mean 1/2, std 1/sqrt(12), within range") {
  tg::manual_seed(1);
  for (tg::Dtype dtype : {tg::kFloat32, tg::kFloat64}) {
    const std::vector<double> v = golden::values_of(tg::rand({100000}, dtype));
    const Moments m = moments(v);
    CHECK(std::abs(m.mean - 0.5) < 0.01);
    CHECK(std::abs(m.std - 1.0 / std::sqrt(12.0)) < 0.01);
    CHECK(*std::min_element(v.begin(), v.end()) >= 0.0);
    CHECK(*std::max_element(v.begin(), v.end()) < 1.0);
  }
}

TEST_CASE("randint draws every value of [low, high) about equally often") {
  tg::manual_seed(2);
  const tg::Tensor t = tg::randint(-2, 3, {100000});
  CHECK(t.dtype() == tg::kInt64);
  std::vector<int> counts(5, 0);
  for (int64_t v : t.to_vector<int64_t>()) {
    REQUIRE(v >= -2);
    REQUIRE(v < 3);
    counts[v + 2] += 1;
  }
  for (int c : counts) CHECK(std::abs(c - 20000) < 1000);
  CHECK(tg::randint(10, {4}, tg::kInt32).dtype() == tg::kInt32);
  const tg::Tensor ones = tg::randint(1, 2, {8});
  CHECK(ones.to_vector<int64_t>() == std::vector<int64_t>(8, 1));
}

TEST_CASE("randperm is a permutation of 0..n-1") {
  tg::manual_seed(3);
  const tg::Tensor p = tg::randperm(1000);
  CHECK(p.dtype() == tg::kInt64);
  std::vector<int64_t> v = p.to_vector<int64_t>();
  std::vector<int64_t> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(sorted == expected);
  CHECK(v != expected);  // shuffled
  CHECK(tg::randperm(0).numel() == 0);
  CHECK(tg::randperm(4, tg::kInt32).dtype() == tg::kInt32);
}

TEST_CASE("random creators refuse bad arguments") {
  CHECK_THROWS_WITH_AS(tg::randn({2}, tg::kInt64), doctest::Contains("not floating"), tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::rand({2}, tg::kBool), doctest::Contains("not floating"), tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::randint(3, 3, {2}), doctest::Contains("expected low < high"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::randperm(-1), doctest::Contains("n = -1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::randn({-1}), doctest::Contains("negative dimension"), tg::ValueError);
}

// Sparse COO tensors (docs/gradients.md): construction and its
// checks, coalesce, densifying, and how sparse gradients accumulate into .grad.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include <tapegrad/tapegrad.h>

#include "../support/fixtures.h"

namespace {

// A (V, D) gradient with one row of ones per listed row: what an Embedding lookup
// of `rows` sends back for a loss of sum(output).
tg::Tensor row_gradient(const std::vector<int64_t>& rows, int64_t V = 5, int64_t D = 2) {
  return fixtures::row_gradient(rows, tg::ones({static_cast<int64_t>(rows.size()), D}), V);
}

using fixtures::sparse_lookup;

std::vector<float> dense_values(const tg::Tensor& t) { return t.to_dense().to_vector<float>(); }

}  // namespace

// ---------------------------------------------------------------- construction
TEST_CASE("sparse_coo_tensor keeps indices, values and size") {
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{0, 3}}), tg::tensor({{1.f, 2.f}, {3.f, 4.f}}), {5, 2});
  CHECK(s.is_sparse());
  CHECK(s.sizes() == tg::Shape{5, 2});
  CHECK(s.dim() == 2);
  CHECK(s.dtype() == tg::kFloat32);
  CHECK(s._nnz() == 2);
  CHECK(s.sparse_dim() == 1);
  CHECK(s.dense_dim() == 1);
  CHECK(s.indices().to_vector<int64_t>() == std::vector<int64_t>{0, 3});
  CHECK(s.values().sizes() == tg::Shape{2, 2});
  CHECK_FALSE(s.is_coalesced());
  CHECK_FALSE(s.is_contiguous());
  CHECK(dense_values(s) == std::vector<float>{1, 2, 0, 0, 0, 0, 3, 4, 0, 0});
}

TEST_CASE("sparse_coo_tensor with two sparse dims and scalar values") {
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{0, 2, 0}, {1, 0, 1}}), tg::tensor({1.0, 2.0, 4.0}, tg::kFloat64),
                                             {3, 2});
  CHECK(s.sparse_dim() == 2);
  CHECK(s.dense_dim() == 0);
  CHECK(s.to_dense().to_vector<double>() == std::vector<double>{0, 5, 0, 0, 2, 0});  // duplicates add up
  const tg::Tensor c = s.coalesce();
  CHECK(c.indices().to_vector<int64_t>() == std::vector<int64_t>{0, 2, 1, 0});
  CHECK(c.values().to_vector<double>() == std::vector<double>{5, 2});
}

TEST_CASE("sparse_coo_tensor refuses bad indices, values and sizes") {
  const tg::Tensor values = tg::ones({2, 2});
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(tg::tensor({{0, 1}}, tg::kInt32), values, {5, 2}),
                       doctest::Contains("indices have dtype torch.int32; expected torch.int64"), tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(tg::tensor({0, 1}), values, {5, 2}),
                       doctest::Contains("indices have shape [2]; expected 2-d"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(tg::tensor({{0, 1, 2}}), values, {5, 2}),
                       doctest::Contains("expected its first dim to be nnz = 3"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(tg::tensor({{0, 1}}), values, {5}),
                       doctest::Contains("expected sparse_dim + dense_dim = 1 + 1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(tg::tensor({{0, 1}}), values, {5, 3}),
                       doctest::Contains("expected the dense dims to match"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(tg::tensor({{0, 5}}), values, {5, 2}),
                       doctest::Contains("indices[0][1] = 5 is out of range; expected [0, 5)"), tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(tg::tensor({{-1, 0}}), values, {5, 2}),
                       doctest::Contains("= -1 is out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(tg::tensor({{0, 1}}), tg::ones({}), {5}),
                       doctest::Contains("values have shape []"), tg::ValueError);
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{0}}), tg::ones({1}), {2});
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(s, tg::ones({1}), {2}), doctest::Contains("sparse"), tg::TypeError);
}

TEST_CASE("an empty sparse tensor is coalesced and densifies to zeros") {
  const tg::Tensor s = tg::sparse_coo_tensor(tg::zeros({1, 0}, tg::kInt64), tg::zeros({0, 3}), {4, 3});
  CHECK(s._nnz() == 0);
  CHECK(s.is_coalesced());
  CHECK(dense_values(s) == std::vector<float>(12, 0.0f));
}

TEST_CASE("dense-only accessors refuse sparse tensors and sparse-only ones refuse dense") {
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{0}}), tg::ones({1, 2}), {3, 2});
  CHECK_THROWS_WITH_AS(s.strides(), doctest::Contains("sparse tensor has no strides"), tg::TypeError);
  CHECK_THROWS_WITH_AS(s.data_ptr<float>(), doctest::Contains("use values()"), tg::TypeError);
  CHECK_THROWS_WITH_AS(s.view({6}), doctest::Contains("sparse"), tg::TypeError);
  CHECK_THROWS_WITH_AS(s[0], doctest::Contains("sparse"), tg::TypeError);
  CHECK_THROWS_WITH_AS(s.contiguous(), doctest::Contains("sparse"), tg::TypeError);
  const tg::Tensor d = tg::ones({2});
  CHECK_THROWS_WITH_AS(d.indices(), doctest::Contains("indices: the tensor is dense"), tg::TypeError);
  CHECK_THROWS_WITH_AS(d.values(), doctest::Contains("expected a sparse COO tensor"), tg::TypeError);
  CHECK_THROWS_WITH_AS(d._nnz(), doctest::Contains("dense"), tg::TypeError);
  CHECK_THROWS_WITH_AS(d.coalesce(), doctest::Contains("dense"), tg::TypeError);
  CHECK_THROWS_WITH_AS(d.is_coalesced(), doctest::Contains("dense"), tg::TypeError);
  CHECK(d.to_dense().is_same(d));
}

// ---------------------------------------------------------------- coalesce
TEST_CASE("coalesce sorts indices and sums duplicates (spec 7.1 example)") {
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{3, 1, 3, 0}}),
                                             tg::tensor({{1.f, 1.f}, {2.f, 2.f}, {10.f, 10.f}, {5.f, 5.f}}), {5, 2});
  CHECK_FALSE(s.is_coalesced());
  const tg::Tensor c = s.coalesce();
  CHECK(c.is_coalesced());
  CHECK(c._nnz() == 3);
  CHECK(c.indices().to_vector<int64_t>() == std::vector<int64_t>{0, 1, 3});
  CHECK(c.values().to_vector<float>() == std::vector<float>{5, 5, 2, 2, 11, 11});
  CHECK(dense_values(c) == dense_values(s));
  CHECK_FALSE(s.is_coalesced());  // the original is unchanged
  CHECK(c.coalesce().is_same(c));  // already coalesced: itself
}

TEST_CASE("the is_coalesced flag passed to sparse_coo_tensor is kept") {
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{0, 2}}), tg::ones({2}), {3}, /*is_coalesced=*/true);
  CHECK(s.is_coalesced());
}

TEST_CASE("coalesce keeps the dtype of integer values") {
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{1, 1}}), tg::tensor({2, 3}), {2});
  const tg::Tensor c = s.coalesce();
  CHECK(c.dtype() == tg::kInt64);
  CHECK(c.values().to_vector<int64_t>() == std::vector<int64_t>{5});
}

TEST_CASE("coalesce over a table of 2.1 million rows sums each row's entries in their original order") {
  // Two sparse dims (300, 7000): positions need 22 bits. Values of 1e8 and 1 make the
  // float sum depend on its order, so the reference adds each row's entries left to
  // right, starting from the first entry (then + 0, as coalesce sums into zeros).
  std::mt19937 rng(7);
  std::uniform_int_distribution<int64_t> pick_row(0, 299), pick_col(0, 6999), pick_hot(0, 40);
  const int64_t n = 3000;
  std::vector<int64_t> rows(n), cols(n);
  std::vector<float> values(n);
  std::map<std::pair<int64_t, int64_t>, float> expected;
  for (int64_t k = 0; k < n; ++k) {
    const bool hot = k % 2 == 0;  // half the entries fall on 41 cells: many repeats
    rows[k] = hot ? pick_hot(rng) : pick_row(rng);
    cols[k] = hot ? 3 * pick_hot(rng) : pick_col(rng);
    values[k] = k % 3 == 0 ? 1e8f : (k % 3 == 1 ? -1e8f : 1.0f);
    const auto cell = std::make_pair(rows[k], cols[k]);
    const auto it = expected.find(cell);
    if (it == expected.end()) expected.emplace(cell, values[k]);
    else it->second = it->second + values[k];
  }
  std::vector<int64_t> flat_indices = rows;
  flat_indices.insert(flat_indices.end(), cols.begin(), cols.end());
  const tg::Tensor s = tg::sparse_coo_tensor(tg::from_vector(flat_indices, {2, n}), tg::from_vector(values, {n}),
                                             {300, 7000});
  const tg::Tensor c = s.coalesce();
  const int64_t unique = static_cast<int64_t>(expected.size());
  REQUIRE(c._nnz() == unique);
  const std::vector<int64_t> idx = c.indices().to_vector<int64_t>();
  const std::vector<float> sums = c.values().to_vector<float>();
  int64_t u = 0;
  for (const auto& [cell, sum] : expected) {  // std::map: ascending (row, col), as coalesce orders them
    CAPTURE(u);
    CHECK(idx[u] == cell.first);
    CHECK(idx[unique + u] == cell.second);
    CHECK(sums[u] == 0.0f + sum);
    ++u;
  }
}

TEST_CASE("coalesce over a table of 4e18 rows, positions too wide to share 64 bits with an entry number") {
  // Two sparse dims (2e9, 2e9): positions need 62 bits, 5 entries 3 more.
  const int64_t big = 2000000000, last = big - 1;
  const tg::Tensor s = tg::sparse_coo_tensor(
      tg::from_vector(std::vector<int64_t>{3, 0, 3, last, 0, 1, last, 1, 5, last}, {2, 5}),
      tg::tensor({{1.f, 2.f}, {10.f, 20.f}, {100.f, 200.f}, {1000.f, 2000.f}, {3.f, 4.f}}), {big, big, 2});
  const tg::Tensor c = s.coalesce();
  REQUIRE(c._nnz() == 3);
  // (0, last): entries 1 and 4; (3, 1): entries 0 and 2; (last, 5): entry 3.
  CHECK(c.indices().to_vector<int64_t>() == std::vector<int64_t>{0, 3, last, last, 1, 5});
  CHECK(c.values().to_vector<float>() == std::vector<float>{13, 24, 101, 202, 1000, 2000});
}

TEST_CASE("coalesce turns a row summing to -0.0 into +0.0, as PyTorch sums into zeros") {
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{1, 0, 1}}), tg::tensor({-0.0f, -0.0f, -0.0f}), {2});
  const std::vector<float> sums = s.coalesce().values().to_vector<float>();
  REQUIRE(sums.size() == 2);
  CHECK_FALSE(std::signbit(sums[0]));
  CHECK_FALSE(std::signbit(sums[1]));
}

// ---------------------------------------------------------------- copies and dense arithmetic
TEST_CASE("clone, detach and to(dtype) of a sparse tensor stay sparse") {
  const tg::Tensor s = row_gradient({1, 1});
  const tg::Tensor c = s.clone();
  CHECK(c.is_sparse());
  CHECK(c.values().impl()->storage != s.values().impl()->storage);
  CHECK(dense_values(c) == dense_values(s));
  CHECK(s.detach().is_sparse());
  const tg::Tensor d = s.to(tg::kFloat64);
  CHECK(d.is_sparse());
  CHECK(d.dtype() == tg::kFloat64);
  CHECK(s.to_vector<float>() == dense_values(s));  // to_vector densifies
}

TEST_CASE("dense.add_(sparse) adds every entry, duplicates included, scaled by alpha") {
  tg::Tensor d = tg::ones({5, 2});
  const uint32_t v0 = d.version();
  d.add_(row_gradient({4, 0, 4}), 0.5);
  CHECK(d.version() == v0 + 1);
  CHECK(d.to_vector<float>() == std::vector<float>{1.5f, 1.5f, 1, 1, 1, 1, 1, 1, 2, 2});
  tg::Tensor strided = tg::zeros({2, 5}).t();
  strided.add_(row_gradient({2}));
  CHECK(strided.to_vector<float>() == std::vector<float>{0, 0, 0, 0, 1, 1, 0, 0, 0, 0});
  CHECK_THROWS_WITH_AS(d.add_(row_gradient({0}, 4)), doctest::Contains("size [4, 2] cannot be added"),
                       tg::ValueError);
}

TEST_CASE("copy_ from a sparse source densifies it") {
  tg::Tensor d = tg::full({5, 2}, 9);
  d.copy_(row_gradient({3}));
  CHECK(d.to_vector<float>() == std::vector<float>{0, 0, 0, 0, 0, 0, 1, 1, 0, 0});
}

// ---------------------------------------------------------------- accumulation into .grad (spec section 7)
TEST_CASE("mutable_grad() sets and clears a sparse gradient") {
  tg::Tensor w = tg::zeros({5, 2}).requires_grad_();
  w.mutable_grad() = row_gradient({2});
  CHECK(w.grad().is_sparse());
  CHECK(dense_values(w.grad())[4] == 1.0f);
  w.mutable_grad() = tg::Tensor();
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("no .grad + sparse gradient: stored sparse and uncoalesced") {
  tg::Tensor w = tg::zeros({5, 2}).requires_grad_();
  sparse_lookup(w, {1, 3, 1}).sum().backward();
  REQUIRE(w.grad().is_sparse());
  CHECK(w.grad()._nnz() == 3);
  CHECK_FALSE(w.grad().is_coalesced());
  CHECK(w.grad().indices().to_vector<int64_t>() == std::vector<int64_t>{1, 3, 1});
  CHECK(dense_values(w.grad()) == std::vector<float>{0, 0, 2, 2, 0, 0, 1, 1, 0, 0});
}

TEST_CASE("sparse .grad + sparse gradient: accumulated in place into the same object, nnz grows") {
  tg::Tensor w = tg::zeros({5, 2}).requires_grad_();
  sparse_lookup(w, {0, 1}).sum().backward();
  const tg::Tensor held = w.grad();
  sparse_lookup(w, {3, 1}).sum().backward();
  REQUIRE(w.grad().is_sparse());
  CHECK(w.grad()._nnz() == 4);
  CHECK(held._nnz() == 4);  // the holder sees the new entries
  CHECK(dense_values(w.grad()) == std::vector<float>{1, 1, 2, 2, 0, 0, 1, 1, 0, 0});
  CHECK(dense_values(w.grad().coalesce()) == dense_values(w.grad()));
}

TEST_CASE("sparse .grad + dense gradient: .grad is replaced by a new dense tensor") {
  tg::Tensor w = tg::zeros({5, 2}).requires_grad_();
  w.mutable_grad() = row_gradient({4});
  const tg::Tensor held = w.grad();
  (w * 2.0).sum().backward();
  REQUIRE_FALSE(w.grad().is_sparse());
  CHECK(w.grad().to_vector<float>() == std::vector<float>{2, 2, 2, 2, 2, 2, 2, 2, 3, 3});
  CHECK(held.is_sparse());  // the old object is not rewritten
  CHECK(held._nnz() == 1);
}

TEST_CASE("dense .grad + sparse gradient: the dense .grad is updated in place") {
  tg::Tensor w = tg::zeros({5, 2}).requires_grad_();
  w.mutable_grad() = tg::ones({5, 2});
  const tg::Tensor held = w.grad();
  sparse_lookup(w, {2, 2}).sum().backward();
  CHECK_FALSE(w.grad().is_sparse());
  CHECK(w.grad().is_same(held));
  CHECK(held.to_vector<float>() == std::vector<float>{1, 1, 1, 1, 3, 3, 1, 1, 1, 1});
}

TEST_CASE("dense .grad + dense gradient: in place") {
  tg::Tensor w = tg::zeros({2}).requires_grad_();
  (w * 3.0).sum().backward();
  const tg::Tensor held = w.grad();
  (w * 4.0).sum().backward();
  CHECK(w.grad().is_same(held));
  CHECK(held.to_vector<float>() == std::vector<float>{7, 7});
}

TEST_CASE("within one backward two sparse uses give one uncoalesced sparse gradient") {
  tg::Tensor w = tg::zeros({5, 2}).requires_grad_();
  (sparse_lookup(w, {0, 4}).sum() + sparse_lookup(w, {4}).sum()).backward();
  REQUIRE(w.grad().is_sparse());
  CHECK(w.grad()._nnz() == 3);
  CHECK(dense_values(w.grad()) == std::vector<float>{1, 1, 0, 0, 0, 0, 0, 0, 2, 2});
}

TEST_CASE("within one backward a sparse use plus a dense use give a dense gradient") {
  tg::Tensor w = tg::zeros({5, 2}).requires_grad_();
  (sparse_lookup(w, {1}).sum() + (w * 2.0).sum()).backward();
  REQUIRE_FALSE(w.grad().is_sparse());
  CHECK(w.grad().to_vector<float>() == std::vector<float>{2, 2, 3, 3, 2, 2, 2, 2, 2, 2});
}

TEST_CASE("backward from a leaf with an explicit sparse gradient accumulates it") {
  tg::Tensor w = tg::zeros({5, 2}).requires_grad_();
  w.backward(row_gradient({3}));
  REQUIRE(w.grad().is_sparse());
  CHECK(dense_values(w.grad())[6] == 1.0f);
  CHECK_THROWS_WITH_AS(w.backward(row_gradient({3}, 4)), doctest::Contains("the gradient has shape [4, 2]"),
                       tg::ValueError);
}

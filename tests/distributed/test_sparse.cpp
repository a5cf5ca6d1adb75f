// all_reduce and broadcast of sparse COO tensors: ranks holding different rows,
// duplicates, empty gradients, two sparse dims, Avg, and the refusals.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

namespace dist = tg::distributed;

namespace {
int rank() { return dist::get_rank(); }
int world() { return dist::get_world_size(); }

// Rank r's gradient of a (7, 2) table: rows r, r + 3 and r again (a duplicate, as an
// embedding's backward makes), values depending on r and the entry.
tg::Tensor rows_of(int r) {
  const std::vector<int64_t> rows{r, r + 3, r};
  std::vector<float> values;
  for (int k = 0; k < 3; ++k) {
    values.push_back(float(r + 1) * float(k + 1));
    values.push_back(-0.5f * float(k + r));
  }
  return tg::sparse_coo_tensor(tg::from_vector(rows, {1, 3}), tg::from_vector(values, {3, 2}), {7, 2});
}

// The sum of every rank's dense form, computed on this rank.
tg::Tensor expected_sum(tg::Tensor (*make)(int)) {
  tg::Tensor sum = tg::zeros({7, 2});
  for (int r = 0; r < world(); ++r) sum.add_(make(r).to_dense());
  return sum;
}

void check_coalesced_rows(const tg::Tensor& t) {
  CHECK(t.is_coalesced());
  const std::vector<int64_t> rows = t.indices().to_vector<int64_t>();
  for (size_t k = 1; k < rows.size(); ++k) CHECK(rows[k - 1] < rows[k]);
}

tg::Tensor empty_on_rank_1(int r) { return r == 1 ? tg::sparse_coo_tensor(tg::zeros({1, 0}, tg::kInt64), tg::zeros({0, 2}), {7, 2}) : rows_of(r); }
}  // namespace

TEST_CASE("sparse all_reduce sums every rank's rows and coalesces them, in place") {
  tg::Tensor g = rows_of(rank());
  const tg::Tensor handle = g;  // another holder of the same tensor, as a parameter's .grad
  dist::all_reduce(g);
  CHECK(handle.is_same(g));
  check_coalesced_rows(handle);
  CHECK(handle.to_dense().to_vector<float>() == expected_sum(rows_of).to_vector<float>());
  // Rows 0 .. N + 2 are each touched by some rank: the union, each row once.
  CHECK(handle._nnz() == 2 * world() - (world() > 3 ? world() - 3 : 0));

  // Every rank holds the same bits: gather the dense results and compare them.
  std::vector<tg::Tensor> everyone;
  dist::all_gather(everyone, handle.to_dense());
  for (const tg::Tensor& other : everyone) CHECK(other.to_vector<float>() == handle.to_dense().to_vector<float>());
}

TEST_CASE("sparse all_reduce with an empty gradient on one rank, and on all of them") {
  tg::Tensor g = empty_on_rank_1(rank());
  dist::all_reduce(g);
  CHECK(g.to_dense().to_vector<float>() == expected_sum(empty_on_rank_1).to_vector<float>());
  check_coalesced_rows(g);

  tg::Tensor none = tg::sparse_coo_tensor(tg::zeros({1, 0}, tg::kInt64), tg::zeros({0, 2}), {7, 2});
  dist::all_reduce(none, dist::ReduceOp::Avg);
  CHECK(none._nnz() == 0);
  CHECK(none.sizes() == tg::Shape{7, 2});
}

TEST_CASE("sparse all_reduce with Avg divides the summed rows by the world size") {
  tg::Tensor g = rows_of(rank());
  dist::all_reduce(g, dist::ReduceOp::Avg);
  const std::vector<float> sum = expected_sum(rows_of).to_vector<float>();
  const std::vector<float> got = g.to_dense().to_vector<float>();
  for (size_t k = 0; k < sum.size(); ++k) CHECK(got[k] == sum[k] / float(world()));
}

TEST_CASE("sparse all_reduce over two sparse dims, in float64") {
  // Rank r touches (r, 1) twice and (0, 0) once, in a (3, 4, 2) tensor with sparse_dim 2.
  const std::vector<int64_t> idx{rank() % 3, 0, rank() % 3, 1, 0, 1};  // (2, 3): dim0 then dim1
  const tg::Tensor values = tg::full({3, 2}, double(rank() + 1), tg::kFloat64);
  tg::Tensor g = tg::sparse_coo_tensor(tg::from_vector(idx, {2, 3}), values, {3, 4, 2});
  dist::all_reduce(g);
  tg::Tensor expected = tg::zeros({3, 4, 2}, tg::kFloat64);
  for (int r = 0; r < world(); ++r) {
    expected[r % 3][1].add_(tg::full({2}, 2.0 * (r + 1), tg::kFloat64));
    expected[0][0].add_(tg::full({2}, double(r + 1), tg::kFloat64));
  }
  CHECK(g.sparse_dim() == 2);
  CHECK(g.is_coalesced());
  CHECK(g.to_dense().to_vector<double>() == expected.to_vector<double>());
}

TEST_CASE("sparse all_reduce refuses Max and Min, and a mismatched size, on every rank") {
  tg::Tensor g = rows_of(rank());
  CHECK_THROWS_WITH_AS(dist::all_reduce(g, dist::ReduceOp::Max), doctest::Contains("ReduceOp::Max on a sparse"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(dist::all_reduce(g, dist::ReduceOp::Min), doctest::Contains("ReduceOp::Min on a sparse"),
                       tg::ValueError);
  tg::Tensor wrong = rank() == 0 ? rows_of(0) : tg::sparse_coo_tensor(tg::zeros({1, 0}, tg::kInt64), tg::zeros({0, 2}), {8, 2});
  CHECK_THROWS_WITH_AS(dist::all_reduce(wrong),
                       doctest::Contains("rank 0 has sparse torch.float32 [7, 2] with ReduceOp::Sum, rank 1 has "
                                         "sparse torch.float32 [8, 2]"),
                       tg::ValueError);
  // One rank dense, the others sparse: the layouts disagree too.
  tg::Tensor layout = rank() == 0 ? tg::zeros({7, 2}) : rows_of(rank());
  CHECK_THROWS_WITH_AS(dist::all_reduce(layout), doctest::Contains("rank 0 has torch.float32 [7, 2]"), tg::ValueError);
}

TEST_CASE("sparse broadcast gives every rank rank src's entries") {
  const int src = world() - 1;
  tg::Tensor g = rows_of(rank());
  dist::broadcast(g, src);
  CHECK(g.indices().to_vector<int64_t>() == rows_of(src).indices().to_vector<int64_t>());
  CHECK(g.values().to_vector<float>() == rows_of(src).values().to_vector<float>());
  CHECK_FALSE(g.is_coalesced());
}

// all_reduce, broadcast, all_gather and barrier on 2 or 3 ranks (mpirun -np N).
// Each rank builds every rank's input from the rank number, so the expected result
// is computed locally, by hand, on every rank.
#include <doctest/doctest.h>

#include <cstdlib>
#include <thread>

#include <tapegrad/tapegrad.h>

namespace dist = tg::distributed;

namespace {
int rank() { return dist::get_rank(); }
int world() { return dist::get_world_size(); }
// 1 + 2 + ... + N: the sum over ranks of (rank + 1).
double triangle() { return world() * (world() + 1) / 2.0; }
}  // namespace

TEST_CASE("the process group reports mpirun's rank and world size") {
  CHECK(dist::is_initialized());
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  const char* rank_env = std::getenv("OMPI_COMM_WORLD_RANK");
  REQUIRE(size != nullptr);
  REQUIRE(rank_env != nullptr);
  CHECK(world() == std::atoi(size));
  CHECK(rank() == std::atoi(rank_env));
  CHECK(world() >= 2);
  CHECK_THROWS_WITH_AS(dist::init_process_group("mpi"), doctest::Contains("already initialized"), tg::Error);
  CHECK_THROWS_WITH_AS(dist::init_process_group("gloo"), doctest::Contains("backend = \"gloo\""), tg::ValueError);
  dist::barrier();
}

TEST_CASE("dense all_reduce: Sum, Avg, Max and Min of float32, float64 and int64") {
  const double r = rank();
  tg::Tensor f = tg::tensor({{r + 1, -r}, {0.5 * r, 2.0}}, tg::kFloat32);
  dist::all_reduce(f);
  const double n = world(), sum_r = triangle() - n;  // 0 + 1 + ... + (N - 1)
  CHECK(f.to_vector<float>() == std::vector<float>{float(triangle()), float(-sum_r), float(0.5 * sum_r), float(2 * n)});

  tg::Tensor d = tg::tensor({r + 1, 3.0}, tg::kFloat64);
  dist::all_reduce(d, dist::ReduceOp::Avg);
  CHECK(d.to_vector<double>() == std::vector<double>{triangle() / n, 3.0});

  tg::Tensor i = tg::tensor({int64_t(rank()) * 10, int64_t(7) - rank(), (int64_t{1} << 40) + rank()}, tg::kInt64);
  tg::Tensor i_max = i.clone(), i_min = i.clone();
  dist::all_reduce(i);
  dist::all_reduce(i_max, dist::ReduceOp::Max);
  dist::all_reduce(i_min, dist::ReduceOp::Min);
  const int64_t top = world() - 1, sum_ranks = int64_t(sum_r);
  CHECK(i.to_vector<int64_t>() == std::vector<int64_t>{10 * sum_ranks, 7 * world() - sum_ranks,
                                                         world() * (int64_t{1} << 40) + sum_ranks});
  CHECK(i_max.to_vector<int64_t>() == std::vector<int64_t>{10 * top, 7, (int64_t{1} << 40) + top});
  CHECK(i_min.to_vector<int64_t>() == std::vector<int64_t>{0, 7 - top, int64_t{1} << 40});
  CHECK(i.version() > 0);
}

TEST_CASE("dense all_reduce writes through a non-contiguous view and leaves the rest of the base alone") {
  tg::Tensor base = tg::full({3, 4}, -1.0, tg::kFloat64);
  tg::Tensor column_pair = base.narrow(1, 1, 2);  // (3, 2), row stride 4
  tg::Tensor transposed = column_pair.t();        // (2, 3), not contiguous
  REQUIRE_FALSE(transposed.is_contiguous());
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t b = 0; b < 3; ++b) base[b][1 + a].fill_(double(rank() + 1) * (a * 3 + b));
  dist::all_reduce(transposed);
  for (int64_t row = 0; row < 3; ++row) {
    CHECK(base[row][0].item<double>() == -1.0);
    CHECK(base[row][3].item<double>() == -1.0);
    for (int64_t a = 0; a < 2; ++a) CHECK(base[row][1 + a].item<double>() == triangle() * double(a * 3 + row));
  }
}

TEST_CASE("all_reduce refuses what it cannot do on every rank, and the group keeps working") {
  tg::Tensor i = tg::ones({2}, tg::kInt64);
  CHECK_THROWS_WITH_AS(dist::all_reduce(i, dist::ReduceOp::Avg), doctest::Contains("would truncate"), tg::TypeError);
  tg::Tensor b = tg::ones({2}, tg::kBool);
  CHECK_THROWS_WITH_AS(dist::all_reduce(b), doctest::Contains("dtype torch.bool is not supported"), tg::TypeError);

  // Rank 0 has 3 elements, the others 4: every rank raises, naming both shapes.
  tg::Tensor mismatched = tg::ones({rank() == 0 ? 3 : 4});
  CHECK_THROWS_WITH_AS(dist::all_reduce(mismatched),
                       doctest::Contains("the ranks disagree: rank 0 has torch.float32 [3] with ReduceOp::Sum, "
                                         "rank 1 has torch.float32 [4] with ReduceOp::Sum"),
                       tg::ValueError);
  tg::Tensor ops = tg::ones({2});
  CHECK_THROWS_WITH_AS(dist::all_reduce(ops, rank() == 0 ? dist::ReduceOp::Sum : dist::ReduceOp::Max),
                       doctest::Contains("rank 1 has torch.float32 [2] with ReduceOp::Max"), tg::ValueError);
  // Rank 0 in broadcast while the others are in all_reduce.
  tg::Tensor calls = tg::ones({2});
  if (rank() == 0)
    CHECK_THROWS_WITH_AS(dist::broadcast(calls, 0), doctest::Contains("rank 1 called all_reduce"), tg::ValueError);
  else
    CHECK_THROWS_WITH_AS(dist::all_reduce(calls), doctest::Contains("rank 0 called broadcast"), tg::ValueError);

  tg::Tensor after = tg::ones({2});
  dist::all_reduce(after);
  CHECK(after.to_vector<float>() == std::vector<float>{float(world()), float(world())});
}

TEST_CASE("broadcast copies rank src's tensor into every rank's, dense and non-contiguous") {
  const int src = world() - 1;
  tg::Tensor base = tg::full({2, 3}, double(rank()), tg::kFloat32);
  tg::Tensor view = base.t();
  dist::broadcast(view, src);
  CHECK(base.to_vector<float>() == std::vector<float>(6, float(src)));
  tg::Tensor t = tg::ones({2});
  CHECK_THROWS_WITH_AS(dist::broadcast(t, world()), doctest::Contains("src = "), tg::IndexError);
}

TEST_CASE("all_gather gives every rank every rank's tensor, into new or given tensors") {
  const tg::Tensor mine = tg::tensor({int64_t(rank()), int64_t(rank()) * 100}, tg::kInt64);
  std::vector<tg::Tensor> out;
  dist::all_gather(out, mine);
  REQUIRE(static_cast<int>(out.size()) == world());
  for (int r = 0; r < world(); ++r) CHECK(out[r].to_vector<int64_t>() == std::vector<int64_t>{r, 100 * r});

  std::vector<tg::Tensor> given;
  for (int r = 0; r < world(); ++r) given.push_back(tg::zeros({2}, tg::kInt64));
  dist::all_gather(given, mine);
  for (int r = 0; r < world(); ++r) CHECK(given[r].to_vector<int64_t>() == std::vector<int64_t>{r, 100 * r});

  const tg::Tensor uneven = tg::zeros({rank() + 1, 2});
  std::vector<tg::Tensor> ignored;
  CHECK_THROWS_WITH_AS(dist::all_gather(ignored, uneven),
                       doctest::Contains("rank 0 has torch.float32 [1, 2], rank 1 has torch.float32 [2, 2]"),
                       tg::ValueError);
}

TEST_CASE("a thread other than the one that started MPI may call collectives, one at a time") {
  tg::Tensor t = tg::full({3}, double(rank() + 1), tg::kFloat64);
  std::thread worker([&] {
    dist::all_reduce(t);
    dist::barrier();
  });
  worker.join();
  CHECK(t.to_vector<double>() == std::vector<double>(3, triangle()));
}

// The cost of an all_reduce on this machine, for docs/distributed.md. Run under mpirun:
//
//   mpirun -np 2 build/bench/bench_allreduce [--runs 7] [--seconds 0.3]
//
// Not a Google Benchmark program: its runner picks each rank's iteration count on its
// own, and ranks running different numbers of collectives would hang. Here every
// rank runs the same fixed loop. Per buffer size: `runs` timed runs of k calls each
// (k chosen from a first call so that a run lasts about `seconds`), each run's time
// the slowest rank's, and the median over runs. Three ways are timed:
//   MPI_Allreduce       raw, on a float buffer (in place, MPI_SUM);
//   dist::all_reduce    the same through tapegrad (adds the agreement check);
//   sparse all_reduce   a (100000, 100) float32 table's gradient with nnz rows per
//                       rank, drawn from a Zipf-like law (rebuilt before every call).
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.h>

namespace dist = tg::distributed;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// The slowest rank's value.
double slowest(double seconds) {
  MPI_Allreduce(MPI_IN_PLACE, &seconds, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return seconds;
}

struct Timing {
  double median, fastest;  // seconds per call
};

// Seconds per call of `call`, as described at the top: the median run, and the
// fastest (the least disturbed by other processes on a shared machine).
Timing time_per_call(const std::function<void()>& call, int runs, double seconds) {
  call();  // warm up: first-touch of buffers, MPI's connection setup
  MPI_Barrier(MPI_COMM_WORLD);
  double start = now();
  call();
  const double once = slowest(now() - start);
  const int k = std::max(1, std::min(100000, static_cast<int>(seconds / std::max(once, 1e-7))));
  std::vector<double> per_call;
  for (int r = 0; r < runs; ++r) {
    MPI_Barrier(MPI_COMM_WORLD);
    start = now();
    for (int i = 0; i < k; ++i) call();
    per_call.push_back(slowest(now() - start) / k);
  }
  std::sort(per_call.begin(), per_call.end());
  return {per_call[per_call.size() / 2], per_call.front()};
}

}  // namespace

int main(int argc, char** argv) {
  dist::init_process_group("mpi", &argc, &argv);
  int runs = 7;
  double seconds = 0.3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
  }
  const int rank = dist::get_rank(), world = dist::get_world_size();
  if (rank == 0)
    std::printf("# %d ranks, %d runs of ~%.2f s; microseconds per call, median run (fastest run); GB/s = buffer "
                "bytes / median time\n%-10s %22s %7s %22s %7s\n",
                world, runs, seconds, "floats", "MPI_Allreduce", "GB/s", "dist::all_reduce", "GB/s");
  for (const int64_t n : {int64_t{10000}, int64_t{100000}, int64_t{1000000}, int64_t{10000000}}) {
    std::vector<float> raw(n, 1.0f);
    tg::Tensor t = tg::ones({n});
    const Timing t_raw = time_per_call(
        [&] { MPI_Allreduce(MPI_IN_PLACE, raw.data(), static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); },
        runs, seconds);
    const Timing t_dist = time_per_call([&] { dist::all_reduce(t); }, runs, seconds);
    if (rank == 0)
      std::printf("%-10lld %11.1f (%8.1f) %7.2f %11.1f (%8.1f) %7.2f\n", static_cast<long long>(n),
                  t_raw.median * 1e6, t_raw.fastest * 1e6, 4.0 * n / t_raw.median / 1e9, t_dist.median * 1e6,
                  t_dist.fastest * 1e6, 4.0 * n / t_dist.median / 1e9);
  }

  const int64_t rows = 100000, dim = 100;
  if (rank == 0)
    std::printf("\n# sparse all_reduce of a (%lld, %lld) float32 gradient: nnz entries per rank (distinct "
                "rows, Zipf-like), union rows after, microseconds per call: median run (fastest run)\n%-10s %12s %22s\n",
                static_cast<long long>(rows), static_cast<long long>(dim), "nnz/rank", "union rows", "microseconds");
  for (const int64_t nnz : {int64_t{1000}, int64_t{10000}}) {
    std::mt19937 gen(17 + rank);
    std::vector<int64_t> ids;
    std::vector<char> taken(rows, 0);
    while (static_cast<int64_t>(ids.size()) < nnz) {
      // Row ~ rows^u: low rows (frequent words) come up on every rank, high ones rarely.
      const auto row = static_cast<int64_t>(std::pow(double(rows), std::uniform_real_distribution<>(0, 1)(gen))) - 1;
      if (!taken[row]) {
        taken[row] = 1;
        ids.push_back(row);
      }
    }
    const tg::Tensor indices = tg::from_vector(ids, {1, nnz});
    const tg::Tensor values = tg::ones({nnz, dim});
    tg::Tensor result;
    const Timing t_sparse = time_per_call(
        [&] {
          result = tg::sparse_coo_tensor(indices, values, {rows, dim});
          dist::all_reduce(result);
        },
        runs, seconds);
    if (rank == 0)
      std::printf("%-10lld %12lld %11.1f (%8.1f)\n", static_cast<long long>(nnz),
                  static_cast<long long>(result._nnz()), t_sparse.median * 1e6, t_sparse.fastest * 1e6);
  }
  dist::destroy_process_group();
  return 0;
}

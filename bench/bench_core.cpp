// Core costs on one thread: the per-op overhead of recording autograd history, a
// tiny graph's forward + backward, and matmul against a direct cblas_sgemm call on
// the same buffers (the gap is tapegrad's own cost around BLAS).
//
//   cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release && cmake --build build-release -j2
//   ./build-release/bench/bench_core
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>

#include <tapegrad/tapegrad.h>

namespace {

// On a shared machine the fastest repetition is the least disturbed one. (Not for the
// matmuls: a statistic applies to their GFLOP/s counter too, where the minimum misleads.)
double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

// 2 N^3 floating-point operations per N x N matmul, reported per second.
void report_gflops(benchmark::State& state, int64_t n) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_AddRecorded(benchmark::State& state) {
  tg::Tensor a = tg::ones({1}).requires_grad_();
  tg::Tensor b = tg::ones({1});
  for (auto _ : state) {
    tg::Tensor c = a + b;
    benchmark::DoNotOptimize(c.impl());
  }
}
BENCHMARK(BM_AddRecorded)->ComputeStatistics("min", min_of);

void BM_AddNoGrad(benchmark::State& state) {
  tg::Tensor a = tg::ones({1}), b = tg::ones({1});
  for (auto _ : state) {
    tg::Tensor c = a + b;
    benchmark::DoNotOptimize(c.impl());
  }
}
BENCHMARK(BM_AddNoGrad)->ComputeStatistics("min", min_of);

// tanh(x * w + b): three recorded ops, then backward into w and b.
void BM_TanhGraphForwardBackward(benchmark::State& state) {
  tg::Tensor x = tg::full({1}, 0.5);
  tg::Tensor w = tg::full({1}, 0.3).requires_grad_();
  tg::Tensor b = tg::full({1}, -0.1).requires_grad_();
  for (auto _ : state) {
    tg::Tensor y = (x * w + b).tanh();
    y.backward();
  }
  benchmark::DoNotOptimize(w.grad().impl());
}
BENCHMARK(BM_TanhGraphForwardBackward)->ComputeStatistics("min", min_of);

void BM_Matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  tg::Tensor a = tg::randn({n, n}), b = tg::randn({n, n});
  for (auto _ : state) {
    tg::Tensor c = tg::matmul(a, b);
    benchmark::DoNotOptimize(c.raw_data());
  }
  report_gflops(state, n);
}
BENCHMARK(BM_Matmul)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

// The same product with b passed as a t() view: BLAS reads it transposed, no copy.
void BM_MatmulTransposed(benchmark::State& state) {
  const int64_t n = state.range(0);
  tg::Tensor a = tg::randn({n, n}), b = tg::randn({n, n});
  for (auto _ : state) {
    tg::Tensor c = tg::matmul(a, b.t());
    benchmark::DoNotOptimize(c.raw_data());
  }
  report_gflops(state, n);
}
BENCHMARK(BM_MatmulTransposed)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

// The baseline: cblas_sgemm on the same kind of buffers, into a preallocated output.
void BM_DirectSgemm(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  tg::Tensor a = tg::randn({n, n}), b = tg::randn({n, n}), c = tg::zeros({n, n});
  const float* pa = a.data_ptr<float>();
  const float* pb = b.data_ptr<float>();
  float* pc = c.data_ptr<float>();
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, pa, n, pb, n, 0.0f, pc, n);
    benchmark::ClobberMemory();
  }
  report_gflops(state, n);
}
BENCHMARK(BM_DirectSgemm)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  tg::set_num_threads(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

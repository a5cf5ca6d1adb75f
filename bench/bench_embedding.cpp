// Embedding cost on one thread (Google Benchmark): the forward gather against a plain
// row-copy loop, and the sparse backward, which must cost O(indices x dim) whatever the
// table size. V rows, D width, N indices.
//
//   ./build/bench/bench_embedding --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <cstring>
#include <map>

#include <tapegrad/tapegrad.h>
#include <tapegrad/autograd/ops/embedding_backward.h>

namespace {

// One table per (V, D), built once: a 1e6 x 300 table is 1.2 GB.
const tg::Tensor& table(int64_t rows, int64_t width) {
  static std::map<std::pair<int64_t, int64_t>, tg::Tensor> tables;
  auto [it, inserted] = tables.try_emplace({rows, width});
  if (inserted) it->second = tg::randn({rows, width}).requires_grad_();
  return it->second;
}

tg::Tensor random_ids(int64_t rows, int64_t n) { return tg::randint(0, rows, {n}); }

void set_counters(benchmark::State& state, int64_t n, int64_t width) {
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * width * static_cast<int64_t>(sizeof(float)));
}

// The baseline: memcpy of N rows into a preallocated output.
void BM_RowCopyLoop(benchmark::State& state) {
  const int64_t rows = state.range(0), width = state.range(1), n = state.range(2);
  const tg::Tensor& w = table(rows, width);
  const tg::Tensor ids = random_ids(rows, n);
  tg::Tensor out = tg::empty({n, width});
  const float* src = w.data_ptr<float>();
  const int64_t* p = ids.data_ptr<int64_t>();
  for (auto _ : state) {
    float* dst = out.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * width, src + p[i] * width, width * sizeof(float));
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
  }
  set_counters(state, n, width);
}

// The same loop writing into a fresh tg::empty output each time, as any op must: for
// large outputs the first touch of new pages, not the copy, dominates.
void BM_RowCopyLoopFreshOutput(benchmark::State& state) {
  const int64_t rows = state.range(0), width = state.range(1), n = state.range(2);
  const tg::Tensor& w = table(rows, width);
  const tg::Tensor ids = random_ids(rows, n);
  const float* src = w.data_ptr<float>();
  const int64_t* p = ids.data_ptr<int64_t>();
  for (auto _ : state) {
    tg::Tensor out = tg::empty({n, width});
    float* dst = out.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * width, src + p[i] * width, width * sizeof(float));
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
  }
  set_counters(state, n, width);
}

// tg::embedding on a table that requires grad: validation, gather, output and node.
void BM_EmbeddingForward(benchmark::State& state) {
  const int64_t rows = state.range(0), width = state.range(1), n = state.range(2);
  const tg::Tensor& w = table(rows, width);
  const tg::Tensor ids = random_ids(rows, n);
  for (auto _ : state) benchmark::DoNotOptimize(tg::embedding(w, ids));
  set_counters(state, n, width);
}

// The sparse backward kernel: the work EmbeddingBackward0 does with sparse = true.
void BM_SparseBackward(benchmark::State& state) {
  const int64_t rows = state.range(0), width = state.range(1), n = state.range(2);
  const tg::Tensor ids = random_ids(rows, n);
  const tg::Tensor grad = tg::ones({n, width});
  tg::autograd::RowGradOptions options;
  options.num_rows = rows;
  for (auto _ : state) benchmark::DoNotOptimize(tg::autograd::sparse_rows_from_lookups(grad, ids, options));
  set_counters(state, n, width);
}

// Forward and backward through the engine into a sparse .grad, as a training step does.
void BM_SparseForwardBackward(benchmark::State& state) {
  const int64_t rows = state.range(0), width = state.range(1), n = state.range(2);
  tg::nn::Embedding emb(tg::nn::EmbeddingOptions(rows, width)._weight(table(rows, width).detach()).sparse(true));
  const tg::Tensor ids = random_ids(rows, n);
  const tg::Tensor seed = tg::ones({n, width});
  for (auto _ : state) {
    emb(ids).backward(seed);
    emb.weight.mutable_grad() = tg::Tensor();
  }
  set_counters(state, n, width);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int64_t rows : {10'000, 1'000'000})
    for (int64_t width : {64, 300})
      for (int64_t n : {4096, 65536}) b->Args({rows, width, n});
}

void single(benchmark::internal::Benchmark* b) {
  b->Args({10'000, 64, 1});
  b->Args({1'000'000, 64, 1});
}

}  // namespace

BENCHMARK(BM_RowCopyLoop)->Apply(sizes)->Apply(single)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RowCopyLoopFreshOutput)->Apply(sizes)->Apply(single)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EmbeddingForward)->Apply(sizes)->Apply(single)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SparseBackward)->Apply(sizes)->Apply(single)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SparseForwardBackward)->Apply(single)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  tg::set_num_threads(1);
  tg::manual_seed(0);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}

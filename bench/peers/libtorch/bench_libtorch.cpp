// libtorch 1.13 doing what tapegrad's bench_core and bench_embedding measure, with
// the same benchmark names, sizes and statistics, on one thread:
//   issue 2: a 1-element add that records autograd; tanh(x * w + b) forward + backward;
//   issue 3: the embedding forward gather, and the sparse backward kernel
//            (at::embedding_sparse_backward, the work of EmbeddingBackward0 with
//            sparse = true) and a full sparse forward + backward through the engine.
//
//   bench/peers/run_libtorch.sh [benchmark flags]
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <algorithm>
#include <map>

namespace {

double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

void BM_AddRecorded(benchmark::State& state) {
  torch::Tensor a = torch::ones({1}).requires_grad_();
  torch::Tensor b = torch::ones({1});
  for (auto _ : state) {
    torch::Tensor c = a + b;
    benchmark::DoNotOptimize(c.unsafeGetTensorImpl());
  }
}
BENCHMARK(BM_AddRecorded)->ComputeStatistics("min", min_of);

void BM_AddNoGrad(benchmark::State& state) {
  torch::Tensor a = torch::ones({1}), b = torch::ones({1});
  for (auto _ : state) {
    torch::Tensor c = a + b;
    benchmark::DoNotOptimize(c.unsafeGetTensorImpl());
  }
}
BENCHMARK(BM_AddNoGrad)->ComputeStatistics("min", min_of);

void BM_TanhGraphForwardBackward(benchmark::State& state) {
  torch::Tensor x = torch::full({1}, 0.5);
  torch::Tensor w = torch::full({1}, 0.3).requires_grad_();
  torch::Tensor b = torch::full({1}, -0.1).requires_grad_();
  for (auto _ : state) {
    torch::Tensor y = (x * w + b).tanh();
    y.backward();
  }
  benchmark::DoNotOptimize(w.grad().unsafeGetTensorImpl());
}
BENCHMARK(BM_TanhGraphForwardBackward)->ComputeStatistics("min", min_of);

const torch::Tensor& table(int64_t rows, int64_t width) {
  static std::map<std::pair<int64_t, int64_t>, torch::Tensor> tables;
  auto [it, inserted] = tables.try_emplace({rows, width});
  if (inserted) it->second = torch::randn({rows, width}).requires_grad_();
  return it->second;
}

torch::Tensor random_ids(int64_t rows, int64_t n) { return torch::randint(0, rows, {n}, torch::kLong); }

void set_counters(benchmark::State& state, int64_t n, int64_t width) {
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * width * static_cast<int64_t>(sizeof(float)));
}

// torch::embedding on a table that requires grad: gather, output and graph node.
void BM_EmbeddingForward(benchmark::State& state) {
  const int64_t rows = state.range(0), width = state.range(1), n = state.range(2);
  const torch::Tensor& w = table(rows, width);
  const torch::Tensor ids = random_ids(rows, n);
  for (auto _ : state) benchmark::DoNotOptimize(torch::embedding(w, ids).unsafeGetTensorImpl());
  set_counters(state, n, width);
}

// The sparse backward kernel alone (EmbeddingBackward0's work with sparse = true).
void BM_SparseBackward(benchmark::State& state) {
  const int64_t rows = state.range(0), width = state.range(1), n = state.range(2);
  const torch::Tensor ids = random_ids(rows, n);
  const torch::Tensor grad = torch::ones({n, width});
  for (auto _ : state)
    benchmark::DoNotOptimize(at::embedding_sparse_backward(grad, ids, rows, -1, false).unsafeGetTensorImpl());
  set_counters(state, n, width);
}

// Forward and backward through the engine into a sparse .grad, as a training step does.
void BM_SparseForwardBackward(benchmark::State& state) {
  const int64_t rows = state.range(0), width = state.range(1), n = state.range(2);
  torch::nn::Embedding emb(torch::nn::EmbeddingOptions(rows, width)._weight(table(rows, width).detach()).sparse(true));
  const torch::Tensor ids = random_ids(rows, n);
  const torch::Tensor seed = torch::ones({n, width});
  for (auto _ : state) {
    emb(ids).backward(seed);
    emb->weight.mutable_grad() = torch::Tensor();
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

BENCHMARK(BM_EmbeddingForward)->Apply(sizes)->Apply(single)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SparseBackward)->Apply(sizes)->Apply(single)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SparseForwardBackward)->Apply(single)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  at::init_num_threads();
  torch::set_num_threads(1);
  torch::manual_seed(0);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

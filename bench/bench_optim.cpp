// coalesce(), and one optimizer step with a sparse gradient on a (V, 128) float32 table, V = 1e4,
// 1e5, 1e6, on one thread: tapegrad beside a plain single-pass C loop doing the same
// work. A sparse step must cost O(rows x D): flat across V.
//
// The gradient has 4096 entries, a quarter of them repeats of other entries' rows,
// in random order, uncoalesced (as Embedding(sparse = true) emits it).
//
//   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build build-rel --target bench_optim
//   ./build-rel/bench/bench_optim --benchmark_min_time=0.5
// On a shared machine add --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true
// and read the medians (bench/run_all.sh does).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include <tapegrad/tapegrad.h>

namespace {

constexpr int64_t kDim = 128;
constexpr int64_t kEntries = 4096;

struct Batch {
  std::vector<int64_t> rows;  // kEntries, with duplicates
  std::vector<float> values;  // kEntries x kDim
  tg::Tensor grad;            // the same entries as a sparse COO tensor
};

Batch make_batch(int64_t num_rows) {
  std::mt19937_64 rng(42);
  Batch batch;
  std::uniform_int_distribution<int64_t> row(0, num_rows - 1);
  std::vector<int64_t> unique;
  while (static_cast<int64_t>(unique.size()) < kEntries * 3 / 4) {
    const int64_t r = row(rng);
    if (std::find(unique.begin(), unique.end(), r) == unique.end()) unique.push_back(r);
  }
  batch.rows = unique;
  std::uniform_int_distribution<size_t> pick(0, unique.size() - 1);
  while (static_cast<int64_t>(batch.rows.size()) < kEntries) batch.rows.push_back(unique[pick(rng)]);
  std::shuffle(batch.rows.begin(), batch.rows.end(), rng);
  std::normal_distribution<float> normal;
  batch.values.resize(kEntries * kDim);
  for (float& v : batch.values) v = normal(rng);
  batch.grad = tg::sparse_coo_tensor(tg::from_vector(batch.rows, {1, kEntries}),
                                     tg::from_vector(batch.values, {kEntries, kDim}), {num_rows, kDim});
  return batch;
}

// ---- tapegrad

template <class Optimizer, class Options> void run_tapegrad(benchmark::State& state, Options options) {
  tg::set_num_threads(1);
  const int64_t num_rows = state.range(0);
  const Batch batch = make_batch(num_rows);
  tg::Tensor table = tg::zeros({num_rows, kDim}).requires_grad_();
  Optimizer optimizer(std::vector<tg::Tensor>{table}, options);
  // One untimed step creates the lazy state (two (V, 128) moments for SparseAdam), as
  // the plain loops allocate theirs before timing.
  table.mutable_grad() = batch.grad;
  optimizer.step();
  for (auto _ : state) {
    table.mutable_grad() = batch.grad;
    optimizer.step();
  }
  benchmark::DoNotOptimize(table.data_ptr<float>());
}

void BM_SparseAdam_tapegrad(benchmark::State& s) { run_tapegrad<tg::optim::SparseAdam>(s, tg::optim::SparseAdamOptions(1e-3)); }
void BM_Adagrad_sparse_tapegrad(benchmark::State& s) { run_tapegrad<tg::optim::Adagrad>(s, tg::optim::AdagradOptions(1e-2)); }
void BM_SGD_sparse_tapegrad(benchmark::State& s) { run_tapegrad<tg::optim::SGD>(s, tg::optim::SGDOptions(1e-2)); }

// ---- plain loops: coalesce (sort the entries by row, sum repeats into one buffer),
// then update each row once; SGD adds each entry as it comes.
//
// Two flavours of each. "plain": std::vector buffers, no prefetching -- the loops the
// issue's figures come from. "plain_tuned": the same loops given what tapegrad gives
// its own kernels, so the comparison stays fair: buffers from tapegrad's storage
// (2 MiB pages for large tables) and the rows 8 entries ahead prefetched.

constexpr int64_t kAhead = 8;

void prefetch_row(const float* row) {
  const char* bytes = reinterpret_cast<const char*>(row);
  for (int64_t b = 0; b < kDim * static_cast<int64_t>(sizeof(float)); b += 64) __builtin_prefetch(bytes + b, 1, 3);
}

// A zeroed (V, kDim) buffer: a std::vector, or tapegrad storage (huge pages when large).
struct Buffer {
  std::vector<float> vec;
  tg::Tensor tensor;
  float* data = nullptr;
  Buffer(int64_t num_rows, bool tuned) {
    if (tuned) {
      tensor = tg::zeros({num_rows, kDim});
      data = tensor.data_ptr<float>();
    } else {
      vec.assign(num_rows * kDim, 0.0f);
      data = vec.data();
    }
  }
};

template <bool Tuned, class RowUpdate, class Prefetch>
void for_each_coalesced_row(const Batch& batch, std::vector<int64_t>& order, std::vector<float>& sum,
                            RowUpdate&& update, Prefetch&& prefetch) {
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return batch.rows[a] < batch.rows[b]; });
  const size_t n = order.size();
  for (size_t k = 0; k < n;) {
    if constexpr (Tuned) {
      if (k + kAhead < n) {
        prefetch(batch.rows[order[k + kAhead]]);
        prefetch_row(&batch.values[order[k + kAhead] * kDim]);
      }
    }
    const int64_t row = batch.rows[order[k]];
    std::copy_n(&batch.values[order[k] * kDim], kDim, sum.data());
    for (++k; k < n && batch.rows[order[k]] == row; ++k)
      for (int64_t c = 0; c < kDim; ++c) sum[c] += batch.values[order[k] * kDim + c];
    update(row, sum.data());
  }
}

template <bool Tuned> void sparse_adam_plain(benchmark::State& state) {
  const int64_t num_rows = state.range(0);
  const Batch batch = make_batch(num_rows);
  Buffer theta_buf(num_rows, Tuned), m_buf(num_rows, Tuned), v_buf(num_rows, Tuned);
  float *theta = theta_buf.data, *m = m_buf.data, *v = v_buf.data;
  std::vector<float> sum(kDim);
  std::vector<int64_t> order(kEntries);
  const float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  int64_t step = 0;
  auto one_step = [&] {
    ++step;
    const float step_size = static_cast<float>(1e-3 * std::sqrt(1 - std::pow(0.999, step)) / (1 - std::pow(0.9, step)));
    for_each_coalesced_row<Tuned>(batch, order, sum, [&](int64_t row, const float* g) {
      float *t = &theta[row * kDim], *mr = &m[row * kDim], *vr = &v[row * kDim];
      for (int64_t c = 0; c < kDim; ++c) {
        mr[c] += (g[c] - mr[c]) * (1 - beta1);
        vr[c] += (g[c] * g[c] - vr[c]) * (1 - beta2);
        t[c] -= step_size * (mr[c] / (std::sqrt(vr[c]) + eps));
      }
    }, [&](int64_t row) {
      prefetch_row(&theta[row * kDim]);
      prefetch_row(&m[row * kDim]);
      prefetch_row(&v[row * kDim]);
    });
  };
  one_step();  // untimed, as for tapegrad: pages and caches in the same state
  for (auto _ : state) one_step();
  benchmark::DoNotOptimize(theta);
}

template <bool Tuned> void adagrad_sparse_plain(benchmark::State& state) {
  const int64_t num_rows = state.range(0);
  const Batch batch = make_batch(num_rows);
  Buffer theta_buf(num_rows, Tuned), acc_buf(num_rows, Tuned);
  float *theta = theta_buf.data, *acc = acc_buf.data;
  std::vector<float> sum(kDim);
  std::vector<int64_t> order(kEntries);
  const float lr = 1e-2f, eps = 1e-10f;
  auto one_step = [&] {
    for_each_coalesced_row<Tuned>(batch, order, sum, [&](int64_t row, const float* g) {
      float *t = &theta[row * kDim], *a = &acc[row * kDim];
      for (int64_t c = 0; c < kDim; ++c) {
        a[c] += g[c] * g[c];
        t[c] -= lr * (g[c] / (std::sqrt(a[c]) + eps));
      }
    }, [&](int64_t row) {
      prefetch_row(&theta[row * kDim]);
      prefetch_row(&acc[row * kDim]);
    });
  };
  one_step();
  for (auto _ : state) one_step();
  benchmark::DoNotOptimize(theta);
}

template <bool Tuned> void sgd_sparse_plain(benchmark::State& state) {
  const int64_t num_rows = state.range(0);
  const Batch batch = make_batch(num_rows);
  Buffer theta_buf(num_rows, Tuned);
  float* theta = theta_buf.data;
  const float lr = 1e-2f;
  auto one_step = [&] {
    for (int64_t k = 0; k < kEntries; ++k) {
      if constexpr (Tuned)
        if (k + kAhead < kEntries) prefetch_row(&theta[batch.rows[k + kAhead] * kDim]);
      float* t = &theta[batch.rows[k] * kDim];
      const float* g = &batch.values[k * kDim];
      for (int64_t c = 0; c < kDim; ++c) t[c] -= lr * g[c];
    }
  };
  one_step();
  for (auto _ : state) one_step();
  benchmark::DoNotOptimize(theta);
}

// coalesce() alone: sort the entries by row and sum the repeats into a new tensor.
void BM_Coalesce_tapegrad(benchmark::State& state) {
  tg::set_num_threads(1);
  const Batch batch = make_batch(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(batch.grad.coalesce());
}

void BM_Coalesce_plain(benchmark::State& state) {
  const Batch batch = make_batch(state.range(0));
  std::vector<float> sum(kDim), out(kEntries * kDim);
  std::vector<int64_t> order(kEntries), rows(kEntries);
  for (auto _ : state) {
    int64_t n = 0;
    for_each_coalesced_row<false>(batch, order, sum, [&](int64_t row, const float* g) {
      rows[n] = row;
      std::copy_n(g, kDim, &out[n++ * kDim]);
    }, [](int64_t) {});
    benchmark::DoNotOptimize(out.data());
  }
}

void BM_SparseAdam_plain(benchmark::State& s) { sparse_adam_plain<false>(s); }
void BM_SparseAdam_plain_tuned(benchmark::State& s) { sparse_adam_plain<true>(s); }
void BM_Adagrad_sparse_plain(benchmark::State& s) { adagrad_sparse_plain<false>(s); }
void BM_Adagrad_sparse_plain_tuned(benchmark::State& s) { adagrad_sparse_plain<true>(s); }
void BM_SGD_sparse_plain(benchmark::State& s) { sgd_sparse_plain<false>(s); }
void BM_SGD_sparse_plain_tuned(benchmark::State& s) { sgd_sparse_plain<true>(s); }

}  // namespace

void table_sizes(benchmark::internal::Benchmark* b) {
  b->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_Coalesce_tapegrad)->Apply(table_sizes);
BENCHMARK(BM_Coalesce_plain)->Apply(table_sizes);
BENCHMARK(BM_SparseAdam_tapegrad)->Apply(table_sizes);
BENCHMARK(BM_SparseAdam_plain)->Apply(table_sizes);
BENCHMARK(BM_SparseAdam_plain_tuned)->Apply(table_sizes);
BENCHMARK(BM_Adagrad_sparse_tapegrad)->Apply(table_sizes);
BENCHMARK(BM_Adagrad_sparse_plain)->Apply(table_sizes);
BENCHMARK(BM_Adagrad_sparse_plain_tuned)->Apply(table_sizes);
BENCHMARK(BM_SGD_sparse_tapegrad)->Apply(table_sizes);
BENCHMARK(BM_SGD_sparse_plain)->Apply(table_sizes);
BENCHMARK(BM_SGD_sparse_plain_tuned)->Apply(table_sizes);
BENCHMARK_MAIN();

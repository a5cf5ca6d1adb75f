// Intra-op threads and page faults, on wall time (what a second core buys is wall time;
// CPU time can only grow). Not a Google Benchmark: the cases interleave 1- and 2-thread
// runs sample by sample, so a change in the machine's load hits both alike.
//
//   ./build/bench/bench_parallel            # row kernels 1 vs 2 threads, then the step
//   ./build/bench/bench_parallel --sweep    # 1 vs 2 threads by work size (the threshold)
//   ./build/bench/bench_parallel --step     # the skip-gram step only
//   ./build/bench/bench_parallel --case gather --n 16384 --d 64 --threads 2 --iters 2000
//                                           # one kernel in a loop, for perf stat / perf record
//
// Row kernels: V-row tables, N indices drawn uniformly, D wide. The skip-gram step:
// B centre words, each with 1 context and K negatives, summed log-sigmoid loss, sparse
// gradients, SGD; it reports the step's wall time quartiles and the minor page faults
// per step (getrusage) after a warm-up.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <tapegrad/tapegrad.h>
#include <tapegrad/autograd/ops/embedding_backward.h>

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// CPU time of the whole process (every thread): on a loaded machine, time spent
// descheduled shows in wall time but not here.
double cpu_now() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

std::string load() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

// Seconds per call of fn on `threads` threads, over `iters` calls.
double time_calls(const std::function<void()>& fn, int threads, int iters) {
  tg::set_num_threads(threads);
  const double start = now();
  for (int i = 0; i < iters; ++i) fn();
  return (now() - start) / iters;
}

// Medians, and the fastest samples: on a loaded machine the fastest sample is the
// nearest to what the kernel does when it has the cores.
struct Pair {
  double one, two, best_one, best_two;
};

// Median seconds per call on 1 and on 2 threads, samples interleaved.
Pair compare(const std::function<void()>& fn, int samples) {
  fn();
  const double once = std::max(time_calls(fn, 1, 1), 1e-7);
  const int iters = std::max(1, static_cast<int>(0.01 / once));
  std::vector<double> one, two;
  for (int s = 0; s < samples; ++s) {
    one.push_back(time_calls(fn, 1, iters));
    two.push_back(time_calls(fn, 2, iters));
  }
  return {quantile(one, 0.5), quantile(two, 0.5), quantile(one, 0), quantile(two, 0)};
}

void print_pair(const char* name, int64_t n, int64_t d, const Pair& p) {
  std::printf("%-16s N %6lld D %3lld N*D 2^%4.1f  median 1 thread %8.1f us, 2 threads %8.1f us: %.2fx   "
              "fastest %8.1f / %8.1f us: %.2fx\n",
              name, static_cast<long long>(n), static_cast<long long>(d), std::log2(static_cast<double>(n * d)),
              p.one * 1e6, p.two * 1e6, p.one / p.two, p.best_one * 1e6, p.best_two * 1e6, p.best_one / p.best_two);
}

// The four row kernels on one V x D table and N uniform indices.
struct RowCase {
  static constexpr int64_t rows = 100'000;
  RowCase(int64_t n, int64_t d)
      : table(tg::randn({rows, d})), ids(tg::randint(0, rows, {n})), grad(tg::randn({n, d})), dst(tg::zeros({rows, d})) {
    options.num_rows = rows;
  }
  // The kernel called `name`, or an empty function for an unknown name.
  std::function<void()> kernel(const std::string& name) {
    if (name == "gather") return [this] { tg::embedding(table, ids); };
    if (name == "index_select") return [this] { table.index_select(0, ids); };
    // The dense embedding backward: a fresh V x D gradient, zeroed, N rows added.
    if (name == "scatter_add_rows") return [this] { tg::autograd::scatter_add_rows(grad, ids, options); };
    if (name == "index_add_") return [this] { dst.index_add_(0, ids, grad); };
    // index_add_'s work as a plain loop outside the library: on 2 threads, two
    // std::threads each own half the rows (tg::get_num_threads() says how many). What the
    // machine gives a scatter-add without any of tapegrad's machinery.
    if (name == "plain_index_add") return [this] { plain_index_add(); };
    return {};
  }
  void plain_index_add() {
    const int64_t width = dst.size(1), n = ids.numel();
    float* out = dst.data_ptr<float>();
    const float* from = grad.data_ptr<float>();
    const int64_t* pick = ids.data_ptr<int64_t>();
    auto part = [&](int64_t lo, int64_t hi) {
      for (int64_t i = 0; i < n; ++i) {
        if (i + 8 < n && pick[i + 8] >= lo && pick[i + 8] < hi)
          for (int64_t b = 0; b < width; b += 16) __builtin_prefetch(out + pick[i + 8] * width + b, 1, 3);
        if (pick[i] < lo || pick[i] >= hi) continue;
        float* row = out + pick[i] * width;
        const float* src = from + i * width;
        for (int64_t j = 0; j < width; ++j) row[j] += src[j];
      }
    };
    if (tg::get_num_threads() == 1) return part(0, rows);
    std::thread other(part, 0, rows / 2);
    part(rows / 2, rows);
    other.join();
  }
  tg::Tensor table, ids, grad, dst;
  tg::autograd::RowGradOptions options;
};

void row_kernels(int samples) {
  std::printf("# row kernels, wall time medians of %d interleaved samples; load %s\n", samples, load().c_str());
  for (int64_t d : {64, 300})
    for (int64_t n : {4096, 16384, 65536}) {
      RowCase c(n, d);
      for (const char* name : {"gather", "index_select", "scatter_add_rows", "index_add_", "plain_index_add"})
        print_pair(name, n, d, compare(c.kernel(name), samples));
    }
  std::printf("# load after: %s\n", load().c_str());
}

// One kernel `iters` times on `threads` threads: a steady loop for perf stat/record.
int one_case(const std::string& name, int64_t n, int64_t d, int threads, int iters) {
  RowCase c(n, d);
  const std::function<void()> fn = c.kernel(name);
  if (!fn) {
    std::fprintf(stderr, "--case %s: unknown; expected gather, index_select, scatter_add_rows, index_add_ or "
                 "plain_index_add\n", name.c_str());
    return 2;
  }
  fn();
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  const double cpu0 = cpu_now();
  const double seconds = time_calls(fn, threads, iters);
  const double cpu = (cpu_now() - cpu0) / iters;
  getrusage(RUSAGE_SELF, &after);
  // Voluntary switches are threads going to sleep (a pool waiting for work); involuntary
  // ones are the scheduler taking the core away (the machine's load).
  const double calls = iters;
  std::printf("%s N %lld D %lld threads %d: %.1f us per call (wall, %d calls), CPU %.1f us; per call: %.2f voluntary, %.2f "
              "involuntary context switches, %.2f minor faults (load %s)\n",
              name.c_str(), static_cast<long long>(n), static_cast<long long>(d), threads, seconds * 1e6, iters, cpu * 1e6,
              static_cast<double>(after.ru_nvcsw - before.ru_nvcsw) / calls,
              static_cast<double>(after.ru_nivcsw - before.ru_nivcsw) / calls,
              static_cast<double>(after.ru_minflt - before.ru_minflt) / calls, load().c_str());
  return 0;
}

// 1 vs 2 threads by the bytes a kernel moves: where the second thread starts to pay.
void sweep(int samples) {
  std::printf("# sweep, wall time medians of %d interleaved samples; load %s\n", samples, load().c_str());
  for (int64_t kib = 32; kib <= 8192; kib *= 2) {
    const int64_t floats = kib * 1024 / 4;
    const int64_t d = 64, n = floats / d / 2;  // a gather reads and writes each row once
    const tg::Tensor table = tg::randn({100'000, d});
    const tg::Tensor ids = tg::randint(0, 100'000, {n});
    const Pair g = compare([&] { tg::embedding(table, ids); }, samples);
    const tg::Tensor a = tg::randn({floats / 3}), b = tg::randn({floats / 3});
    const Pair add = compare([&] { tg::operator+(a, b); }, samples);
    const Pair ex = compare([&] { a.exp(); }, samples);
    std::printf("work %5lld KiB  2-thread speedup, median (fastest): gather %.2fx (%.2fx, %7.1f us)  "
                "add %.2fx (%.2fx, %7.1f us)  exp %.2fx (%.2fx, %7.1f us)\n",
                static_cast<long long>(kib), g.one / g.two, g.best_one / g.best_two, g.best_one * 1e6,
                add.one / add.two, add.best_one / add.best_two, add.best_one * 1e6, ex.one / ex.two,
                ex.best_one / ex.best_two, ex.best_one * 1e6);
  }
  std::printf("# load after: %s\n", load().c_str());
}

// One skip-gram step as the word2vec example runs it.
void skipgram_step(int threads, int steps) {
  tg::set_num_threads(threads);
  const int64_t vocab = 100'000, dim = 128, batch = 1024, k = 5;
  tg::manual_seed(0);
  tg::nn::Embedding in(tg::nn::EmbeddingOptions(vocab, dim).sparse(true));
  tg::nn::Embedding out(tg::nn::EmbeddingOptions(vocab, dim).sparse(true));
  tg::optim::SGD sgd(std::vector<tg::Tensor>{in.weight, out.weight}, tg::optim::SGDOptions(0.025));
  std::vector<float> sign_values(static_cast<size_t>(batch * (k + 1)), -1.0f);
  for (int64_t i = 0; i < batch; ++i) sign_values[static_cast<size_t>(i * (k + 1))] = 1.0f;
  const tg::Tensor sign = tg::from_vector(sign_values, {batch, k + 1});
  std::vector<double> times, cpu;
  std::vector<long> faults;
  const int warmup = 20;
  for (int s = 0; s < warmup + steps; ++s) {
    const tg::Tensor centers = tg::randint(0, vocab, {batch});
    const tg::Tensor targets = tg::randint(0, vocab, {batch, k + 1});
    const long f0 = minor_faults();
    const double t0 = now(), c0 = cpu_now();
    const tg::Tensor u = in(centers);
    const tg::Tensor v = out(targets);
    const tg::Tensor scores = tg::bmm(v, u.unsqueeze(2)).squeeze(2);
    const tg::Tensor loss = -(scores * sign).logsigmoid().sum();
    loss.item<float>();
    sgd.step_with(tg::autograd::grad({loss}, {in.weight, out.weight}));
    const double t1 = now(), c1 = cpu_now();
    if (s < warmup) continue;
    times.push_back(t1 - t0);
    cpu.push_back(c1 - c0);
    faults.push_back(minor_faults() - f0);
  }
  double mean_faults = 0;
  for (long f : faults) mean_faults += static_cast<double>(f);
  mean_faults /= static_cast<double>(faults.size());
  const long max_faults = *std::max_element(faults.begin(), faults.end());
  std::printf("skip-gram step  threads %d  B %lld K %lld D %lld  p25 %.3f ms  median %.3f ms  p75 %.3f ms  "
              "p75/p25 %.2f  | CPU p25 %.3f median %.3f p75 %.3f ms | minor faults/step mean %.1f max %ld  (load %s)\n",
              threads, static_cast<long long>(batch), static_cast<long long>(k), static_cast<long long>(dim),
              quantile(times, 0.25) * 1e3, quantile(times, 0.5) * 1e3, quantile(times, 0.75) * 1e3,
              quantile(times, 0.75) / quantile(times, 0.25), quantile(cpu, 0.25) * 1e3, quantile(cpu, 0.5) * 1e3,
              quantile(cpu, 0.75) * 1e3, mean_faults, max_faults, load().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  bool only_sweep = false, only_step = false;
  int samples = 15, threads = 1, iters = 1000;
  int64_t n = 16384, d = 64;
  std::string one;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--sweep") == 0) only_sweep = true;
    else if (std::strcmp(argv[i], "--step") == 0) only_step = true;
    else if (std::strcmp(argv[i], "--samples") == 0 && i + 1 < argc) samples = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--case") == 0 && i + 1 < argc) one = argv[++i];
    else if (std::strcmp(argv[i], "--n") == 0 && i + 1 < argc) n = std::atoll(argv[++i]);
    else if (std::strcmp(argv[i], "--d") == 0 && i + 1 < argc) d = std::atoll(argv[++i]);
    else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--iters") == 0 && i + 1 < argc) iters = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "bench_parallel: unknown argument '%s'; expected --sweep, --step, --samples N, "
                           "--case NAME [--n N --d D --threads T --iters I] (see the header comment)\n", argv[i]);
      return 2;
    }
  }
  tg::manual_seed(0);
  if (!one.empty()) return one_case(one, n, d, threads, iters);
  if (only_sweep) {
    sweep(samples);
    return 0;
  }
  if (!only_step) row_kernels(samples);
  for (int threads : {1, 2}) skipgram_step(threads, 300);
  return 0;
}

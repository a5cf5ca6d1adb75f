// tapegrad's optimizer steps and coalesce() beside the hand-written C loops of limits.c
// (its `--only c` section), in the same cases, on one thread, and the ratio tapegrad / C.
//
//   bench_limits_compare --limits path/to/limits.c [--rounds 5] [--budget 0.25] [--clock cpu|wall]
//   TAPEGRAD_LIMITS_C=path/to/limits.c bench_limits_compare
//
// limits.c is not part of this repository: it is compiled here with its own build line
// ($CC, default gcc: -O3 -march=native -fno-math-errno -fopenmp) into a temporary folder
// and run as a child process. Without it only tapegrad's times are printed.
//
// Same work per case as the C loops: D = 128; a gradient of 4096 rows, 3072 distinct plus
// 1024 repeats of them, shuffled, uncoalesced, with the very row ids limits.c draws (its
// generator and seed are reproduced below); lr 0.01, betas (0.9, 0.999), eps 1e-8 (Adagrad
// 1e-10). Each tapegrad case is one public call: optimizer.step() with the gradient set on
// the parameter (SGD, Adagrad, SparseAdam, Adam; default options otherwise), or
// grad.coalesce(). Both sides are timed alike: limits.c's scheme (one warm-up call, an
// inner repeat count so a sample lasts >= 2 ms, samples for `budget` seconds, the median),
// on one clock: with --clock cpu (the default) the process's CPU time, because on a shared
// machine time spent descheduled is nobody's kernel; limits.c's clock_gettime calls are
// redirected to it at link time (-Wl,--wrap), its source untouched. --clock wall keeps
// CLOCK_MONOTONIC on both sides. Rounds alternate which side runs first; the table shows
// the median over rounds of each side's median and of the per-round ratio.
#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.h>

namespace {

constexpr int64_t kDim = 128, kEntries = 4096, kDistinct = 3072;
const std::vector<std::pair<std::string, std::vector<int64_t>>> kCases = {
    {"coalesce", {10000, 1000000}},     {"sgd_sparse", {10000, 1000000}}, {"adagrad_sparse", {10000, 1000000}},
    {"sparse_adam", {10000, 1000000}},  {"sgd_dense", {10000, 100000}},   {"adagrad_dense", {10000, 100000}},
    {"adam_dense", {10000, 100000}}};

clockid_t g_clock = CLOCK_PROCESS_CPUTIME_ID;

double now() {
  timespec ts;
  clock_gettime(g_clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// limits.c's bench(): per-call seconds, the median of samples of >= 2 ms each.
double time_call(const std::function<void()>& f, double budget, int min_samples, int max_samples) {
  f();  // warm-up
  double t0 = now();
  f();
  const double one = std::max(now() - t0, 1e-8);
  const long inner = std::max(1L, static_cast<long>(2e-3 / one));
  std::vector<double> samples;
  if (inner == 1) samples.push_back(one);
  const double end = now() + budget;
  while (static_cast<int>(samples.size()) < max_samples &&
         (static_cast<int>(samples.size()) < min_samples || now() < end)) {
    t0 = now();
    for (long k = 0; k < inner; ++k) f();
    samples.push_back((now() - t0) / static_cast<double>(inner));
  }
  return median(samples);
}

// limits.c's row ids: splitmix64 seeded with the round, 3072 distinct rows by rejection
// plus 1024 repeats, Fisher-Yates shuffled; drawn for V = 1e4, 1e5, 1e6 in that order.
std::map<int64_t, std::vector<int64_t>> limits_rows(int round) {
  uint64_t state = 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(round) * 7919);
  auto next = [&] {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::map<int64_t, std::vector<int64_t>> out;
  for (const int64_t V : {10000, 100000, 1000000}) {
    std::vector<int64_t> idx(kEntries);
    for (int64_t i = 0; i < kDistinct; ++i) {
      int64_t r;
      do r = static_cast<int64_t>(next() % static_cast<uint64_t>(V));
      while (std::find(idx.begin(), idx.begin() + i, r) != idx.begin() + i);
      idx[i] = r;
    }
    for (int64_t i = kDistinct; i < kEntries; ++i) idx[i] = idx[next() % kDistinct];
    for (int64_t i = kEntries - 1; i > 0; --i) std::swap(idx[i], idx[next() % static_cast<uint64_t>(i + 1)]);
    out[V] = std::move(idx);
  }
  return out;
}

tg::Tensor sparse_grad(const std::vector<int64_t>& rows, int64_t V) {
  std::vector<float> values(kEntries * kDim);
  for (size_t i = 0; i < values.size(); ++i) values[i] = 1e-3f * static_cast<float>(i % 7);
  return tg::sparse_coo_tensor(tg::from_vector(rows, {1, kEntries}), tg::from_vector(values, {kEntries, kDim}),
                               {V, kDim});
}

template <class Optimizer, class Options> double time_step(const tg::Tensor& grad, Options options, double budget) {
  tg::Tensor table = tg::full(grad.sizes(), 0.1).requires_grad_();
  Optimizer optimizer(std::vector<tg::Tensor>{table}, options);
  return time_call([&] {
    table.mutable_grad() = grad;
    optimizer.step();
  }, budget, grad.is_sparse() ? 5 : 3, 201);
}

double time_tapegrad(const std::string& op, int64_t V, const std::vector<int64_t>& rows, double budget) {
  using namespace tg::optim;
  if (op == "coalesce") {
    const tg::Tensor grad = sparse_grad(rows, V);
    return time_call([&] { tg::Tensor c = grad.coalesce(); }, budget, 5, 201);
  }
  if (op == "sgd_sparse") return time_step<SGD>(sparse_grad(rows, V), SGDOptions(0.01), budget);
  if (op == "adagrad_sparse") return time_step<Adagrad>(sparse_grad(rows, V), AdagradOptions(0.01), budget);
  if (op == "sparse_adam") return time_step<SparseAdam>(sparse_grad(rows, V), SparseAdamOptions(0.01), budget);
  const tg::Tensor dense = tg::full({V, kDim}, 1e-3);
  if (op == "sgd_dense") return time_step<SGD>(dense, SGDOptions(0.01), budget);
  if (op == "adagrad_dense") return time_step<Adagrad>(dense, AdagradOptions(0.01), budget);
  return time_step<Adam>(dense, AdamOptions(0.01), budget);
}

// A number after "key": in one JSON line of limits.c, or -1.
double json_number(const std::string& line, const std::string& key) {
  const size_t at = line.find("\"" + key + "\":");
  return at == std::string::npos ? -1 : std::atof(line.c_str() + at + key.size() + 3);
}

// Runs limits --only c for one round: {(op, V) -> median seconds}.
std::map<std::pair<std::string, int64_t>, double> run_limits(const std::string& binary, int round, double budget) {
  const std::string command = fmt::format("OMP_NUM_THREADS=1 '{}' --threads 1 --only c --round {} --budget {}",
                                          binary, round, budget);
  std::map<std::pair<std::string, int64_t>, double> out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[1024];
  while (std::fgets(buffer, sizeof buffer, pipe)) {
    const std::string line = buffer;
    const size_t at = line.find("\"op\":\"");
    if (at == std::string::npos) continue;
    const std::string op = line.substr(at + 6, line.find('"', at + 6) - at - 6);
    out[{op, static_cast<int64_t>(json_number(line, "V"))}] = json_number(line, "median_us") * 1e-6;
  }
  pclose(pipe);
  return out;
}

// limits.c times itself with clock_gettime(CLOCK_MONOTONIC); linked with
// --wrap=clock_gettime it reads the process's CPU time instead.
constexpr const char* kCpuClockShim = R"(#include <time.h>
int __real_clock_gettime(clockid_t, struct timespec*);
int __wrap_clock_gettime(clockid_t id, struct timespec* ts) {
  return __real_clock_gettime(id == CLOCK_MONOTONIC ? CLOCK_PROCESS_CPUTIME_ID : id, ts);
}
)";

// Compiles limits.c with its own build line into a temporary folder (removed at exit);
// "" when it cannot.
std::string build_limits(const std::string& source) {
  if (source.empty() || access(source.c_str(), R_OK) != 0) return "";
  char folder[] = "/tmp/tapegrad-limits-XXXXXX";
  if (!mkdtemp(folder)) return "";
  static std::string made;
  made = folder;
  std::atexit([] { std::filesystem::remove_all(made); });
  const std::string binary = std::string(folder) + "/limits", shim = std::string(folder) + "/cpu_clock.c";
  std::string extra;
  if (g_clock == CLOCK_PROCESS_CPUTIME_ID) {
    FILE* f = std::fopen(shim.c_str(), "w");
    if (!f) return "";
    std::fputs(kCpuClockShim, f);
    std::fclose(f);
    extra = fmt::format(" '{}' -Wl,--wrap=clock_gettime", shim);
  }
  const char* cc = std::getenv("CC");
  const std::string command = fmt::format("'{}' -O3 -march=native -fno-math-errno -fopenmp '{}'{} -o '{}' -lm",
                                          cc && *cc ? cc : "gcc", source, extra, binary);
  if (std::system(command.c_str()) != 0) return "";
  return binary;
}

}  // namespace

int main(int argc, char** argv) {
  std::string source = std::getenv("TAPEGRAD_LIMITS_C") ? std::getenv("TAPEGRAD_LIMITS_C") : "";
  int rounds = 5;
  double budget = 0.25;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--limits") source = argv[i + 1];
    else if (flag == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--budget") budget = std::atof(argv[i + 1]);
    else if (flag == "--clock" && (std::strcmp(argv[i + 1], "cpu") == 0 || std::strcmp(argv[i + 1], "wall") == 0))
      g_clock = std::strcmp(argv[i + 1], "cpu") == 0 ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC;
    else {
      std::fprintf(stderr, "bench_limits_compare: bad flag %s %s; expected --limits PATH, --rounds N, --budget S or "
                   "--clock cpu|wall\n", argv[i], argv[i + 1]);
      return 2;
    }
  }
  const std::string binary = build_limits(source);
  if (binary.empty())
    std::printf("# limits.c %s: the C side is skipped, tapegrad's times only (pass --limits PATH or set "
                "TAPEGRAD_LIMITS_C)\n", source.empty() ? "not given" : ("not usable at " + source).c_str());
  tg::set_num_threads(1);
  std::printf("# %d rounds, budget %.2f s per measurement, %s time, load %s\n", rounds, budget,
              g_clock == CLOCK_MONOTONIC ? "wall" : "CPU",
              [] {
                FILE* f = std::fopen("/proc/loadavg", "r");
                static char text[64] = "n/a";
                if (f && std::fgets(text, sizeof text, f)) text[std::strcspn(text, "\n")] = 0;
                if (f) std::fclose(f);
                return text;
              }());
  std::map<std::pair<std::string, int64_t>, std::vector<double>> ours, theirs, ratio;
  for (int round = 0; round < rounds; ++round) {
    const auto rows = limits_rows(round);
    std::map<std::pair<std::string, int64_t>, double> c;
    const bool c_first = round % 2 == 0;
    if (!binary.empty() && c_first) c = run_limits(binary, round, budget);
    std::map<std::pair<std::string, int64_t>, double> t;
    for (const auto& [op, sizes] : kCases)
      for (const int64_t V : sizes) t[{op, V}] = time_tapegrad(op, V, rows.at(V), budget);
    if (!binary.empty() && !c_first) c = run_limits(binary, round, budget);
    for (const auto& [key, seconds] : t) {
      ours[key].push_back(seconds);
      if (c.count(key) && c[key] > 0) {
        theirs[key].push_back(c[key]);
        ratio[key].push_back(seconds / c[key]);
      }
    }
    std::fprintf(stderr, "# round %d done\n", round);
  }
  std::printf("| case | V | tapegrad us | C loop us | tapegrad / C |\n|---|---|---|---|---|\n");
  for (const auto& [op, sizes] : kCases)
    for (const int64_t V : sizes) {
      const auto key = std::make_pair(op, V);
      if (ratio.count(key))
        std::printf("| %s | %g | %.1f | %.1f | %.2f |\n", op.c_str(), static_cast<double>(V), median(ours[key]) * 1e6,
                    median(theirs[key]) * 1e6, median(ratio[key]));
      else
        std::printf("| %s | %g | %.1f | - | - |\n", op.c_str(), static_cast<double>(V), median(ours[key]) * 1e6);
    }
  return 0;
}

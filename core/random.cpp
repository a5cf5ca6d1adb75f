// The default random generator and the creators that draw from it.
//
// One generator for the process, as PyTorch's default CPU generator: manual_seed(s)
// makes every creator below reproducible. A mutex keeps draws from two threads from
// tearing the engine's state; the order in which threads draw is theirs to fix.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <random>

#include "layout.h"

namespace tg {

namespace {

struct DefaultGenerator {
  std::mutex mutex;
  std::mt19937_64 engine{5489u};
};

DefaultGenerator& generator() {
  static DefaultGenerator g;
  return g;
}

// Uniform in [0, 1) from the top 53 bits, so float64 draws use the full mantissa.
double uniform01(std::mt19937_64& engine) { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }

}  // namespace

void manual_seed(uint64_t seed) {
  std::lock_guard lock(generator().mutex);
  generator().engine.seed(seed);
}

namespace {
// rand and randn: a fresh floating tensor, filled by fill(p, numel) under the generator's
// lock (so a seeded program draws the same numbers whatever its threads do).
template <class Fill> Tensor random_floating(const char* op, Shape sizes, Dtype dtype, Fill fill) {
  if (!is_floating(dtype))
    throw TypeError(fmt::format("{}: dtype {} is not floating; expected torch.float32 or torch.float64", op,
                                dtype_name(dtype)));
  Tensor out = core::make_tensor(std::move(sizes), dtype);
  std::lock_guard lock(generator().mutex);
  dispatch_floating(dtype, [&]<class T>() { fill(static_cast<T*>(out.raw_data()), out.numel()); });
  return out;
}
}  // namespace

Tensor rand(Shape sizes, Dtype dtype) {
  return random_floating("rand", std::move(sizes), dtype, []<class T>(T* p, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      // Rounding to float32 can reach 1.0; draw again so the range stays [0, 1).
      T v;
      do v = static_cast<T>(uniform01(generator().engine));
      while (v >= T(1));
      p[i] = v;
    }
  });
}

Tensor randn(Shape sizes, Dtype dtype) {
  return random_floating("randn", std::move(sizes), dtype, []<class T>(T* p, int64_t n) {
    // Box-Muller: two uniforms give two independent standard normals.
    for (int64_t i = 0; i < n; i += 2) {
      const double u1 = 1.0 - uniform01(generator().engine);  // (0, 1]: log is finite
      const double u2 = uniform01(generator().engine);
      const double radius = std::sqrt(-2.0 * std::log(u1));
      p[i] = static_cast<T>(radius * std::cos(2.0 * M_PI * u2));
      if (i + 1 < n) p[i + 1] = static_cast<T>(radius * std::sin(2.0 * M_PI * u2));
    }
  });
}

Tensor randint(int64_t low, int64_t high, Shape sizes, Dtype dtype) {
  if (low >= high)
    throw ValueError(fmt::format("randint: low = {} and high = {} give an empty range; expected low < high",
                                 low, high));
  Tensor out = core::make_tensor(std::move(sizes), dtype);
  std::lock_guard lock(generator().mutex);
  std::uniform_int_distribution<int64_t> dist(low, high - 1);
  dispatch(dtype, [&]<class T>() {
    T* p = static_cast<T*>(out.raw_data());
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = static_cast<T>(dist(generator().engine));
  });
  return out;
}

Tensor randint(int64_t high, Shape sizes, Dtype dtype) { return randint(0, high, std::move(sizes), dtype); }

Tensor randperm(int64_t n, Dtype dtype) {
  if (n < 0) throw ValueError(fmt::format("randperm: n = {} is negative; expected n >= 0", n));
  // Drawn into a tensor, not a std::vector: its size is checked (Note [Checked sizes]).
  Tensor perm = core::make_tensor({n}, kInt64);
  int64_t* p = static_cast<int64_t*>(perm.raw_data());
  std::iota(p, p + n, int64_t{0});
  {
    std::lock_guard lock(generator().mutex);
    std::shuffle(p, p + n, generator().engine);
  }
  return core::cast(perm, dtype);
}

}  // namespace tg

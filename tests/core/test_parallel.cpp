// Note [one pool] and Note [scatter by destination] (core/parallel.h): row gathers,
// scatter-adds and elementwise kernels split over threads give bit-identical results to
// one thread; regions entered off the main thread, or inside a region, run serially.
// Note [storage cache] (core/storage.cpp): freed blocks are reused, within a bound.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>
#include <tapegrad/autograd/ops/embedding_backward.h>
#include <tapegrad/core/parallel.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

// Restores the thread count a test changed.
struct Threads {
  explicit Threads(int n) : saved(tg::get_num_threads()) { tg::set_num_threads(n); }
  ~Threads() { tg::set_num_threads(saved); }
  int saved;
};

bool same_bits(const tg::Tensor& a, const tg::Tensor& b) {
  return a.sizes() == b.sizes() && a.dtype() == b.dtype() &&
         std::memcmp(a.contiguous().raw_data(), b.contiguous().raw_data(), static_cast<size_t>(a.numel()) * tg::element_size(a.dtype())) == 0;
}

// Runs f on 1 and then on 2 threads and returns both results.
template <class F> std::pair<tg::Tensor, tg::Tensor> on_one_and_two(F f) {
  tg::Tensor one, two;
  {
    Threads t(1);
    one = f();
  }
  {
    Threads t(2);
    two = f();
  }
  return {one, two};
}

// Indices that hit a few rows often (word ids are like that) and the rest rarely:
// 2^16 lookups, half of them into rows 0..7, of a 5000-row table.
tg::Tensor skewed_ids() {
  tg::manual_seed(7);
  return tg::cat({tg::randint(0, 8, {32768}), tg::randint(0, 5000, {32768})}).index_select(0, tg::randperm(65536));
}

}  // namespace

TEST_CASE("the row gather, index_select and elementwise ops give the same bits on 1 and 2 threads") {
  tg::manual_seed(1);
  const tg::Tensor table = tg::randn({5000, 64});
  const tg::Tensor ids = skewed_ids();  // N * D = 2^22
  const auto [g1, g2] = on_one_and_two([&] { return tg::embedding(table, ids); });
  CHECK(same_bits(g1, g2));
  CHECK(same_bits(g1[12345], table[ids[12345].item<int64_t>()]));
  const auto [s1, s2] = on_one_and_two([&] { return table.index_select(0, ids); });
  CHECK(same_bits(s1, s2));
  CHECK(same_bits(s1, g1));
  const tg::Tensor x = tg::randn({1 << 20}), y = tg::randn({1 << 20});
  const auto [a1, a2] = on_one_and_two([&] { return (x * y + 1.5).tanh(); });
  CHECK(same_bits(a1, a2));
  CHECK(a1[777].item<float>() == std::tanh(x[777].item<float>() * y[777].item<float>() + 1.5f));
}

TEST_CASE("sums along a dim give the same bits on 1 and 2 threads") {
  tg::manual_seed(3);
  const tg::Tensor m = tg::randn({1024, 1024});
  const auto [r1, r2] = on_one_and_two([&] { return m.sum(1); });
  CHECK(same_bits(r1, r2));
  const auto [c1, c2] = on_one_and_two([&] { return m.sum(0); });
  CHECK(same_bits(c1, c2));
  const tg::Tensor cube = tg::randn({64, 128, 128});
  const auto [k1, k2] = on_one_and_two([&] { return cube.mean({0, 2}); });
  CHECK(same_bits(k1, k2));
  // Column 5 by hand, accumulated in double as the kernel does.
  double total = 0;
  const auto v = m.to_vector<float>();
  for (size_t i = 0; i < 1024; ++i) total += v[i * 1024 + 5];
  CHECK(c1[5].item<float>() == static_cast<float>(total));
}

TEST_CASE("scatter-adds give the same bits on 1 and 2 threads, each row summed in lookup order") {
  tg::manual_seed(2);
  const tg::Tensor ids = skewed_ids();
  const tg::Tensor grad = tg::randn({65536, 32});
  tg::autograd::RowGradOptions options;
  options.num_rows = 5000;
  const auto [d1, d2] = on_one_and_two([&] { return tg::autograd::scatter_add_rows(grad, ids, options); });
  CHECK(same_bits(d1, d2));
  // Row 3 by hand: float additions in lookup order.
  std::vector<float> row(32, 0.0f);
  const auto id = ids.to_vector<int64_t>();
  const auto g = grad.to_vector<float>();
  for (size_t i = 0; i < id.size(); ++i)
    if (id[i] == 3)
      for (size_t j = 0; j < 32; ++j) row[j] += g[i * 32 + j];
  CHECK(same_bits(d1[3], tg::from_vector(row, {32})));
  CHECK(d1[4999].abs().sum().item<float>() >= 0.0f);  // the last row is written (zero or summed)

  const auto [i1, i2] = on_one_and_two([&] { return tg::ones({5000, 32}).index_add_(0, ids, grad, 0.5); });
  CHECK(same_bits(i1, i2));
  // 1 + 0.5 g1 + 0.5 g2 + ... within float rounding of the hand sum.
  const auto got = i1[3].to_vector<float>();
  for (size_t j = 0; j < 32; ++j) CHECK(got[j] == doctest::Approx(1.0f + 0.5f * row[j]).epsilon(1e-4));
}

TEST_CASE("a scatter's parts own disjoint row ranges covering the table and list exactly their positions") {
  Threads t(2);
  const int64_t big = int64_t{1} << 30;  // above the threshold: two parts
  // Skewed targets, every target in one row, and no targets at all.
  const std::vector<std::vector<int64_t>> cases = {skewed_ids().to_vector<int64_t>(), std::vector<int64_t>(1000, 4321), {}};
  for (const auto& targets : cases) {
    const auto n = static_cast<int64_t>(targets.size());
    std::mutex mutex;
    std::vector<std::pair<int64_t, int64_t>> ranges;
    std::vector<int64_t> owner(targets.size(), -1);
    tg::core::parallel_scatter(targets.data(), n, 5000, big, [&](const tg::core::ScatterPart& part) {
      std::lock_guard<std::mutex> lock(mutex);
      ranges.emplace_back(part.lo, part.hi);
      for (int64_t c = 0; c < part.size(); ++c) {
        const int64_t i = part.at(c);
        if (c > 0) CHECK(part.at(c - 1) < i);  // increasing: the serial order
        CHECK(targets[static_cast<size_t>(i)] >= part.lo);
        CHECK(targets[static_cast<size_t>(i)] < part.hi);
        owner[static_cast<size_t>(i)] = part.lo;
      }
    });
    std::sort(ranges.begin(), ranges.end());
    CHECK(ranges.size() <= 2);
    CHECK(ranges.front().first == 0);
    CHECK(ranges.back().second == 5000);
    for (size_t r = 1; r < ranges.size(); ++r) CHECK(ranges[r].first == ranges[r - 1].second);
    // Every position is listed by the part that owns its target.
    for (size_t i = 0; i < targets.size(); ++i) CHECK(owner[i] >= 0);
  }
}

TEST_CASE("a region splits on the main thread only: serially on other threads and inside a region") {
  Threads t(2);
  const int64_t big = int64_t{1} << 30;
  auto count_parts = [&] {
    std::atomic<int> parts{0};
    tg::core::parallel_for(0, 1000, big, [&](int64_t, int64_t) { ++parts; });
    return parts.load();
  };
  CHECK(count_parts() == 2 * tg::core::kPartsPerThread);  // 2 threads, kPartsPerThread parts each
  int on_worker = 0;
  std::thread([&] { on_worker = count_parts(); }).join();
  CHECK(on_worker == 1);  // a Hogwild worker runs its ops serially
  std::atomic<int> inner_total{0};
  tg::core::parallel_for(0, 2, big, [&](int64_t, int64_t) { inner_total += count_parts(); });
  CHECK(inner_total == 2);  // two outer parts, each one inner part
  // Below the threshold: one part.
  std::atomic<int> small{0};
  tg::core::parallel_for(0, 1000, tg::core::kParallelMinBytes, [&](int64_t, int64_t) { ++small; });
  CHECK(small == 1);
  // Every index is covered once.
  std::vector<int> hits(1001, 0);
  tg::core::parallel_for(0, 1001, big, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) ++hits[i];
  });
  CHECK(std::count(hits.begin(), hits.end(), 1) == 1001);
}

TEST_CASE("an exception thrown in a part reaches the caller after every part is done") {
  Threads t(2);
  std::atomic<int> finished{0};
  CHECK_THROWS_WITH_AS(tg::core::parallel_for(0, 2, int64_t{1} << 30,
                                              [&](int64_t lo, int64_t) {
                                                ++finished;
                                                if (lo == 1) throw std::runtime_error("part 1 failed");
                                              }),
                       "part 1 failed", std::runtime_error);
  CHECK(finished == 2);
  CHECK(tg::embedding(tg::ones({10, 4}), tg::zeros({4}, tg::kInt64)).sum().item<float>() == 16.0f);
}

TEST_CASE("freed storage is reused by the next tensor of its size class, zeroed when asked, within a bound") {
  tg::core::release_storage_cache();
  CHECK(tg::core::storage_cache_bytes() == 0);
  const void* first;
  {
    tg::Tensor a = tg::full({100'000}, 3.0f);  // 400000 bytes: class 7 * 2^16 = 458752
    first = a.raw_data();
  }
#if defined(__SANITIZE_ADDRESS__)
  CHECK(tg::core::storage_cache_bytes() == 0);  // off under ASan: a reused block would hide a use after free
#else
  if (std::getenv("TAPEGRAD_NO_STORAGE_CACHE") != nullptr) return;
  CHECK(tg::core::storage_cache_bytes() == 458752);
  tg::Tensor b = tg::zeros({101'000});  // 404000 bytes: the same class
  CHECK(b.raw_data() == first);
  CHECK(tg::core::storage_cache_bytes() == 0);
  CHECK(b.abs().sum().item<float>() == 0.0f);
  tg::core::release_storage_cache();
  {
    // Five 60 MiB blocks (class 64 MiB; never touched, so never faulted in): the cache
    // keeps four, 256 MiB, and gives the fifth back.
    std::vector<tg::Tensor> big;
    for (int i = 0; i < 5; ++i) big.push_back(tg::empty({int64_t{15} << 20}));
  }
  CHECK(tg::core::storage_cache_bytes() == size_t{256} << 20);
#endif
  tg::core::release_storage_cache();
  CHECK(tg::core::storage_cache_bytes() == 0);
}

#pragma once
// Intra-op parallelism: one loop split over tg::get_num_threads() threads.
//
//   tg::core::parallel_for(0, n, 2 * n * row_bytes, [&](int64_t lo, int64_t hi) {
//     for (int64_t i = lo; i < hi; ++i) copy_row(i);
//   });
//
// Note [one pool]
// ~~~~~~~~~~~~~~~
// A region runs on up to get_num_threads() threads: the calling thread and a fixed pool
// of get_num_threads() - 1 threads (started on first use). It is cut into
// kPartsPerThread equal, contiguous parts per thread, and each thread claims the next
// unclaimed part until none is left: a worker the scheduler is slow to wake still takes
// its share of the parts left when it arrives, instead of the caller running them all
// (Note [spin before sleeping] in parallel.cpp keeps that rare). Bodies must
// give the same result however [begin, end) is cut (each part writes only its own
// outputs, and every output is computed in the serial order), so a result never
// depends on the thread count.
//
// A region runs serially, on the calling thread, when
//   - each part would move less than kParallelMinBytes, or
//   - it is entered from any thread but the process's main thread. Threads that a
//     program starts itself (the word2vec trainer's Hogwild workers, one per core) have
//     already divided the cores; lending each of them the pool would put two threads
//     on every core. The pool's own threads are not the main thread either, so a
//     region inside a region runs serially too, or
//   - the main thread is already inside a region.
// OpenBLAS keeps its own threads (set_num_threads sizes both). The two never nest: a
// region's body is one of our loops and never calls BLAS, and BLAS never calls back,
// so at any moment only one of the two pools has work for the cores.
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace tg::core {

// Work per thread, in bytes read plus written, below which a second thread does not
// pay. Measured (bench_parallel --sweep on a build with -DTAPEGRAD_PARALLEL_MIN_BYTES=4096,
// bench/README.md): a row gather or an add on 2 threads runs 0.6x one thread's speed at
// 512 KiB of work, breaks even at 2 MiB and gains from there; exp gains from 32 KiB.
// So 1 MiB per thread, and loops whose elements cost far more than their bytes (exp,
// tanh, ...) count their work times kMathCost.
#ifndef TAPEGRAD_PARALLEL_MIN_BYTES
#define TAPEGRAD_PARALLEL_MIN_BYTES (int64_t{1} << 20)
#endif
inline constexpr int64_t kParallelMinBytes = TAPEGRAD_PARALLEL_MIN_BYTES;
inline constexpr int64_t kMathCost = 32;

// Parts per thread (Note [one pool]): few enough that claiming them costs nothing next
// to their work (a lock each), enough that a late worker still finds some.
inline constexpr int kPartsPerThread = 4;

// On how many threads a region that moves `work_bytes` runs on this thread now: 1 means
// serially (Note [one pool]).
int parallel_threads(int64_t work_bytes);

// Runs body(ctx, lo, hi) over `parts` equal slices of [begin, end) on `threads` threads
// of the pool and returns when all are done; rethrows the first exception a part threw.
void parallel_run(int threads, int parts, int64_t begin, int64_t end, void (*body)(void*, int64_t, int64_t),
                  void* ctx);

// fn(lo, hi) over slices of [begin, end) that cover it once, in parallel when the whole
// loop reads and writes at least work_bytes (Note [one pool]).
template <class F> void parallel_for(int64_t begin, int64_t end, int64_t work_bytes, F&& fn) {
  if (end <= begin) return;
  const int threads = static_cast<int>(std::min<int64_t>(parallel_threads(work_bytes), end - begin));
  if (threads <= 1) {
    fn(begin, end);
    return;
  }
  const int parts = static_cast<int>(std::min<int64_t>(int64_t{threads} * kPartsPerThread, end - begin));
  using Fn = std::remove_reference_t<F>;
  parallel_run(
      threads, parts, begin, end, [](void* ctx, int64_t lo, int64_t hi) { (*static_cast<Fn*>(ctx))(lo, hi); },
      const_cast<void*>(static_cast<const void*>(&fn)));
}

// Note [scatter by destination]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// A scatter-add (out[targets[i]] += src[i]) splits by destination: each part owns a
// range of rows and adds only the positions whose targets fall in it, in increasing
// position order. No two parts write one row, so no atomics, and every row receives its
// additions in the serial order: sums are bit-identical to one thread's. The ranges are
// cut where the targets fall (a histogram over 64 buckets per part), not evenly: word
// ids are skewed, the frequent words' rows taking most of the additions. Each part first
// lists its own positions (one branch-free pass over the targets) and then walks only
// those: walking all n and skipping the others' costs a branch per position that, with
// the targets spread over both halves, mispredicts about half the time.

// The positions one part of a scatter owns: at(0) < at(1) < ... < at(size() - 1), every
// position whose target lies in [lo, hi).
class ScatterPart {
 public:
  ScatterPart(int64_t first_row, int64_t end_row, const int64_t* positions, int64_t count)
      : lo(first_row), hi(end_row), positions_(positions), count_(count) {}
  int64_t size() const { return count_; }
  // Serially the part is every position, 0 .. n - 1, and no list is built.
  int64_t at(int64_t c) const { return positions_ ? positions_[c] : c; }

  const int64_t lo, hi;

 private:
  const int64_t* positions_;
  int64_t count_;
};

// fn(part) for parts whose row ranges cover [0, num_rows) once; fn must touch only rows
// in [part.lo, part.hi). Targets must lie in [0, num_rows). work_bytes as in parallel_for.
template <class I, class F>
void parallel_scatter(const I* targets, int64_t n, int64_t num_rows, int64_t work_bytes, F&& fn) {
  // One range per thread: each range reads all n targets, so more ranges would cost
  // more passes over them.
  const int parts = static_cast<int>(std::min<int64_t>(parallel_threads(work_bytes), num_rows));
  if (parts <= 1) {
    fn(ScatterPart(0, num_rows, nullptr, n));
    return;
  }
  const int64_t buckets = std::min<int64_t>(num_rows, int64_t{64} * parts);
  std::vector<int64_t> count(static_cast<size_t>(buckets), 0);
  for (int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<int64_t>(targets[i]);
    if (k >= 0 && k < num_rows) ++count[static_cast<size_t>(k * buckets / num_rows)];
  }
  // Row k is in bucket k * buckets / num_rows, so bucket b starts at this row.
  auto bucket_start = [&](int64_t b) { return (b * num_rows + buckets - 1) / buckets; };
  // Part q owns rows [bounds[q], bounds[q + 1]) and list slots [first[q], first[q + 1]).
  std::vector<int64_t> bounds{0}, first{0};
  int64_t seen = 0;
  for (int64_t b = 0; b < buckets; ++b) {
    seen += count[static_cast<size_t>(b)];
    if (static_cast<int>(bounds.size()) < parts && seen * parts >= n * static_cast<int64_t>(bounds.size())) {
      bounds.push_back(bucket_start(b + 1));
      first.push_back(seen);
    }
  }
  bounds.push_back(num_rows);
  first.push_back(n);
  // Part q's list starts at first[q] + q: one spare slot after each list takes the
  // writes past its last position (below).
  const auto ranges = static_cast<int64_t>(bounds.size()) - 1;
  std::vector<int64_t> positions(static_cast<size_t>(n + ranges));
  parallel_for(0, ranges, work_bytes, [&](int64_t q_lo, int64_t q_hi) {
    for (int64_t q = q_lo; q < q_hi; ++q) {
      const int64_t lo = bounds[q], hi = bounds[q + 1];
      if (lo == hi) continue;
      int64_t* list = positions.data() + first[q] + q;
      int64_t c = 0;
      // Branch-free: write every position, advance only past this part's; c never
      // exceeds the part's count (the histogram's), so the writes stay in its slots.
      for (int64_t i = 0; i < n; ++i) {
        list[c] = i;
        c += static_cast<uint64_t>(static_cast<int64_t>(targets[i]) - lo) < static_cast<uint64_t>(hi - lo);
      }
      fn(ScatterPart(lo, hi, list, c));
    }
  });
}

}  // namespace tg::core

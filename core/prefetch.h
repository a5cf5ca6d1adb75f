#pragma once
// Software prefetch of the rows a scattered update will touch next (sparse optimizer
// steps, dense += sparse): on a large table each row is a cache miss, and asked for a
// few rows ahead those misses overlap the work instead of stalling it.
#include <cstddef>
#include <cstdint>

namespace tg::core {

// asm volatile, not __builtin_prefetch: GCC 12 at -O3 deleted the builtin's loops once
// inlined into the row kernels (a loop with no side effects may be removed), silently.
inline void prefetch_line(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 1, 3);
#endif
}

// Every 64-byte line of bytes [p, p + n).
inline void prefetch_bytes(const void* p, size_t n) {
  const char* bytes = static_cast<const char*>(p);
  for (size_t b = 0; b < n; b += 64) prefetch_line(bytes + b);
}

// How many entries ahead the row loops ask: enough to cover a DRAM miss at a few
// hundred nanoseconds per row, few enough to stay within the line-fill buffers.
inline constexpr int64_t kPrefetchAhead = 8;

}  // namespace tg::core

#include "storage.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace tg {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;
// From 32 MiB up: glibc maps blocks that large afresh on every allocation anyway (32 MiB
// is its largest mmap threshold), so taking them over loses nothing, while smaller
// blocks are recycled by malloc without new page faults, which matters more for the
// outputs of ops than TLB reach does.
constexpr size_t kHugeMapBytes = size_t{32} << 20;

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// A 2 MiB aligned anonymous mapping the kernel may back with transparent huge pages.
// Random rows of a large table (embedding lookups, sparse optimizer steps) otherwise
// miss the TLB on nearly every row: 4 KiB pages cover 6 MiB of a 512 MiB table, 2 MiB
// pages cover all of it. madvise is a hint: with THP off ("never") this is an
// ordinary mapping. Fresh anonymous pages read as zero, so zeroing is free.
void* map_huge(size_t length) {
  void* raw = mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = round_up(start, kHugePage);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + length + kHugePage;
  if (end > aligned + length) munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
  madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

}  // namespace

Storage::Storage(size_t bytes, bool zero) : nbytes(bytes) {
  if (bytes <= kInlineBytes) {
    data = inline_;
    if (zero) std::memset(inline_, 0, kInlineBytes);
    return;
  }
  if (bytes >= kHugeMapBytes) {
    data = map_huge(round_up(bytes, kHugePage));
    return;
  }
  // aligned_alloc needs a size that is a multiple of the alignment; 64 bytes keeps
  // rows cache-line aligned for the BLAS and row kernels.
  const size_t rounded = round_up(bytes, 64);
  data = std::aligned_alloc(64, rounded);
  if (data == nullptr) throw std::bad_alloc();
  if (zero) std::memset(data, 0, rounded);
}

Storage::~Storage() {
  if (nbytes >= kHugeMapBytes) munmap(data, round_up(nbytes, kHugePage));
  else if (data != inline_) std::free(data);
}

}  // namespace tg

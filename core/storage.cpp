#include "storage.h"

#include <sys/mman.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace tg {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;
// From 32 MiB up: glibc maps blocks that large afresh on every allocation anyway (32 MiB
// is its largest mmap threshold), so taking them over loses nothing, while smaller
// blocks come from malloc, which matters more for the outputs of ops than TLB reach does.
constexpr size_t kHugeMapBytes = size_t{32} << 20;

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// A 2 MiB aligned anonymous mapping the kernel may back with transparent huge pages.
// Random rows of a large table (embedding lookups, sparse optimizer steps) otherwise
// miss the TLB on nearly every row: 4 KiB pages cover 6 MiB of a 512 MiB table, 2 MiB
// pages cover all of it. madvise is a hint: with THP off ("never") this is an
// ordinary mapping. Fresh anonymous pages read as zero.
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

// Note [storage cache]
// ~~~~~~~~~~~~~~~~~~~~
// A training step frees and allocates the same buffers every step (activations,
// gradients, optimizer temporaries). Handed back to glibc, a large one does not stay
// ours: a block above the mmap threshold is unmapped on free, and a free that leaves
// more than the trim threshold at the top of the heap is returned to the kernel with
// sbrk/madvise. The next step then faults every page in again (zero-filled by the
// kernel, 4 KiB at a time): ~300 minor faults per skip-gram step, and a step time that
// flips between two modes as glibc's dynamic thresholds move.
//
// So blocks of more than one page are kept here when freed, by size class, and handed
// out again to the next request of their class: a steady-state step faults nothing.
// Classes are four per power of two (a block is at most 25% larger than asked for;
// pages past the request are never touched, so they cost address space, not memory).
// The cache holds at most kCacheBytes in total and no block larger than a quarter of
// that; a block that does not fit goes back to the system as before. One mutex guards
// it: a block is allocated and freed a few times per op, far from contended.
//
// Under AddressSanitizer the cache is off: a recycled block would hide a use after
// free from it, and every block goes straight back to the allocator ASan watches. The
// environment variable TAPEGRAD_NO_STORAGE_CACHE=1 turns it off too, for the same
// reason under valgrind, and to measure what it saves (bench/bench_parallel.cpp).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCacheBuilt = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kCacheBuilt = false;
#else
constexpr bool kCacheBuilt = true;
#endif
#else
constexpr bool kCacheBuilt = true;
#endif

bool cache_on() {
  static const bool on = [] {
    const char* env = std::getenv("TAPEGRAD_NO_STORAGE_CACHE");
    return kCacheBuilt && !(env != nullptr && std::strcmp(env, "1") == 0);
  }();
  return on;
}

constexpr size_t kPage = 4096;
constexpr size_t kCacheBytes = size_t{256} << 20;
constexpr size_t kCacheMaxBlock = kCacheBytes / 4;
constexpr int kClassesPerOctave = 4;
constexpr int kMinExponent = 12;  // classes start above one page
constexpr int kNumClasses = (48 - kMinExponent) * kClassesPerOctave;

// A request of more than one page rounded up to its class: with 2^e < bytes <= 2^(e+1),
// a multiple of 2^(e-2). Index of that class in the cache.
struct SizeClass {
  size_t bytes;
  int index;
};
SizeClass size_class(size_t bytes) {
  const int e = static_cast<int>(std::bit_width(bytes - 1)) - 1;
  const size_t step = size_t{1} << (e - 2);
  const size_t k = (bytes + step - 1) / step;  // in (4, 8]
  return {k * step, (e - kMinExponent) * kClassesPerOctave + static_cast<int>(k) - 5};
}

class BlockCache {
 public:
  void* take(const SizeClass& c) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<void*>& free = free_[c.index];
    if (free.empty()) return nullptr;
    void* block = free.back();
    free.pop_back();
    bytes_ -= c.bytes;
    return block;
  }
  bool give(void* block, const SizeClass& c) {
    if (c.bytes > kCacheMaxBlock) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    if (bytes_ + c.bytes > kCacheBytes) return false;
    free_[c.index].push_back(block);
    bytes_ += c.bytes;
    return true;
  }
  size_t bytes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bytes_;
  }
  // Hands every block to `release` and empties the cache.
  template <class F> void drain(F release) {
    std::array<std::vector<void*>, kNumClasses> taken;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      taken.swap(free_);
      bytes_ = 0;
    }
    for (size_t i = 0; i < taken.size(); ++i)
      for (void* block : taken[i]) release(block, i);
  }

 private:
  std::mutex mutex_;
  std::array<std::vector<void*>, kNumClasses> free_;
  size_t bytes_ = 0;
};

// Never destroyed: storages freed by other static destructors at exit still return here.
BlockCache& cache() {
  static BlockCache* c = new BlockCache;
  return *c;
}

void* system_alloc(size_t class_bytes) {
  if (class_bytes >= kHugeMapBytes) return map_huge(round_up(class_bytes, kHugePage));
  // aligned_alloc needs a size that is a multiple of the alignment; 64 bytes keeps
  // rows cache-line aligned for the BLAS and row kernels.
  void* data = std::aligned_alloc(64, round_up(class_bytes, 64));
  if (data == nullptr) throw std::bad_alloc();
  return data;
}

void system_free(void* data, size_t class_bytes) {
  if (class_bytes >= kHugeMapBytes) munmap(data, round_up(class_bytes, kHugePage));
  else std::free(data);
}

size_t class_bytes_of(size_t index) {
  const int e = static_cast<int>(index) / kClassesPerOctave + kMinExponent;
  return (index % kClassesPerOctave + 5) * (size_t{1} << (e - 2));
}

// Note [a front per thread]
// ~~~~~~~~~~~~~~~~~~~~~~~~~
// Hogwild workers (the word2vec trainer's threads) allocate and free blocks of the same
// small classes at every step. Through the one mutex, each lock and unlock moved its
// cache line between the cores (perf, 2 threads against 1: pthread_mutex_lock and
// unlock four times their share). So each thread keeps a few freed blocks of each class
// up to kFrontMaxBlock for itself, ahead of the shared cache: at most kFrontPerClass a
// class and kFrontBytes in all, taken and given back with no lock. Larger blocks, and
// whatever does not fit, go to the shared cache as before. A thread that exits hands its
// blocks to the shared cache; a storage freed after that (by a later thread_local
// destructor of the same thread) goes there directly.
constexpr size_t kFrontMaxBlock = size_t{1} << 20;
constexpr size_t kFrontBytes = size_t{8} << 20;
constexpr int kFrontPerClass = 4;
constexpr int kFrontClasses = (20 - kMinExponent) * kClassesPerOctave;  // the classes up to 1 MiB

thread_local bool front_alive = false;

struct Front {
  std::array<std::array<void*, kFrontPerClass>, kFrontClasses> blocks{};
  std::array<int, kFrontClasses> count{};
  size_t bytes = 0;

  Front() { front_alive = true; }
  ~Front() {
    front_alive = false;
    drain([](void* block, size_t index) {
      const SizeClass c{class_bytes_of(index), static_cast<int>(index)};
      if (!cache().give(block, c)) system_free(block, c.bytes);
    });
  }
  void* take(const SizeClass& c) {
    if (count[c.index] == 0) return nullptr;
    bytes -= c.bytes;
    return blocks[c.index][--count[c.index]];
  }
  bool give(void* block, const SizeClass& c) {
    if (count[c.index] == kFrontPerClass || bytes + c.bytes > kFrontBytes) return false;
    bytes += c.bytes;
    blocks[c.index][count[c.index]++] = block;
    return true;
  }
  template <class F> void drain(F release) {
    for (int i = 0; i < kFrontClasses; ++i)
      for (; count[i] > 0; --count[i]) release(blocks[i][count[i] - 1], static_cast<size_t>(i));
    bytes = 0;
  }
};

// The calling thread's front, or null for a block it does not take or once it is gone.
Front* front_for(size_t class_bytes) {
  if (class_bytes > kFrontMaxBlock) return nullptr;
  thread_local Front front;
  return front_alive ? &front : nullptr;
}

void* take_block(const SizeClass& c) {
  if (Front* f = front_for(c.bytes))
    if (void* block = f->take(c)) return block;
  return cache().take(c);
}

bool give_block(void* block, const SizeClass& c) {
  if (Front* f = front_for(c.bytes))
    if (f->give(block, c)) return true;
  return cache().give(block, c);
}

}  // namespace

Storage::Storage(size_t bytes, bool zero) : nbytes(bytes) {
  if (bytes <= kInlineBytes) {
    data = inline_;
    if (zero) std::memset(inline_, 0, kInlineBytes);
    return;
  }
  if (bytes <= kPage) {
    data = system_alloc(bytes);
    if (zero) std::memset(data, 0, bytes);
    return;
  }
  const SizeClass c = size_class(bytes);
  if (cache_on()) data = take_block(c);
  if (data == nullptr) {
    data = system_alloc(c.bytes);
    if (c.bytes >= kHugeMapBytes) return;  // fresh anonymous pages read as zero
  }
  if (zero) std::memset(data, 0, bytes);
}

Storage::~Storage() {
  if (data == inline_) return;
  if (nbytes <= kPage) {
    std::free(data);
    return;
  }
  const SizeClass c = size_class(nbytes);
  if (cache_on() && give_block(data, c)) return;
  system_free(data, c.bytes);
}

namespace core {

size_t storage_cache_bytes() {
  const Front* f = front_for(0);
  return cache().bytes() + (f != nullptr ? f->bytes : 0);
}

void release_storage_cache() {
  const auto release = [](void* block, size_t index) { system_free(block, class_bytes_of(index)); };
  if (Front* f = front_for(0)) f->drain(release);
  cache().drain(release);
}

}  // namespace core

}  // namespace tg

#pragma once
// A flat, 64-byte aligned buffer that tensors view through (sizes, strides, offset).
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tg {

struct Storage {
  // Zero-filled when `zero` is true; otherwise the contents are unspecified. Throws
  // std::bad_alloc when the memory cannot be had: core::make_tensor, which checks
  // nbytes first, turns that into a tg::Error naming the bytes and the shape
  // (Note [Checked sizes] in core/checked.h).
  explicit Storage(size_t nbytes, bool zero = false);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data = nullptr;
  size_t nbytes = 0;
  // Every in-place write bumps this. It lives on the storage because views and
  // detached aliases share their base's memory, so they must share its version too:
  // autograd compares it with the version seen when a tensor was saved for backward.
  // Atomic because Hogwild threads step one shared table concurrently.
  std::atomic<uint32_t> version{0};

 private:
  // Scalars and tiny tensors live inside the Storage object itself: one allocation
  // instead of two, which is most of the cost of a 1-element op.
  static constexpr size_t kInlineBytes = 64;
  alignas(16) unsigned char inline_[kInlineBytes];
};

namespace core {
// Bytes of freed storage kept for reuse (Note [storage cache] in storage.cpp): the shared
// cache and the calling thread's own front (Note [a front per thread]); and a way to give
// those back to the system.
size_t storage_cache_bytes();
void release_storage_cache();
}  // namespace core

}  // namespace tg

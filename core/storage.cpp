#include "storage.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace tg {

Storage::Storage(size_t bytes, bool zero) : nbytes(bytes) {
  if (bytes <= kInlineBytes) {
    data = inline_;
    if (zero) std::memset(inline_, 0, kInlineBytes);
    return;
  }
  // aligned_alloc needs a size that is a multiple of the alignment; 64 bytes keeps
  // rows cache-line aligned for the BLAS and row kernels.
  const size_t rounded = (bytes + 63) / 64 * 64;
  if (rounded == 0) return;
  data = std::aligned_alloc(64, rounded);
  if (data == nullptr) throw std::bad_alloc();
  if (zero) std::memset(data, 0, rounded);
}

Storage::~Storage() {
  if (data != inline_) std::free(data);
}

}  // namespace tg

#include "error.h"

#include <fmt/format.h>

namespace tg {

int64_t normalize_dim(const char* where, int64_t dim, int64_t ndim) {
  // A 0-d tensor accepts dim 0 and -1, as in PyTorch.
  const int64_t extent = ndim == 0 ? 1 : ndim;
  if (dim < -extent || dim >= extent)
    throw IndexError(fmt::format("{}: dim = {} is out of range; expected [{}, {}] for a {}-d tensor",
                                 where, dim, -extent, extent - 1, ndim));
  return dim < 0 ? dim + extent : dim;
}

int64_t normalize_index(const char* where, int64_t index, int64_t size, int64_t dim) {
  if (index < -size || index >= size)
    throw IndexError(fmt::format("{}: index {} is out of range for dim {} of size {}; expected [{}, {})",
                                 where, index, dim, size, -size, size));
  return index < 0 ? index + size : index;
}

}  // namespace tg

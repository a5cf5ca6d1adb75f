// The cold paths of Note [Checked sizes] (core/checked.h): which rule a shape broke,
// in a message that names the shape, the value and the limit.
#include "checked.h"

#include <fmt/format.h>

#include <iterator>

#include "tensor.h"

namespace tg::core {

namespace {

std::string prefix(const char* where) { return where ? fmt::format("{}: ", where) : std::string(); }

// "4 TiB": bytes in the largest binary unit that keeps the number >= 1.
std::string human_bytes(long double bytes) {
  static const char* const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < std::size(units)) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:.4g} {}", static_cast<double>(bytes), units[unit]);
}

}  // namespace

void throw_bad_shape(const char* where, const Shape& sizes, int64_t element_size, Dtype dtype) {
  for (int64_t s : sizes)
    if (s < 0)
      throw ValueError(fmt::format("{}Trying to create tensor with negative dimension {}: {}", prefix(where), s,
                                   shape_string(sizes)));
  // Only the message needs the true span; long double holds it approximately.
  long double span = static_cast<long double>(element_size);
  for (int64_t s : sizes) span *= static_cast<long double>(s > 1 ? s : 1);
  if (element_size == 1)
    throw ValueError(fmt::format("{}shape {} has too many elements: the product of its sizes (zero sizes counted "
                                 "as 1) is about {:.4g}; expected at most {} (int64 counts elements and strides)",
                                 prefix(where), shape_string(sizes), static_cast<double>(span), kMaxSpan));
  throw ValueError(fmt::format("{}a tensor of shape {} and dtype {} would span about {:.4g} bytes ({} bytes per "
                               "element times the product of its sizes, zero sizes counted as 1); expected at "
                               "most {} bytes (int64 counts bytes and strides)",
                               prefix(where), shape_string(sizes), dtype_name(dtype), static_cast<double>(span),
                               element_size, kMaxSpan));
}

void throw_out_of_memory(const Shape& sizes, Dtype dtype, int64_t nbytes) {
  throw Error(fmt::format("out of memory: a tensor of shape {} and dtype {} needs {} bytes ({}), which could not "
                          "be allocated; expected a size that fits in the memory available",
                          shape_string(sizes), dtype_name(dtype), nbytes,
                          human_bytes(static_cast<long double>(nbytes))));
}

}  // namespace tg::core

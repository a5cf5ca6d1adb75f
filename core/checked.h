#pragma once
// Overflow-checked size arithmetic: the one rule every shape, element count, byte
// count and stride product in tapegrad goes through.
//
// Note [Checked sizes]
// A tensor's geometry is int64 throughout: sizes, strides in elements, byte strides
// (stride * element size) and offsets. Products of sizes wrap silently in C++, and a
// wrapped product is worse than a crash: zeros({1LL << 32, 1LL << 32}) would get numel
// 0, zeros({1LL << 31, 1LL << 31}) a 0-byte buffer that the next kernel overruns. So:
//
//   1. A size is >= 0. A negative one is refused with PyTorch's message, "Trying to
//      create tensor with negative dimension -1: [-1]" (tg::ValueError).
//   2. A shape's span, element_size * prod(max(size, 1)), fits in int64. The span bounds
//      the byte count (numel * element_size) and every contiguous stride in bytes (a
//      zero-sized dim still multiplies the strides of the dims before it, which is
//      why sizes count as at least 1), so once a shape passes, kernels may multiply
//      sizes and strides without checking again. (PyTorch accepts empty shapes whose
//      strides overflow, such as [0, 2^40, 2^40]; tapegrad refuses them.) Anything larger is refused before
//      any allocation is attempted (tg::ValueError naming the shape and the limit),
//      which is also why no sanitizer ever sees an absurd allocation.
//   3. A span that fits but cannot be allocated (zeros({1LL << 40}) asks for 4 TiB) is a
//      tg::Error naming the bytes asked for and the shape, never std::bad_alloc.
//
// Rules 1 and 2 are enforced where a tensor gets its geometry: core::make_tensor
// (every fresh tensor: creators, op outputs, to_dense), core::as_strided (every view)
// and sparse_coo_tensor. A view or a sparse tensor checks its element count only
// (element size 1): an expanded view shares its base's bytes and a sparse tensor
// stores entries, so only numel must be countable (as in PyTorch, which allows
// ones({3}).expand({1LL << 61, 3})). Entry points whose own arithmetic could overflow
// before that (arange's length, cat's summed dim, the product of a view's sizes) use
// checked_mul / checked_add below. core::numel_of is checked as well, so a shape
// that escaped all of these raises rather than wraps. The check is a few multiplies
// per dim on paths that already allocate: small ops do not measurably pay for it.
#include <cstdint>

#include "dtype.h"
#include "error.h"

namespace tg::core {

// The largest span a shape may have: byte offsets are int64 (ptrdiff_t).
inline constexpr int64_t kMaxSpan = INT64_MAX;

// a * b and a + b, or false when the result does not fit in int64.
inline bool checked_mul(int64_t a, int64_t b, int64_t& out) { return !__builtin_mul_overflow(a, b, &out); }
inline bool checked_add(int64_t a, int64_t b, int64_t& out) { return !__builtin_add_overflow(a, b, &out); }

// Cold paths of the checks below: they find which rule `sizes` breaks and throw.
// `where` prefixes the message when not null ("expand: ...").
[[noreturn]] void throw_bad_shape(const char* where, const Shape& sizes, int64_t element_size, Dtype dtype);

// The element count of `sizes` after checking rules 1 and 2 for an element of
// `element_size` bytes (1 for a count of elements only). dtype names the elements in
// the message.
inline int64_t checked_numel(const char* where, const Shape& sizes, int64_t element_size, Dtype dtype) {
  int64_t span = element_size;
  uint64_t numel = 1;  // unsigned: may wrap only when the span check has already failed
  bool bad = false;
  for (int64_t s : sizes) {
    bad |= s < 0;
    bad |= __builtin_mul_overflow(span, s > 1 ? s : 1, &span);
    numel *= static_cast<uint64_t>(s);
  }
  if (bad) [[unlikely]]
    throw_bad_shape(where, sizes, element_size, dtype);
  return static_cast<int64_t>(numel);
}

// numel * element_size(dtype) for a fresh contiguous tensor of `sizes` (rules 1 and 2).
inline int64_t checked_nbytes(const Shape& sizes, Dtype dtype) {
  const auto esize = static_cast<int64_t>(element_size(dtype));
  return checked_numel(nullptr, sizes, esize, dtype) * esize;  // <= the span: cannot overflow
}

// Rule 3: allocation failure (std::bad_alloc) as a tg::Error naming the bytes and shape.
[[noreturn]] void throw_out_of_memory(const Shape& sizes, Dtype dtype, int64_t nbytes);

}  // namespace tg::core

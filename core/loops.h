#pragma once
// The strided loop every elementwise kernel runs on.
//
// Operands share one iteration shape; each has its own strides in bytes (0 along a
// broadcast dim). Dims are walked outer to inner, and the innermost dim is handed to
// `inner` as one run, so a kernel's hot loop is a plain 1-d loop over pointers.
#include <array>
#include <cstdint>
#include <vector>

#include "tensor.h"

namespace tg::core {

template <size_t N> struct StridedLoop {
  Shape shape;
  std::array<char*, N> base{};
  std::array<std::vector<int64_t>, N> byte_strides;  // per operand, per dim

  // Merges adjacent dims that are contiguous for every operand, so that a
  // contiguous tensor becomes a single run however many dims it has.
  void coalesce() {
    if (shape.size() <= 1) return;
    Shape new_shape{shape.back()};
    std::array<std::vector<int64_t>, N> new_strides;
    for (size_t k = 0; k < N; ++k) new_strides[k] = {byte_strides[k].back()};
    for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d) {
      bool mergeable = true;
      for (size_t k = 0; k < N; ++k)
        mergeable = mergeable && byte_strides[k][d] == new_strides[k].back() * new_shape.back();
      if (mergeable) {
        new_shape.back() *= shape[d];
      } else {
        new_shape.push_back(shape[d]);
        for (size_t k = 0; k < N; ++k) new_strides[k].push_back(byte_strides[k][d]);
      }
    }
    shape.assign(new_shape.rbegin(), new_shape.rend());
    for (size_t k = 0; k < N; ++k) byte_strides[k].assign(new_strides[k].rbegin(), new_strides[k].rend());
  }

  // inner(std::array<char*, N> pointers, std::array<int64_t, N> byte_strides, int64_t count)
  template <class F> void run(F&& inner) {
    for (int64_t s : shape)
      if (s == 0) return;
    coalesce();
    const int64_t ndim = static_cast<int64_t>(shape.size());
    if (ndim == 0) {
      inner(base, std::array<int64_t, N>{}, int64_t{1});
      return;
    }
    std::array<int64_t, N> inner_strides;
    for (size_t k = 0; k < N; ++k) inner_strides[k] = byte_strides[k][ndim - 1];
    const int64_t inner_count = shape[ndim - 1];
    std::vector<int64_t> counter(ndim, 0);
    std::array<char*, N> ptrs = base;
    while (true) {
      inner(ptrs, inner_strides, inner_count);
      int64_t d = ndim - 2;
      for (; d >= 0; --d) {
        if (++counter[d] < shape[d]) {
          for (size_t k = 0; k < N; ++k) ptrs[k] += byte_strides[k][d];
          break;
        }
        for (size_t k = 0; k < N; ++k) ptrs[k] -= byte_strides[k][d] * (shape[d] - 1);
        counter[d] = 0;
      }
      if (d < 0) return;
    }
  }
};

// Strides of `t` in bytes when iterated over `shape` (t broadcast to it, right-aligned).
std::vector<int64_t> broadcast_byte_strides(const Tensor& t, const Shape& shape);

}  // namespace tg::core

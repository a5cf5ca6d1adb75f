#pragma once
// The strided loop every elementwise kernel runs on, and the one- and two-operand
// loops over it that core/elementwise.cpp and the fused derivatives of
// autograd/ops/unary.cpp are written with.
//
// Operands share one iteration shape; each has its own strides in bytes (0 along a
// broadcast dim). Dims are walked outer to inner, and the innermost dim is handed to
// `inner` as one run, so a kernel's hot loop is a plain 1-d loop over pointers.
// Contiguous operands are split over threads when large (Note [one pool]).
#include <array>
#include <cstdint>
#include <vector>

#include "layout.h"
#include "parallel.h"

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

// Runs fn(x, y) over a and b broadcast to out's shape; all three of type T / R.
template <class T, class R, class F> void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, F fn) {
  R* po = static_cast<R*>(out.raw_data());
  const int64_t n = out.numel();
  if (a.is_contiguous() && b.is_contiguous()) {
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(b.raw_data());
    const int64_t work = n * static_cast<int64_t>(2 * sizeof(T) + sizeof(R));
    if (a.numel() == n && b.numel() == n) {
      parallel_for(0, n, work, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) po[i] = fn(pa[i], pb[i]);
      });
      return;
    }
    if (a.numel() == n && b.numel() == 1) {
      const T y = pb[0];
      parallel_for(0, n, work, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) po[i] = fn(pa[i], y);
      });
      return;
    }
    if (a.numel() == 1 && b.numel() == n) {
      const T x = pa[0];
      parallel_for(0, n, work, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) po[i] = fn(x, pb[i]);
      });
      return;
    }
  }
  StridedLoop<3> loop;
  loop.shape = out.sizes();
  loop.base = {static_cast<char*>(out.raw_data()), static_cast<char*>(a.raw_data()),
               static_cast<char*>(b.raw_data())};
  loop.byte_strides = {broadcast_byte_strides(out, out.sizes()), broadcast_byte_strides(a, out.sizes()),
                       broadcast_byte_strides(b, out.sizes())};
  loop.run([&](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t count) {
    for (int64_t i = 0; i < count; ++i)
      *reinterpret_cast<R*>(p[0] + i * s[0]) =
          fn(*reinterpret_cast<const T*>(p[1] + i * s[1]), *reinterpret_cast<const T*>(p[2] + i * s[2]));
  });
}

// Runs fn(x) over a, which has out's shape; out of type R, a of type T. `cost` weighs an
// element's work against moving its bytes (Note [one pool]): kMathCost for exp, tanh and
// the like, whose arithmetic, not memory, is the time.
template <class T, class R, class F> void unary_loop(const Tensor& out, const Tensor& a, F fn, int64_t cost = 1) {
  R* po = static_cast<R*>(out.raw_data());
  if (a.is_contiguous()) {
    const T* pa = static_cast<const T*>(a.raw_data());
    const int64_t n = out.numel();
    parallel_for(0, n, cost * n * static_cast<int64_t>(sizeof(T) + sizeof(R)), [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) po[i] = fn(pa[i]);
    });
    return;
  }
  StridedLoop<2> loop;
  loop.shape = out.sizes();
  loop.base = {static_cast<char*>(out.raw_data()), static_cast<char*>(a.raw_data())};
  loop.byte_strides = {broadcast_byte_strides(out, out.sizes()), broadcast_byte_strides(a, out.sizes())};
  loop.run([&](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t count) {
    for (int64_t i = 0; i < count; ++i)
      *reinterpret_cast<R*>(p[0] + i * s[0]) = fn(*reinterpret_cast<const T*>(p[1] + i * s[1]));
  });
}

}  // namespace tg::core

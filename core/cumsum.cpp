// Running sums along one dim (core/cumsum.h).
//
// Note [cumsum accumulator]
// The running sum is kept in double for both floating types and rounded to the
// output dtype at every step, as PyTorch's CPU kernel does (its accumulator type for
// float is double). A float32 accumulator would differ: [1e8, 1, 1, 1, 1, 1] sums to
// 1e8 at every step in float32 arithmetic, but to 100000008 at the sixth element
// when accumulated in double. Integer and bool sums use 64 bits and wrap on overflow,
// as two's-complement int64 addition does in PyTorch (unsigned here, so without UB).
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "cumsum.h"
#include "layout.h"

namespace tg::core {

namespace {

template <class T> struct Accumulator {
  using type = uint64_t;
};
template <> struct Accumulator<float> {
  using type = double;
};
template <> struct Accumulator<double> {
  using type = double;
};

template <class A, class T> A widen(T v) {
  if constexpr (std::is_same_v<A, uint64_t>) return static_cast<uint64_t>(static_cast<int64_t>(v));
  else return static_cast<A>(v);
}

template <class T, class A> T narrow_to(A v) {
  if constexpr (std::is_same_v<T, bool>) return v != 0;
  else if constexpr (std::is_same_v<A, uint64_t>) return static_cast<T>(static_cast<int64_t>(v));
  else return static_cast<T>(v);
}

}  // namespace

Tensor cumsum(const Tensor& t, int64_t dim, Dtype out_dtype, bool reverse) {
  const Tensor in = contiguous(cast(t, out_dtype));
  Tensor out = make_tensor(t.sizes(), out_dtype);
  if (out.numel() == 0) return out;
  // Seen around dim, a contiguous tensor is (outer, size, inner).
  int64_t outer = 1, inner = 1;
  const int64_t size = t.dim() == 0 ? 1 : t.size(dim);
  for (int64_t d = 0; d < dim; ++d) outer *= t.size(d);
  for (int64_t d = dim + 1; d < t.dim(); ++d) inner *= t.size(d);
  dispatch(out_dtype, [&]<class T>() {
    using A = typename Accumulator<T>::type;
    const T* src = static_cast<const T*>(in.raw_data());
    T* dst = static_cast<T*>(out.raw_data());
    std::vector<A> running(inner);
    for (int64_t o = 0; o < outer; ++o) {
      std::fill(running.begin(), running.end(), A{});
      for (int64_t step = 0; step < size; ++step) {
        const int64_t j = reverse ? size - 1 - step : step;
        const int64_t at = (o * size + j) * inner;
        for (int64_t i = 0; i < inner; ++i) {
          running[i] += widen<A>(src[at + i]);
          dst[at + i] = narrow_to<T>(running[i]);
        }
      }
    }
  });
  return out;
}

}  // namespace tg::core

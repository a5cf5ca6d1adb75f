#pragma once
// Reduction kernels (core/reduce.cpp): sums, means, products and norms over dims, and
// the slice layout they (and core/reduce_minmax.cpp) read. No autograd here.
//
//   tg::Tensor s = tg::core::sum_dims(t, {0}, /*keepdim=*/false);  // dims normalised
#include <cmath>
#include <type_traits>
#include <vector>

#include "layout.h"

namespace tg::core {

// True for a NaN; false for every integer type, so that kernels templated over every
// dtype can ask (min/max and sort place NaNs by it).
template <class T> inline bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}

// Sum over `dims` (already normalised, any order, no duplicates).
Tensor sum_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim);
// Sums t down to `shape` (the inverse of broadcasting `shape` to t.sizes()).
Tensor sum_to(const Tensor& t, const Shape& shape);
// Mean over dims (floating t only): summed in double and divided before rounding.
// An empty slice gives nan, as 0 / 0.
Tensor mean_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim);
// Product over dims; integer and bool input give int64. An empty slice gives 1.
Tensor prod_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim);
// Same shape as t: each element is the product of the OTHER elements of its slice over
// dims, built from prefix and suffix products (no division, so exact with zeros).
Tensor prod_others(const Tensor& t, const std::vector<int64_t>& dims);
// The p-norm over dims of a floating t; p = 0 counts non-zeros, p = +-inf is max/min |x|.
// An empty slice gives 0 (for every p, as torch.norm in PyTorch 1.13).
Tensor norm_dims(const Tensor& t, double p, const std::vector<int64_t>& dims, bool keepdim);

// The slices that a reduction over `dims` (normalised, sorted, distinct) reads, laid
// out as the rows of a contiguous (count, length) block: the reduced dims are moved
// last, so row i is the slice that output element i reduces. `rows` is t itself when
// t is contiguous and the reduced dims are already innermost (then nothing is copied).
struct ReductionSlices {
  Tensor rows;
  int64_t count = 0;   // output elements
  int64_t length = 0;  // elements per slice
  Shape out_shape;     // sizes of the result (reduced dims kept as 1 when keepdim)
  Shape order;         // the permutation of t's dims that `rows` is laid out in
};
ReductionSlices reduction_slices(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim);
// The per-element inverse of reduction_slices: `rows_like` has the (count, length) layout
// of `slices.rows`; returns it in t's own dim order and sizes, contiguous.
Tensor from_reduction_layout(const Tensor& rows_like, const ReductionSlices& slices, const Shape& in_shape);

}  // namespace tg::core

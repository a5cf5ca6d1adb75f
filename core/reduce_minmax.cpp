// max / min / argmax / argmin kernels.
//
// PyTorch's rules, which these follow: a NaN is larger and smaller than every number
// (it propagates, and its index is reported), and among equal values the first index
// wins. An empty slice has no extremum, so it is an error.
#include <fmt/format.h>

#include <cmath>

#include "layout.h"
#include "reduce.h"
#include "reduce_minmax.h"

namespace tg::core {

namespace {

// Index of the extremum of row[0, n), n >= 1.
// Strict comparisons keep the first of equal values; a NaN fails every comparison,
// so it is looked for only on the (rare) path where v did not win.
template <class T> int64_t extremum_index(Extremum op, const T* row, int64_t n) {
  if (is_nan(row[0])) return 0;
  int64_t best = 0;
  T best_value = row[0];
  for (int64_t j = 1; j < n; ++j) {
    const T v = row[j];
    if (op == Extremum::Max ? v > best_value : v < best_value) {
      best_value = v;
      best = j;
    } else if (is_nan(v)) {
      return j;
    }
  }
  return best;
}

const char* op_name(Extremum op) { return op == Extremum::Max ? "max" : "min"; }

// Runs extremum_index over every slice, writing values and/or indices (either may be null).
void run_slices(Extremum op, const ReductionSlices& slices, Tensor* values, Tensor* indices) {
  dispatch(slices.rows.dtype(), [&]<class T>() {
    const T* x = static_cast<const T*>(slices.rows.raw_data());
    T* pv = values ? static_cast<T*>(values->raw_data()) : nullptr;
    int64_t* pi = indices ? static_cast<int64_t*>(indices->raw_data()) : nullptr;
    for (int64_t i = 0; i < slices.count; ++i) {
      const T* row = x + i * slices.length;
      const int64_t j = extremum_index(op, row, slices.length);
      if (pv) pv[i] = row[j];
      if (pi) pi[i] = j;
    }
  });
}

void check_not_empty(const Tensor& t, const char* where) {
  if (t.numel() == 0)
    throw IndexError(fmt::format("{}: input.numel() = 0 has no {}; expected a non-empty tensor. To reduce an "
                                 "empty tensor, specify a reduction dim whose size is not 0",
                                 where, where));
}

std::vector<int64_t> all_dims(const Tensor& t) {
  std::vector<int64_t> dims(t.dim());
  for (int64_t d = 0; d < t.dim(); ++d) dims[d] = d;
  return dims;
}

}  // namespace

Tensor extremum_all(Extremum op, const Tensor& t, const char* where) {
  check_dense(where, t);
  check_not_empty(t, where);
  const ReductionSlices slices = reduction_slices(t, all_dims(t), /*keepdim=*/false);
  Tensor values = make_tensor({}, t.dtype());
  run_slices(op, slices, &values, nullptr);
  return values;
}

Tensor arg_extremum_all(Extremum op, const Tensor& t, const char* where) {
  check_dense(where, t);
  check_not_empty(t, where);
  // All dims reduced: the one row is t in row-major order, so its index is the flat index.
  const ReductionSlices slices = reduction_slices(t, all_dims(t), /*keepdim=*/false);
  Tensor indices = make_tensor({}, kInt64);
  run_slices(op, slices, nullptr, &indices);
  return indices;
}

std::pair<Tensor, Tensor> extremum_dim(Extremum op, const Tensor& t, int64_t dim, bool keepdim, const char* where) {
  check_dense(where, t);
  // A 0-d tensor reduces over "dim 0", which has the one element.
  const std::vector<int64_t> dims = t.dim() == 0 ? std::vector<int64_t>{} : std::vector<int64_t>{dim};
  if (t.dim() > 0 && t.size(dim) == 0)
    throw IndexError(fmt::format("{}: size of reduced dim {} = 0 is empty; expected a reduction dim with at least "
                                 "one element to take the {} of",
                                 where, dim, op_name(op)));
  const ReductionSlices slices = reduction_slices(t, dims, keepdim);
  Tensor values = make_tensor(slices.out_shape, t.dtype());
  Tensor indices = make_tensor(slices.out_shape, kInt64);
  if (slices.count > 0) run_slices(op, slices, &values, &indices);
  return {values, indices};
}

}  // namespace tg::core

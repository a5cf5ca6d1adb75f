#include "sort.h"

#include <algorithm>
#include <vector>

#include "layout.h"
#include "reduce.h"

namespace tg::core {

namespace {

// Note [sort order]'s comparators: "a goes before b".
template <class T> struct Before {
  bool descending;
  bool operator()(const std::pair<T, int64_t>& a, const std::pair<T, int64_t>& b) const {
    if (descending) return (is_nan(a.first) && !is_nan(b.first)) || a.first > b.first;
    return (!is_nan(a.first) && is_nan(b.first)) || a.first < b.first;
  }
};

// The one dim of t that the kernels work along, as a reduction's slice layout: a 0-d
// tensor is one slice of one element.
ReductionSlices slices_along(const Tensor& t, int64_t dim) {
  return reduction_slices(t, t.dim() == 0 ? std::vector<int64_t>{} : std::vector<int64_t>{dim}, true);
}

Shape with_size(Shape shape, int64_t dim, int64_t size) {
  if (!shape.empty()) shape[dim] = size;
  return shape;
}

// Runs select(row, n) -> how many leading entries to keep, on each slice's (value,
// index) pairs and writes those entries, back in t's dim order, as (values, indices).
template <class Select>
std::pair<Tensor, Tensor> rearrange(const Tensor& t, int64_t dim, int64_t keep, Select select) {
  const ReductionSlices slices = slices_along(t, dim);
  Tensor values = make_tensor({slices.count, keep}, t.dtype());
  Tensor indices = make_tensor({slices.count, keep}, kInt64);
  dispatch(t.dtype(), [&]<class T>() {
    const T* in = static_cast<const T*>(slices.rows.raw_data());
    T* out_values = static_cast<T*>(values.raw_data());
    int64_t* out_indices = static_cast<int64_t*>(indices.raw_data());
    std::vector<std::pair<T, int64_t>> row(static_cast<size_t>(slices.length));
    for (int64_t i = 0; i < slices.count; ++i) {
      for (int64_t j = 0; j < slices.length; ++j) row[j] = {in[i * slices.length + j], j};
      select(row);
      for (int64_t j = 0; j < keep; ++j) {
        out_values[i * keep + j] = row[j].first;
        out_indices[i * keep + j] = row[j].second;
      }
    }
  });
  const Shape out_shape = with_size(t.sizes(), dim, keep);
  return {from_reduction_layout(values, slices, out_shape), from_reduction_layout(indices, slices, out_shape)};
}

}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& t, int64_t dim, bool descending, bool stable) {
  const int64_t n = t.dim() == 0 ? 1 : t.size(dim);
  return rearrange(t, dim, n, [&]<class T>(std::vector<std::pair<T, int64_t>>& row) {
    if (stable) std::stable_sort(row.begin(), row.end(), Before<T>{descending});
    else std::sort(row.begin(), row.end(), Before<T>{descending});
  });
}

std::pair<Tensor, Tensor> topk(const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) {
  return rearrange(t, dim, k, [&]<class T>(std::vector<std::pair<T, int64_t>>& row) {
    if (k == 0) return;
    const Before<T> before{largest};
    // PyTorch's choice: a partial sort when k is small against the slice, else a
    // selection, then (when sorted) a sort of the k - 1 entries before the k-th.
    const auto n = static_cast<int64_t>(row.size());
    if (k * 64 <= n) {
      std::partial_sort(row.begin(), row.begin() + k, row.end(), before);
    } else {
      std::nth_element(row.begin(), row.begin() + (k - 1), row.end(), before);
      if (sorted) std::sort(row.begin(), row.begin() + (k - 1), before);
    }
  });
}

Tensor scatter_slices(const Tensor& src, const Tensor& indices, int64_t dim, const Shape& shape) {
  const ReductionSlices from = slices_along(src, dim);
  const ReductionSlices at = slices_along(indices, dim);
  const int64_t length = shape.empty() ? 1 : shape[dim];
  Tensor rows = make_tensor({from.count, length}, src.dtype(), /*zero=*/true);
  dispatch(src.dtype(), [&]<class T>() {
    const T* in = static_cast<const T*>(from.rows.raw_data());
    const int64_t* index = static_cast<const int64_t*>(at.rows.raw_data());
    T* out = static_cast<T*>(rows.raw_data());
    for (int64_t i = 0; i < from.count; ++i)
      for (int64_t j = 0; j < from.length; ++j) out[i * length + index[i * from.length + j]] = in[i * from.length + j];
  });
  return from_reduction_layout(rows, from, shape);
}

}  // namespace tg::core

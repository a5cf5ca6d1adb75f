#pragma once
// What the sparse backwards of embedding (embedding_backward.cpp) and embedding_bag
// (embedding_bag_backward.cpp) share: counting an index's lookups, and building the
// gradient as one COO entry per lookup that is not padding, in input order (Note
// [uncoalesced sparse gradients] in core/sparse.cpp).
#include <cstdint>
#include <unordered_map>

#include "../../core/layout.h"
#include "../../core/tensor.h"

namespace tg::autograd {

// How many times each index occurs in idx[0, n) (scale_grad_by_freq). A hash map, not a
// V-sized array, so the sparse backward stays O(N) for huge tables.
template <class I> std::unordered_map<int64_t, int64_t> count_indices(const I* idx, int64_t n) {
  std::unordered_map<int64_t, int64_t> counts;
  counts.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) ++counts[static_cast<int64_t>(idx[i])];
  return counts;
}

// The lookups in indices[begin, end) (contiguous) whose index is not `pad`.
inline int64_t count_non_padding(const Tensor& indices, int64_t begin, int64_t end, int64_t pad) {
  int64_t nnz = 0;
  dispatch_index(indices.dtype(), [&]<class I>() {
    const I* p = static_cast<const I*>(indices.raw_data());
    for (int64_t i = begin; i < end; ++i) nnz += static_cast<int64_t>(p[i]) != pad;
  });
  return nnz;
}

// A sparse COO gradient of size (num_rows, width) and the given dtype with nnz entries:
// fill(idx, rows, values), with idx the contiguous indices and T the dtype's element
// type, writes entry e's row at rows[e] and its values at values + e * width.
template <class Fill>
Tensor sparse_grad_per_lookup(const Tensor& indices, int64_t nnz, int64_t num_rows, int64_t width, Dtype dtype,
                              Fill&& fill) {
  Tensor out_indices = core::make_tensor({1, nnz}, kInt64);
  Tensor out_values = core::make_tensor({nnz, width}, dtype);
  dispatch_floating(dtype, [&]<class T>() {
    dispatch_index(indices.dtype(), [&]<class I>() {
      fill(static_cast<const I*>(indices.raw_data()), static_cast<int64_t*>(out_indices.raw_data()),
           static_cast<T*>(out_values.raw_data()));
    });
  });
  return sparse_coo_tensor(out_indices, out_values, {num_rows, width});
}

}  // namespace tg::autograd

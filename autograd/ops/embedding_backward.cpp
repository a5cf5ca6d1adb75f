// The lookup's derivatives, dense (a scatter-add of rows) and sparse (one COO entry
// per lookup). V rows, D width, N lookups.
#include "embedding_backward.h"

#include <cstring>
#include <vector>

#include "../../core/layout.h"
#include "../../core/parallel.h"
#include "../../core/prefetch.h"
#include "lookup_grad.h"

namespace tg::autograd {

Tensor scatter_add_rows(const Tensor& grad_rows, const Tensor& indices, const RowGradOptions& options) {
  const Tensor idx = core::contiguous(indices);
  const Tensor grad = core::contiguous(grad_rows);
  const int64_t n = idx.numel(), width = grad.size(-1);
  const int64_t pad = options.padding_idx.value_or(-1);
  // Zeroed below, by the part that owns each row: its first touch is then on the
  // thread that adds into it.
  Tensor out = core::make_tensor({options.num_rows, width}, grad.dtype());
  if (width == 0) return out;
  if (n == 0) return zeros({options.num_rows, width}, grad.dtype());
  dispatch_floating(grad.dtype(), [&]<class T>() {
    const T* g = static_cast<const T*>(grad.raw_data());
    T* gw = static_cast<T*>(out.raw_data());
    dispatch_index(idx.dtype(), [&]<class I>() {
      const I* p = static_cast<const I*>(idx.raw_data());
      std::vector<int64_t> counts;
      if (options.scale_grad_by_freq) {
        counts.assign(static_cast<size_t>(options.num_rows), 0);
        for (int64_t i = 0; i < n; ++i) ++counts[static_cast<size_t>(p[i])];
      }
      const int64_t row_bytes = width * static_cast<int64_t>(sizeof(T));
      // Two lookups of one row must both reach it, so rows are added, never assigned,
      // in increasing position order (deterministic sums, as PyTorch's CPU kernel);
      // Note [scatter by destination] keeps that order on any number of threads.
      core::parallel_scatter(p, n, options.num_rows, 3 * n * row_bytes + options.num_rows * row_bytes,
                             [&](const core::ScatterPart& part) {
        std::memset(gw + part.lo * width, 0, static_cast<size_t>((part.hi - part.lo) * row_bytes));
        const int64_t m = part.size();
        for (int64_t c = 0; c < m; ++c) {
          // The rows are scattered over a V x D table: ask for the one a few lookups
          // ahead so its miss overlaps this row's additions.
          if (c + core::kPrefetchAhead < m)
            core::prefetch_bytes(gw + static_cast<int64_t>(p[part.at(c + core::kPrefetchAhead)]) * width,
                                 static_cast<size_t>(row_bytes));
          const int64_t i = part.at(c);
          const int64_t k = static_cast<int64_t>(p[i]);
          if (k == pad) continue;
          T* out_row = gw + k * width;
          const T* in_row = g + i * width;
          if (options.scale_grad_by_freq) {
            // 1/count first, then multiply-add: bitwise what PyTorch computes.
            const T scale = T(1) / static_cast<T>(counts[static_cast<size_t>(k)]);
            for (int64_t j = 0; j < width; ++j) out_row[j] += scale * in_row[j];
          } else {
            for (int64_t j = 0; j < width; ++j) out_row[j] += in_row[j];
          }
        }
      });
    });
  });
  return out;
}

Tensor sparse_rows_from_lookups(const Tensor& grad_rows, const Tensor& indices, const RowGradOptions& options) {
  const Tensor idx = core::contiguous(indices);
  const Tensor grad = core::contiguous(grad_rows);
  const int64_t n = idx.numel(), width = grad.size(-1);
  const int64_t pad = options.padding_idx.value_or(-1);
  // Padding positions are dropped, not stored as zero rows, so count the rest first.
  const int64_t nnz = count_non_padding(idx, 0, n, pad);
  if (nnz == n && !options.scale_grad_by_freq) {
    // Every lookup gives one row, unscaled: the values are the gradient itself, viewed
    // as (N, D) and not copied (PyTorch's sparse embedding backward does the same).
    Tensor out_indices = core::make_tensor({1, n}, kInt64);
    dispatch_index(idx.dtype(), [&]<class I>() {
      const I* p = static_cast<const I*>(idx.raw_data());
      int64_t* rows = static_cast<int64_t*>(out_indices.raw_data());
      for (int64_t i = 0; i < n; ++i) rows[i] = static_cast<int64_t>(p[i]);
    });
    return sparse_coo_tensor(out_indices, core::as_strided(grad, {n, width}, {width, 1}, grad.storage_offset()),
                             {options.num_rows, width});
  }
  return sparse_grad_per_lookup(idx, nnz, options.num_rows, width, grad.dtype(),
                                [&]<class T, class I>(const I* p, int64_t* rows, T* values) {
    const T* g = static_cast<const T*>(grad.raw_data());
    std::unordered_map<int64_t, int64_t> counts;
    if (options.scale_grad_by_freq) counts = count_indices(p, n);
    int64_t e = 0;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = static_cast<int64_t>(p[i]);
      if (k == pad) continue;
      rows[e] = k;
      T* out_row = values + e * width;
      const T* in_row = g + i * width;
      if (options.scale_grad_by_freq) {
        // Same factor as the dense kernel, so to_dense() matches it bit for bit.
        const T scale = T(1) / static_cast<T>(counts[k]);
        for (int64_t j = 0; j < width; ++j) out_row[j] = scale * in_row[j];
      } else if (width > 0) {
        std::memcpy(out_row, in_row, static_cast<size_t>(width) * sizeof(T));
      }
      ++e;
    }
  });
}

}  // namespace tg::autograd

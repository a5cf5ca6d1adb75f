// Row kernels: index checks, gather (the lookup) and renorm (max_norm). V rows, D
// width, N lookups. The lookup's derivatives are in autograd/ops/embedding_backward.cpp.
#include "rows.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "layout.h"
#include "parallel.h"
#include "prefetch.h"

namespace tg::core {

namespace {

// "indices[3]" for a 1-d tensor, "indices[1, 2]" beyond, "indices" for a 0-d one:
// the position a user can paste back into their own code.
std::string position_of(int64_t flat, const Shape& sizes) {
  if (sizes.empty()) return "indices";
  std::vector<int64_t> coords(sizes.size());
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    coords[d] = flat % sizes[d];
    flat /= sizes[d];
  }
  return fmt::format("indices[{}]", fmt::join(coords, ", "));
}

// The table's row stride and whether a row is one contiguous run.
struct RowLayout {
  int64_t row_stride, col_stride;
  bool rows_contiguous;
};
RowLayout row_layout(const Tensor& table) {
  return {table.stride(0), table.stride(1), table.stride(1) == 1 || table.size(1) <= 1};
}

}  // namespace

void check_index_dtype(const char* where, const Tensor& indices) {
  check_dense(where, indices);
  if (indices.dtype() != kInt64 && indices.dtype() != kInt32)
    throw TypeError(fmt::format("{}: indices have dtype {} ({}); expected torch.int64 (Long) or torch.int32 (Int). "
                                "Convert them with .to(tg::kInt64)",
                                where, dtype_name(indices.dtype()), legacy_type_name(indices.dtype())));
}

void check_indices_in_range(const char* where, const Tensor& indices, int64_t num_rows) {
  const Tensor idx = contiguous(indices);
  const int64_t n = idx.numel();
  dispatch_index(idx.dtype(), [&]<class I>() {
    const I* p = static_cast<const I*>(idx.raw_data());
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = static_cast<int64_t>(p[i]);
      if (k >= 0 && k < num_rows) continue;
      const char* hint = k < 0 ? " (negative indices are not counted from the end)" : "";
      throw IndexError(fmt::format("{}: {} = {} is out of range; expected [0, {}) for num_embeddings = {}{}", where,
                                   position_of(i, indices.sizes()), k, num_rows, num_rows, hint));
    }
  });
}

void check_lookup_indices(const char* where, const Tensor& indices, int64_t num_rows) {
  check_index_dtype(where, indices);
  check_indices_in_range(where, indices, num_rows);
}

Tensor gather_rows(const Tensor& table, const Tensor& indices) {
  const Tensor idx = contiguous(indices);
  const int64_t n = idx.numel(), width = table.size(1);
  Shape out_shape = indices.sizes();
  out_shape.push_back(width);
  Tensor out = make_tensor(std::move(out_shape), table.dtype());
  if (n == 0 || width == 0) return out;
  const RowLayout layout = row_layout(table);
  const size_t esize = element_size(table.dtype());
  const char* src = static_cast<const char*>(table.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  const size_t row_bytes = static_cast<size_t>(width) * esize;
  dispatch_index(idx.dtype(), [&]<class I>() {
    const I* p = static_cast<const I*>(idx.raw_data());
    // Each row is read once and written once; rows are independent, so any split of
    // [0, n) gives the same output (Note [one pool]).
    parallel_for(0, n, static_cast<int64_t>(2 * row_bytes) * n, [&](int64_t lo, int64_t hi) {
      if (layout.rows_contiguous) {
        const int64_t row_step = layout.row_stride * static_cast<int64_t>(esize);
        // Scattered rows of a large table miss the cache: ask for the row a few lookups
        // ahead so its misses overlap this row's copy (word2vec's lookups live here).
        for (int64_t i = lo; i < std::min(hi, lo + kPrefetchAhead); ++i)
          prefetch_bytes(src + static_cast<int64_t>(p[i]) * row_step, row_bytes);
        for (int64_t i = lo; i < hi; ++i) {
          if (i + kPrefetchAhead < hi) prefetch_bytes(src + static_cast<int64_t>(p[i + kPrefetchAhead]) * row_step, row_bytes);
          std::memcpy(dst + i * row_bytes, src + static_cast<int64_t>(p[i]) * row_step, row_bytes);
        }
        return;
      }
      // A transposed or otherwise strided table: element by element.
      for (int64_t i = lo; i < hi; ++i) {
        const char* row = src + static_cast<int64_t>(p[i]) * layout.row_stride * esize;
        for (int64_t j = 0; j < width; ++j)
          std::memcpy(dst + (i * width + j) * esize, row + j * layout.col_stride * esize, esize);
      }
    });
  });
  return out;
}

namespace {

// The p-norm of one row of n elements `stride` apart, accumulated in double and then
// rounded to T: PyTorch takes row.norm(p) in the table's dtype and reads it as double.
template <class T> double row_norm(const T* row, int64_t n, int64_t stride, double p) {
  double acc = 0;
  if (std::isinf(p)) {
    acc = p > 0 ? 0.0 : std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < n; ++j) {
      const double a = std::abs(static_cast<double>(row[j * stride]));
      acc = p > 0 ? std::max(acc, a) : std::min(acc, a);
    }
    if (n == 0) acc = 0;
  } else if (p == 0) {
    for (int64_t j = 0; j < n; ++j) acc += row[j * stride] != T(0);
  } else if (p == 1) {
    for (int64_t j = 0; j < n; ++j) acc += std::abs(static_cast<double>(row[j * stride]));
  } else if (p == 2) {
    for (int64_t j = 0; j < n; ++j) acc += static_cast<double>(row[j * stride]) * static_cast<double>(row[j * stride]);
    acc = std::sqrt(acc);
  } else {
    for (int64_t j = 0; j < n; ++j) acc += std::pow(std::abs(static_cast<double>(row[j * stride])), p);
    acc = std::pow(acc, 1.0 / p);
  }
  return static_cast<double>(static_cast<T>(acc));
}

}  // namespace

void check_max_norm(const char* where, double max_norm) {
  if (!(max_norm >= 0))  // Note [max_norm is a bound]; also refuses NaN
    throw ValueError(fmt::format("{}: max_norm = {} is {}; expected max_norm >= 0 (a row's norm is never "
                                 "negative, and a negative bound would flip the sign of the rows it rescales)",
                                 where, max_norm, std::isnan(max_norm) ? "not a number" : "negative"));
}

void renorm_rows(const Tensor& table, const Tensor& indices, double max_norm, double norm_type) {
  const Tensor idx = contiguous(indices);
  const int64_t n = idx.numel(), width = table.size(1);
  std::vector<int64_t> rows(static_cast<size_t>(n));
  dispatch_index(idx.dtype(), [&]<class I>() {
    const I* p = static_cast<const I*>(idx.raw_data());
    for (int64_t i = 0; i < n; ++i) rows[i] = static_cast<int64_t>(p[i]);
  });
  // A row referenced twice is rescaled once.
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  const RowLayout layout = row_layout(table);
  dispatch_floating(table.dtype(), [&]<class T>() {
    T* base = static_cast<T*>(table.raw_data());
    for (int64_t k : rows) {
      T* row = base + k * layout.row_stride;
      const double norm = row_norm(row, width, layout.col_stride, norm_type);
      if (norm > max_norm) {  // strict: a row exactly at max_norm is left alone
        const T scale = static_cast<T>(max_norm / (norm + 1e-7));
        for (int64_t j = 0; j < width; ++j) row[j * layout.col_stride] *= scale;
      }
    }
  });
}

}  // namespace tg::core

// embedding_bag's derivatives: dense (rows added into the table's gradient), sparse
// (one COO entry per lookup), max (one row per output element) and per_sample_weights.
// V rows, D width, N lookups, B bags. The rule is Note [a bag's gradient per lookup].
#include "embedding_bag_backward.h"

#include <unordered_map>

#include "../../core/layout.h"
#include "lookup_grad.h"

namespace tg::autograd {

namespace {

// Calls fn(i, k, b, scale) for every non-padding lookup i (row k, bag b), in input
// order, with scale as in Note [a bag's gradient per lookup].
template <class T, class I, class Fn>
void for_each_lookup(const I* idx, int64_t n, const core::BagBounds& bags, const std::vector<int64_t>& sizes,
                     const T* weights, const BagGradOptions& options, Fn&& fn) {
  const int64_t pad = options.padding_idx.value_or(-1);
  std::unordered_map<int64_t, int64_t> counts;
  if (options.scale_grad_by_freq) counts = count_indices(idx, n);
  for (int64_t b = 0; b < bags.num_bags(); ++b) {
    for (int64_t i = bags.starts[b]; i < bags.starts[b + 1]; ++i) {
      const int64_t k = static_cast<int64_t>(idx[i]);
      if (k == pad) continue;
      T scale = T(1);
      if (options.mode == EmbeddingBagMode::Mean) scale /= static_cast<T>(sizes[b]);
      if (options.scale_grad_by_freq) scale /= static_cast<T>(counts[k]);
      if (weights != nullptr) scale *= weights[i];
      fn(i, k, b, scale);
    }
  }
}

template <class T> const T* data_or_null(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.raw_data()) : nullptr;
}

}  // namespace

Tensor bag_scatter_add_rows(const Tensor& grad_out, const Tensor& indices, const core::BagBounds& bags,
                            const std::vector<int64_t>& sizes, const Tensor& per_sample_weights,
                            const BagGradOptions& options) {
  const Tensor grad = core::contiguous(grad_out);
  const int64_t width = grad.size(1);
  Tensor out = zeros({options.num_rows, width}, grad.dtype());
  if (width == 0) return out;
  dispatch_floating(grad.dtype(), [&]<class T>() {
    const T* g = static_cast<const T*>(grad.raw_data());
    T* gw = static_cast<T*>(out.raw_data());
    dispatch_index(indices.dtype(), [&]<class I>() {
      // Two lookups of one row must both reach it, so rows are added, never assigned.
      for_each_lookup<T>(static_cast<const I*>(indices.raw_data()), indices.numel(), bags, sizes,
                         data_or_null<T>(per_sample_weights), options, [&](int64_t, int64_t k, int64_t b, T scale) {
                           T* out_row = gw + k * width;
                           const T* in_row = g + b * width;
                           for (int64_t j = 0; j < width; ++j) out_row[j] += scale * in_row[j];
                         });
    });
  });
  return out;
}

Tensor bag_sparse_rows(const Tensor& grad_out, const Tensor& indices, const core::BagBounds& bags,
                       const std::vector<int64_t>& sizes, const Tensor& per_sample_weights,
                       const BagGradOptions& options) {
  const Tensor grad = core::contiguous(grad_out);
  const int64_t width = grad.size(1);
  const int64_t pad = options.padding_idx.value_or(-1);
  // Entries only for lookups inside a bag and not padding: count them first.
  const int64_t nnz = count_non_padding(indices, bags.starts.front(), bags.starts.back(), pad);
  return sparse_grad_per_lookup(indices, nnz, options.num_rows, width, grad.dtype(),
                                [&]<class T, class I>(const I* p, int64_t* rows, T* values) {
    const T* g = static_cast<const T*>(grad.raw_data());
    int64_t e = 0;
    // The values are written straight from grad_out's bag rows, scaled: the per-lookup
    // rows exist only here, as the gradient itself.
    for_each_lookup<T>(p, indices.numel(), bags, sizes, data_or_null<T>(per_sample_weights), options,
                       [&](int64_t, int64_t k, int64_t b, T scale) {
                         rows[e] = k;
                         T* out_row = values + e * width;
                         const T* in_row = g + b * width;
                         for (int64_t j = 0; j < width; ++j) out_row[j] = scale * in_row[j];
                         ++e;
                       });
  });
}

Tensor bag_max_scatter_add(const Tensor& grad_out, const std::vector<int64_t>& winners, int64_t num_rows) {
  const Tensor grad = core::contiguous(grad_out);
  const int64_t num_bags = grad.size(0), width = grad.size(1);
  Tensor out = zeros({num_rows, width}, grad.dtype());
  dispatch_floating(grad.dtype(), [&]<class T>() {
    const T* g = static_cast<const T*>(grad.raw_data());
    T* gw = static_cast<T*>(out.raw_data());
    // One row of a bag may win several columns, and one row may win in several bags:
    // element-wise adds.
    for (int64_t b = 0; b < num_bags; ++b)
      for (int64_t j = 0; j < width; ++j) {
        const int64_t k = winners[static_cast<size_t>(b * width + j)];
        if (k >= 0) gw[k * width + j] += g[b * width + j];
      }
  });
  return out;
}

Tensor bag_per_sample_weights_grad(const Tensor& grad_out, const Tensor& weight, const Tensor& indices,
                                   const core::BagBounds& bags, std::optional<int64_t> padding_idx) {
  const Tensor grad = core::contiguous(grad_out);
  const int64_t width = grad.size(1), pad = padding_idx.value_or(-1);
  const int64_t row_stride = weight.stride(0), col_stride = weight.stride(1);
  Tensor out = zeros({indices.numel()}, grad.dtype());
  dispatch_floating(grad.dtype(), [&]<class T>() {
    const T* g = static_cast<const T*>(grad.raw_data());
    const T* table = static_cast<const T*>(weight.raw_data());
    T* grad_weights = static_cast<T*>(out.raw_data());
    dispatch_index(indices.dtype(), [&]<class I>() {
      const I* idx = static_cast<const I*>(indices.raw_data());
      for (int64_t b = 0; b < bags.num_bags(); ++b)
        for (int64_t i = bags.starts[b]; i < bags.starts[b + 1]; ++i) {
          const int64_t k = static_cast<int64_t>(idx[i]);
          if (k == pad) continue;  // padding was left out of the bag: its weight had no effect
          const T* row = table + k * row_stride;
          const T* g_row = g + b * width;
          T dot = T(0);
          for (int64_t j = 0; j < width; ++j) dot += g_row[j] * row[j * col_stride];
          grad_weights[i] = dot;
        }
    });
  });
  return out;
}

}  // namespace tg::autograd

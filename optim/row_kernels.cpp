// Fused optimizer kernels. Each formula is written in the order PyTorch evaluates it
// (e.g. param + (-lr) * (g / std)), so float results agree to the last bits where
// the operations are the same.
#include "row_kernels.h"

#include "../core/prefetch.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tg::optim::kernels {

namespace {

// The rows of a sparse tensor: row k of `values` (width D) belongs at row position[k]
// of the parameter seen as (V, D).
struct SparseRows {
  std::vector<int64_t> owned;  // only when there are several sparse dims
  const int64_t* position = nullptr;
  int64_t count = 0;
  int64_t width = 0;
  Tensor values;   // contiguous, in the requested dtype
  Tensor indices;  // keeps `position` alive when it points into the indices
  bool coalesced = false;
};

SparseRows rows_of(const Tensor& sparse, Dtype dtype) {
  SparseRows rows;
  const Tensor idx = core::contiguous(sparse.indices());
  const int64_t sparse_dim = idx.size(0);
  rows.count = idx.size(1);
  rows.coalesced = sparse.is_coalesced();
  rows.values = core::contiguous(core::cast(sparse.values(), dtype));
  int64_t width = 1;
  for (int64_t d = sparse_dim; d < sparse.dim(); ++d) width *= sparse.size(d);
  rows.width = width;
  const int64_t* p = idx.data_ptr<int64_t>();
  if (sparse_dim == 1) {
    rows.indices = idx;
    rows.position = p;
    return rows;
  }
  rows.owned.assign(rows.count, 0);
  for (int64_t d = 0; d < sparse_dim; ++d)
    for (int64_t k = 0; k < rows.count; ++k) rows.owned[k] = rows.owned[k] * sparse.size(d) + p[d * rows.count + k];
  rows.position = rows.owned.data();
  return rows;
}

template <class T> T* data(const Tensor& t) { return static_cast<T*>(t.raw_data()); }

// The rows a sparse step touches are scattered over the table: for a large table each
// one is a cache miss (and a TLB miss without huge pages, see core/storage.cpp), which
// the loop would otherwise wait out row by row.
template <class T> void prefetch_row(const T* row, int64_t width) {
  core::prefetch_bytes(row, static_cast<size_t>(width) * sizeof(T));
}

// Coalescing streamed into the update: calls fn(position, summed_row) once per distinct
// row, in ascending row order, with the values of its entries summed in their original
// order (the sums coalesce() would produce, bit for bit), without building the
// coalesced tensor. A gradient already flagged coalesced is walked as it is.
// prefetch(position) is called kPrefetchAhead entries before fn reaches that row.
template <class T, class F, class P> void for_each_summed_row(const SparseRows& rows, F&& fn, P&& prefetch) {
  const T* values = data<T>(rows.values);
  const int64_t width = rows.width;
  std::vector<int64_t> order(rows.count);
  for (int64_t k = 0; k < rows.count; ++k) order[k] = k;
  if (!rows.coalesced)
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return rows.position[a] < rows.position[b]; });
  std::vector<T> sum(width);
  int64_t ahead = 0;
  for (int64_t k = 0; k < rows.count;) {
    for (; ahead < std::min(rows.count, k + core::kPrefetchAhead); ++ahead) {
      prefetch(rows.position[order[ahead]]);
      prefetch_row(values + order[ahead] * width, width);
    }
    const int64_t position = rows.position[order[k]];
    const T* first = values + order[k] * width;
    ++k;
    if (k == rows.count || rows.position[order[k]] != position) {  // a single entry: no copy
      fn(position, first);
      continue;
    }
    std::copy(first, first + width, sum.begin());
    for (; k < rows.count && rows.position[order[k]] == position; ++k) {
      const T* row = values + order[k] * width;
      for (int64_t c = 0; c < width; ++c) sum[c] = sum[c] + row[c];
    }
    fn(position, sum.data());
  }
}

}  // namespace

Tensor dense_grad_for(const Tensor& param, const Tensor& grad) {
  return core::contiguous(core::cast(grad, param.dtype()));
}

void sgd_dense(const Tensor& param, const Tensor& grad, const Tensor& buffer, bool buffer_is_new, const SGDHyper& h) {
  const int64_t n = param.numel();
  dispatch_floating(param.dtype(), [&]<class T>() {
    T* theta = data<T>(param);
    const T* g = data<T>(grad);
    T* buf = buffer.defined() ? data<T>(buffer) : nullptr;
    const T lr = static_cast<T>(h.lr), mu = static_cast<T>(h.momentum), wd = static_cast<T>(h.weight_decay);
    const T keep = static_cast<T>(1.0 - h.dampening);
    for (int64_t i = 0; i < n; ++i) {
      T d = h.maximize ? -g[i] : g[i];
      if (h.weight_decay != 0) d = d + wd * theta[i];
      if (buf) {
        buf[i] = buffer_is_new ? d : mu * buf[i] + keep * d;
        d = h.nesterov ? d + mu * buf[i] : buf[i];
      }
      theta[i] = theta[i] + (-lr) * d;
    }
  });
}

Tensor merge_coalesced(const Tensor& a, double alpha, const Tensor& b, double beta) {
  const Dtype dtype = promote_types(a.dtype(), b.dtype());
  const SparseRows ra = rows_of(a, dtype), rb = rows_of(b, dtype);
  const int64_t width = ra.count ? ra.width : rb.width;
  const Tensor ia = core::contiguous(a.indices()), ib = core::contiguous(b.indices());
  const int64_t sparse_dim = ia.size(0);
  // First pass counts the union of rows, so the result is allocated once at its size.
  int64_t total = 0;
  for (int64_t i = 0, j = 0; i < ra.count || j < rb.count; ++total) {
    if (j == rb.count || (i < ra.count && ra.position[i] < rb.position[j])) ++i;
    else if (i == ra.count || rb.position[j] < ra.position[i]) ++j;
    else ++i, ++j;
  }
  Tensor indices = core::make_tensor({sparse_dim, total}, kInt64);
  Shape value_shape = a.values().sizes();
  value_shape[0] = total;
  Tensor values = core::make_tensor(value_shape, dtype);
  int64_t* out_idx = indices.data_ptr<int64_t>();
  const int64_t *a_idx = ia.data_ptr<int64_t>(), *b_idx = ib.data_ptr<int64_t>();
  dispatch_floating(dtype, [&]<class T>() {
    const T *va = data<T>(ra.values), *vb = data<T>(rb.values);
    T* out = data<T>(values);
    const T sa = static_cast<T>(alpha), sb = static_cast<T>(beta);
    int64_t i = 0, j = 0;
    for (int64_t u = 0; u < total; ++u) {
      const bool take_a = i < ra.count && (j == rb.count || ra.position[i] <= rb.position[j]);
      const bool take_b = j < rb.count && (i == ra.count || rb.position[j] <= ra.position[i]);
      for (int64_t d = 0; d < sparse_dim; ++d)
        out_idx[d * total + u] = take_a ? a_idx[d * ra.count + i] : b_idx[d * rb.count + j];
      T* row = out + u * width;
      if (take_a && take_b)
        for (int64_t c = 0; c < width; ++c) row[c] = sa * va[i * width + c] + sb * vb[j * width + c];
      else if (take_a)
        for (int64_t c = 0; c < width; ++c) row[c] = sa * va[i * width + c];
      else
        for (int64_t c = 0; c < width; ++c) row[c] = sb * vb[j * width + c];
      i += take_a;
      j += take_b;
    }
  });
  return sparse_coo_tensor(indices, values, a.sizes(), /*is_coalesced=*/true);
}

void adagrad_dense(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradHyper& h) {
  const int64_t n = param.numel();
  dispatch_floating(param.dtype(), [&]<class T>() {
    T* theta = data<T>(param);
    const T* g = data<T>(grad);
    T* s = data<T>(sum);
    const T clr = static_cast<T>(h.clr), wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps);
    for (int64_t i = 0; i < n; ++i) {
      T d = h.maximize ? -g[i] : g[i];
      if (h.weight_decay != 0) d = d + wd * theta[i];
      s[i] = s[i] + d * d;
      theta[i] = theta[i] + (-clr) * (d / (std::sqrt(s[i]) + eps));
    }
  });
}

void adagrad_rows(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradHyper& h) {
  const SparseRows rows = rows_of(grad, param.dtype());
  dispatch_floating(param.dtype(), [&]<class T>() {
    T* theta = data<T>(param);
    T* s = data<T>(sum);
    const T clr = static_cast<T>(h.clr), eps = static_cast<T>(h.eps);
    for_each_summed_row<T>(rows, [&](int64_t position, const T* g) {
      T* theta_row = theta + position * rows.width;
      T* s_row = s + position * rows.width;
      for (int64_t c = 0; c < rows.width; ++c) {
        const T d = h.maximize ? -g[c] : g[c];
        s_row[c] = s_row[c] + d * d;
        theta_row[c] = theta_row[c] + (-clr) * (d / (std::sqrt(s_row[c]) + eps));
      }
    }, [&](int64_t position) {
      prefetch_row(theta + position * rows.width, rows.width);
      prefetch_row(s + position * rows.width, rows.width);
    });
  });
}

void sparse_adam_rows(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                      const SparseAdamHyper& h) {
  const SparseRows rows = rows_of(grad, param.dtype());
  dispatch_floating(param.dtype(), [&]<class T>() {
    T* theta = data<T>(param);
    T* m = data<T>(exp_avg);
    T* v = data<T>(exp_avg_sq);
    const T one_minus_beta1 = static_cast<T>(1.0 - h.beta1), one_minus_beta2 = static_cast<T>(1.0 - h.beta2);
    const T eps = static_cast<T>(h.eps), minus_step_size = static_cast<T>(-h.step_size);
    for_each_summed_row<T>(rows, [&](int64_t position, const T* g) {
      const int64_t offset = position * rows.width;
      T *theta_row = theta + offset, *m_row = m + offset, *v_row = v + offset;
      for (int64_t c = 0; c < rows.width; ++c) {
        const T d = h.maximize ? -g[c] : g[c];
        // PyTorch moves each moment by (1 - beta) * (target - old): the same value
        // as beta * old + (1 - beta) * target, rounded as PyTorch rounds it.
        m_row[c] = m_row[c] + (d - m_row[c]) * one_minus_beta1;
        v_row[c] = v_row[c] + (d * d - v_row[c]) * one_minus_beta2;
        theta_row[c] = theta_row[c] + minus_step_size * (m_row[c] / (std::sqrt(v_row[c]) + eps));
      }
    }, [&](int64_t position) {
      prefetch_row(theta + position * rows.width, rows.width);
      prefetch_row(m + position * rows.width, rows.width);
      prefetch_row(v + position * rows.width, rows.width);
    });
  });
}

void adam_dense(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const Tensor& max_exp_avg_sq, const AdamHyper& h) {
  const int64_t n = param.numel();
  dispatch_floating(param.dtype(), [&]<class T>() {
    T* theta = data<T>(param);
    const T* g = data<T>(grad);
    T* m = data<T>(exp_avg);
    T* v = data<T>(exp_avg_sq);
    T* v_max = h.amsgrad ? data<T>(max_exp_avg_sq) : nullptr;
    const T beta1 = static_cast<T>(h.beta1), beta2 = static_cast<T>(h.beta2);
    const T weight = static_cast<T>(1.0 - h.beta1), one_minus_beta2 = static_cast<T>(1.0 - h.beta2);
    const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps);
    const T minus_step_size = static_cast<T>(-h.step_size), bc2_sqrt = static_cast<T>(h.bias_correction2_sqrt);
    for (int64_t i = 0; i < n; ++i) {
      T d = h.maximize ? -g[i] : g[i];
      if (h.weight_decay != 0) d = d + wd * theta[i];
      // m.lerp_(d, 1 - beta1), with lerp's two branches for accuracy near each end.
      m[i] = weight < T(0.5) ? m[i] + weight * (d - m[i]) : d - (d - m[i]) * beta1;
      v[i] = v[i] * beta2 + one_minus_beta2 * (d * d);
      T u = v[i];
      if (v_max) {
        v_max[i] = std::fmax(v_max[i], v[i]);
        u = v_max[i];
      }
      theta[i] = theta[i] + minus_step_size * (m[i] / (std::sqrt(u) / bc2_sqrt + eps));
    }
  });
}

}  // namespace tg::optim::kernels

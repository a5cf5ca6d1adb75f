// Fused optimizer kernels. Each formula is written in the order PyTorch evaluates it
// (e.g. param + (-lr) * (g / std)), so float results agree to the last bits where
// the operations are the same.
#include "row_kernels.h"

#include <cmath>

#include "../core/prefetch.h"
#include "../core/summed_rows.h"

namespace tg::optim::kernels {

namespace {

template <class T> T* data(const Tensor& t) { return static_cast<T*>(t.raw_data()); }

// The rows a sparse step touches are scattered over the table: for a large table each
// one is a cache miss (and a TLB miss without huge pages, see core/storage.cpp), which
// the loop would otherwise wait out row by row.
template <class T> void prefetch_row(const T* row, int64_t width) {
  core::prefetch_bytes(row, static_cast<size_t>(width) * sizeof(T));
}

// The loop of a dense kernel: kernel(theta, g, n) over the parameter's n elements and
// the gradient's (contiguous, of the parameter's dtype: dense_grad_for), in its type T.
template <class Kernel> void dense_update(const Tensor& param, const Tensor& grad, Kernel kernel) {
  dispatch_floating(param.dtype(), [&]<class T>() {
    kernel(data<T>(param), static_cast<const T*>(data<T>(grad)), param.numel());
  });
}

}  // namespace

Tensor dense_grad_for(const Tensor& param, const Tensor& grad) {
  return core::contiguous(core::cast(grad, param.dtype()));
}

void sgd_dense(const Tensor& param, const Tensor& grad, const Tensor& buffer, bool buffer_is_new, const SGDHyper& h) {
  dense_update(param, grad, [&]<class T>(T* theta, const T* g, int64_t n) {
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

void adagrad_dense(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradHyper& h) {
  dense_update(param, grad, [&]<class T>(T* theta, const T* g, int64_t n) {
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
  const core::SummedRows rows(grad, param.dtype());
  const int64_t width = rows.width();
  dispatch_floating(param.dtype(), [&]<class T>() {
    T* theta = data<T>(param);
    T* s = data<T>(sum);
    const T clr = static_cast<T>(h.clr), eps = static_cast<T>(h.eps);
    rows.for_each<T>([&](int64_t position, const T* g) {
      T* theta_row = theta + position * width;
      T* s_row = s + position * width;
      for (int64_t c = 0; c < width; ++c) {
        const T d = h.maximize ? -g[c] : g[c];
        s_row[c] = s_row[c] + d * d;
        theta_row[c] = theta_row[c] + (-clr) * (d / (std::sqrt(s_row[c]) + eps));
      }
    }, [&](int64_t position) {
      prefetch_row(theta + position * width, width);
      prefetch_row(s + position * width, width);
    });
  });
}

void sparse_adam_rows(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                      const SparseAdamHyper& h) {
  const core::SummedRows rows(grad, param.dtype());
  const int64_t width = rows.width();
  dispatch_floating(param.dtype(), [&]<class T>() {
    T* theta = data<T>(param);
    T* m = data<T>(exp_avg);
    T* v = data<T>(exp_avg_sq);
    const T one_minus_beta1 = static_cast<T>(1.0 - h.beta1), one_minus_beta2 = static_cast<T>(1.0 - h.beta2);
    const T eps = static_cast<T>(h.eps), minus_step_size = static_cast<T>(-h.step_size);
    rows.for_each<T>([&](int64_t position, const T* g) {
      const int64_t offset = position * width;
      T *theta_row = theta + offset, *m_row = m + offset, *v_row = v + offset;
      for (int64_t c = 0; c < width; ++c) {
        const T d = h.maximize ? -g[c] : g[c];
        // PyTorch moves each moment by (1 - beta) * (target - old): the same value
        // as beta * old + (1 - beta) * target, rounded as PyTorch rounds it.
        m_row[c] = m_row[c] + (d - m_row[c]) * one_minus_beta1;
        v_row[c] = v_row[c] + (d * d - v_row[c]) * one_minus_beta2;
        theta_row[c] = theta_row[c] + minus_step_size * (m_row[c] / (std::sqrt(v_row[c]) + eps));
      }
    }, [&](int64_t position) {
      prefetch_row(theta + position * width, width);
      prefetch_row(m + position * width, width);
      prefetch_row(v + position * width, width);
    });
  });
}

void adam_dense(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const Tensor& max_exp_avg_sq, const AdamHyper& h) {
  dense_update(param, grad, [&]<class T>(T* theta, const T* g, int64_t n) {
    T* m = data<T>(exp_avg);
    T* v = data<T>(exp_avg_sq);
    T* v_max = h.amsgrad ? data<T>(max_exp_avg_sq) : nullptr;
    const T beta1 = static_cast<T>(h.beta1), beta2 = static_cast<T>(h.beta2);
    const T weight = static_cast<T>(1.0 - h.beta1), one_minus_beta2 = static_cast<T>(1.0 - h.beta2);
    const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps);
    const T minus_step_size = static_cast<T>(-h.step_size), bc2_sqrt = static_cast<T>(h.bias_correction2_sqrt);
    const T decay_factor = static_cast<T>(h.decay_factor);
    for (int64_t i = 0; i < n; ++i) {
      if (h.decay_factor != 1) theta[i] = theta[i] * decay_factor;
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

void rmsprop_dense(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                   const Tensor& buffer, const RMSpropHyper& h) {
  dense_update(param, grad, [&]<class T>(T* theta, const T* g, int64_t n) {
    T* sq = data<T>(square_avg);
    T* ga = h.centered ? data<T>(grad_avg) : nullptr;
    T* buf = h.momentum > 0 ? data<T>(buffer) : nullptr;
    const T alpha = static_cast<T>(h.alpha), one_minus_alpha = static_cast<T>(1.0 - h.alpha);
    const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps), mu = static_cast<T>(h.momentum);
    const T minus_lr = static_cast<T>(-h.lr);
    for (int64_t i = 0; i < n; ++i) {
      T d = h.maximize ? -g[i] : g[i];
      if (h.weight_decay != 0) d = d + wd * theta[i];
      sq[i] = sq[i] * alpha + one_minus_alpha * (d * d);
      T avg;
      if (ga) {
        ga[i] = ga[i] * alpha + one_minus_alpha * d;
        avg = std::sqrt(sq[i] + T(-1) * (ga[i] * ga[i]));
      } else {
        avg = std::sqrt(sq[i]);
      }
      avg = avg + eps;
      if (buf) {
        buf[i] = buf[i] * mu + d / avg;
        theta[i] = theta[i] + minus_lr * buf[i];
      } else {
        theta[i] = theta[i] + minus_lr * (d / avg);
      }
    }
  });
}

}  // namespace tg::optim::kernels

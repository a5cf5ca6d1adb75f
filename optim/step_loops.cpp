// The optimizer steps' element loops (step_loops.h). Notation as in each optimizer's
// file: d is the gradient after maximize and weight decay. Every option that changes the
// formula is a template flag (core::with_flags), so each loop body is branch-free and
// vectorises; vector_clones runs it cloned for AVX-512 and AVX2 (Note [vector clones]).
#include "step_loops.h"

#include <cmath>

#include "../core/simd.h"

namespace tg::optim::kernels {

namespace {

using core::with_flags;

template <class T>
TG_ALWAYS_INLINE void sgd_body(T* __restrict theta, const T* __restrict g, T* __restrict buf, int64_t n,
                               const SGDLoop<T>& k) {
  const T minus_lr = k.minus_lr, mu = k.momentum, keep = k.keep, wd = k.weight_decay;
  auto body = [&]<bool Buffer, bool NewBuffer, bool Nesterov, bool Maximize, bool Decay>() TG_ALWAYS_INLINE_LAMBDA {
    for (int64_t i = 0; i < n; ++i) {
      T d = Maximize ? -g[i] : g[i];
      if constexpr (Decay) d = d + wd * theta[i];
      if constexpr (Buffer) {
        const T b = NewBuffer ? d : mu * buf[i] + keep * d;
        buf[i] = b;
        d = Nesterov ? d + mu * b : b;
      }
      theta[i] = theta[i] + minus_lr * d;
    }
  };
  if (k.buffer == 0) with_flags<false, false, false>(body, k.maximize, k.decay);
  else with_flags<true>(body, k.buffer == 1, k.nesterov, k.maximize, k.decay);
}

template <class T>
TG_ALWAYS_INLINE void adagrad_body(T* __restrict theta, const T* __restrict g, T* __restrict s, int64_t n,
                                   const AdagradLoop<T>& k) {
  const T minus_clr = k.minus_clr, wd = k.weight_decay, eps = k.eps;
  with_flags([&]<bool Maximize, bool Decay>() TG_ALWAYS_INLINE_LAMBDA {
    for (int64_t i = 0; i < n; ++i) {
      T d = Maximize ? -g[i] : g[i];
      if constexpr (Decay) d = d + wd * theta[i];
      const T sum = s[i] + d * d;
      s[i] = sum;
      theta[i] = theta[i] + minus_clr * (d / (std::sqrt(sum) + eps));
    }
  }, k.maximize, k.decay);
}

template <class T>
TG_ALWAYS_INLINE void sparse_adam_body(T* __restrict theta, const T* __restrict g, T* __restrict m,
                                       T* __restrict v, int64_t n, const SparseAdamLoop<T>& k) {
  const T one_minus_beta1 = k.one_minus_beta1, one_minus_beta2 = k.one_minus_beta2, eps = k.eps;
  const T minus_step_size = k.minus_step_size;
  with_flags([&]<bool Maximize>() TG_ALWAYS_INLINE_LAMBDA {
    for (int64_t i = 0; i < n; ++i) {
      const T d = Maximize ? -g[i] : g[i];
      // PyTorch moves each moment by (1 - beta) * (target - old): the same value as
      // beta * old + (1 - beta) * target, rounded as PyTorch rounds it.
      const T mi = m[i] + (d - m[i]) * one_minus_beta1;
      const T vi = v[i] + (d * d - v[i]) * one_minus_beta2;
      m[i] = mi;
      v[i] = vi;
      theta[i] = theta[i] + minus_step_size * (mi / (std::sqrt(vi) + eps));
    }
  }, k.maximize);
}

template <class T>
TG_ALWAYS_INLINE void adam_body(T* __restrict theta, const T* __restrict g, T* __restrict m, T* __restrict v,
                                T* __restrict v_max, int64_t n, const AdamLoop<T>& k) {
  const T beta1 = k.beta1, beta2 = k.beta2, weight = k.weight, one_minus_beta2 = k.one_minus_beta2;
  const T wd = k.weight_decay, eps = k.eps, minus_step_size = k.minus_step_size;
  const T bc2_sqrt = k.bias_correction2_sqrt, decay_factor = k.decay_factor;
  with_flags([&]<bool Maximize, bool Decay, bool LerpFromOld, bool Amsgrad>() TG_ALWAYS_INLINE_LAMBDA {
    for (int64_t i = 0; i < n; ++i) {
      // AdamW's decoupled decay; Adam's decay_factor is 1, and x * 1 is x, bit for bit.
      const T p = theta[i] * decay_factor;
      T d = Maximize ? -g[i] : g[i];
      if constexpr (Decay) d = d + wd * p;
      // m.lerp_(d, 1 - beta1), with lerp's two branches for accuracy near each end.
      const T mi = LerpFromOld ? m[i] + weight * (d - m[i]) : d - (d - m[i]) * beta1;
      const T vi = v[i] * beta2 + one_minus_beta2 * (d * d);
      m[i] = mi;
      v[i] = vi;
      T u = vi;
      if constexpr (Amsgrad) {
        // std::fmax(v_max, v) spelled so that it vectorises: a NaN loses to a number,
        // and a tie (only +0 and +0 here: v is never -0) gives v, as glibc's fmax does.
        u = (v_max[i] > vi || vi != vi) ? v_max[i] : vi;
        v_max[i] = u;
      }
      theta[i] = p + minus_step_size * (mi / (std::sqrt(u) / bc2_sqrt + eps));
    }
  }, k.maximize, k.decay, k.weight < T(0.5), k.amsgrad);
}

template <class T>
TG_ALWAYS_INLINE void rmsprop_body(T* __restrict theta, const T* __restrict g, T* __restrict sq, T* __restrict ga,
                                   T* __restrict buf, int64_t n, const RMSpropLoop<T>& k) {
  const T alpha = k.alpha, one_minus_alpha = k.one_minus_alpha, wd = k.weight_decay, eps = k.eps;
  const T mu = k.momentum, minus_lr = k.minus_lr;
  with_flags([&]<bool Maximize, bool Decay, bool Centered, bool Buffer>() TG_ALWAYS_INLINE_LAMBDA {
    for (int64_t i = 0; i < n; ++i) {
      T d = Maximize ? -g[i] : g[i];
      if constexpr (Decay) d = d + wd * theta[i];
      const T s = sq[i] * alpha + one_minus_alpha * (d * d);
      sq[i] = s;
      T avg;
      if constexpr (Centered) {
        const T a = ga[i] * alpha + one_minus_alpha * d;
        ga[i] = a;
        avg = std::sqrt(s + T(-1) * (a * a));
      } else {
        avg = std::sqrt(s);
      }
      avg = avg + eps;
      if constexpr (Buffer) {
        const T b = buf[i] * mu + d / avg;
        buf[i] = b;
        theta[i] = theta[i] + minus_lr * b;
      } else {
        theta[i] = theta[i] + minus_lr * (d / avg);
      }
    }
  }, k.maximize, k.decay, k.centered, k.use_buffer);
}

}  // namespace

using core::vector_clones;

template <class T> void sgd_loop(T* p, const T* g, T* b, int64_t n, const SGDLoop<T>& k) {
  vector_clones<sgd_body<T>>(p, g, b, n, k);
}
template <class T> void adagrad_loop(T* p, const T* g, T* s, int64_t n, const AdagradLoop<T>& k) {
  vector_clones<adagrad_body<T>>(p, g, s, n, k);
}
template <class T> void sparse_adam_loop(T* p, const T* g, T* m, T* v, int64_t n, const SparseAdamLoop<T>& k) {
  vector_clones<sparse_adam_body<T>>(p, g, m, v, n, k);
}
template <class T> void adam_loop(T* p, const T* g, T* m, T* v, T* v_max, int64_t n, const AdamLoop<T>& k) {
  vector_clones<adam_body<T>>(p, g, m, v, v_max, n, k);
}
template <class T> void rmsprop_loop(T* p, const T* g, T* sq, T* ga, T* b, int64_t n, const RMSpropLoop<T>& k) {
  vector_clones<rmsprop_body<T>>(p, g, sq, ga, b, n, k);
}

template void sgd_loop(float*, const float*, float*, int64_t, const SGDLoop<float>&);
template void sgd_loop(double*, const double*, double*, int64_t, const SGDLoop<double>&);
template void adagrad_loop(float*, const float*, float*, int64_t, const AdagradLoop<float>&);
template void adagrad_loop(double*, const double*, double*, int64_t, const AdagradLoop<double>&);
template void sparse_adam_loop(float*, const float*, float*, float*, int64_t, const SparseAdamLoop<float>&);
template void sparse_adam_loop(double*, const double*, double*, double*, int64_t, const SparseAdamLoop<double>&);
template void adam_loop(float*, const float*, float*, float*, float*, int64_t, const AdamLoop<float>&);
template void adam_loop(double*, const double*, double*, double*, double*, int64_t, const AdamLoop<double>&);
template void rmsprop_loop(float*, const float*, float*, float*, float*, int64_t, const RMSpropLoop<float>&);
template void rmsprop_loop(double*, const double*, double*, double*, double*, int64_t, const RMSpropLoop<double>&);

}  // namespace tg::optim::kernels

// Fused optimizer kernels: the tensor plumbing around the element loops of
// step_loops.cpp, which hold the formulas (in PyTorch's order of evaluation, so that
// float results agree to the last bits where the operations are the same).
#include "row_kernels.h"

#include "../core/prefetch.h"
#include "../core/summed_rows.h"
#include "step_loops.h"

namespace tg::optim::kernels {

namespace {

template <class T> T* data(const Tensor& t) { return static_cast<T*>(t.raw_data()); }
template <class T> T* data_or_null(const Tensor& t) { return t.defined() ? data<T>(t) : nullptr; }

// The rows a sparse step touches are scattered over the table: for a large table each
// one is a cache miss (and a TLB miss without huge pages, see core/storage.cpp), which
// the loop would otherwise wait out row by row.
template <class T> void prefetch_row(const T* row, int64_t width) {
  core::prefetch_bytes(row, static_cast<size_t>(width) * sizeof(T));
}

}  // namespace

Tensor dense_grad_for(const Tensor& param, const Tensor& grad) {
  Tensor g = core::contiguous(core::cast(grad, param.dtype()));
  // The element loops read each array through its own unaliased pointer: a gradient
  // that is the parameter's own memory (p.grad = p) is read from a copy.
  if (g.impl()->storage == param.impl()->storage) g = core::clone(g);
  return g;
}

void sgd_dense(const Tensor& param, const Tensor& grad, const Tensor& buffer, bool buffer_is_new, const SGDHyper& h) {
  dispatch_floating(param.dtype(), [&]<class T>() {
    const SGDLoop<T> k{static_cast<T>(-h.lr), static_cast<T>(h.momentum), static_cast<T>(1.0 - h.dampening),
                       static_cast<T>(h.weight_decay), h.maximize, h.weight_decay != 0,
                       buffer.defined() ? (buffer_is_new ? 1 : 2) : 0, h.nesterov};
    sgd_loop(data<T>(param), data<T>(grad), data_or_null<T>(buffer), param.numel(), k);
  });
}

void adagrad_dense(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradHyper& h) {
  dispatch_floating(param.dtype(), [&]<class T>() {
    const AdagradLoop<T> k{static_cast<T>(-h.clr), static_cast<T>(h.weight_decay), static_cast<T>(h.eps), h.maximize,
                           h.weight_decay != 0};
    adagrad_loop(data<T>(param), data<T>(grad), data<T>(sum), param.numel(), k);
  });
}

void adagrad_rows(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradHyper& h) {
  const core::SummedRows rows(grad, param.dtype());
  const int64_t width = rows.width();
  dispatch_floating(param.dtype(), [&]<class T>() {
    T* theta = data<T>(param);
    T* s = data<T>(sum);
    // No weight decay with a sparse gradient (the optimizer refuses it).
    const AdagradLoop<T> k{static_cast<T>(-h.clr), T(0), static_cast<T>(h.eps), h.maximize, false};
    rows.for_each<T>([&](int64_t position, const T* g) {
      adagrad_loop(theta + position * width, g, s + position * width, width, k);
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
    const SparseAdamLoop<T> k{static_cast<T>(1.0 - h.beta1), static_cast<T>(1.0 - h.beta2), static_cast<T>(h.eps),
                              static_cast<T>(-h.step_size), h.maximize};
    rows.for_each<T>([&](int64_t position, const T* g) {
      const int64_t offset = position * width;
      sparse_adam_loop(theta + offset, g, m + offset, v + offset, width, k);
    }, [&](int64_t position) {
      prefetch_row(theta + position * width, width);
      prefetch_row(m + position * width, width);
      prefetch_row(v + position * width, width);
    });
  });
}

void adam_dense(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const Tensor& max_exp_avg_sq, const AdamHyper& h) {
  dispatch_floating(param.dtype(), [&]<class T>() {
    const AdamLoop<T> k{static_cast<T>(h.beta1), static_cast<T>(h.beta2), static_cast<T>(1.0 - h.beta1),
                        static_cast<T>(1.0 - h.beta2), static_cast<T>(h.weight_decay), static_cast<T>(h.eps),
                        static_cast<T>(-h.step_size), static_cast<T>(h.bias_correction2_sqrt),
                        static_cast<T>(h.decay_factor), h.maximize, h.weight_decay != 0, h.amsgrad};
    adam_loop(data<T>(param), data<T>(grad), data<T>(exp_avg), data<T>(exp_avg_sq),
              h.amsgrad ? data<T>(max_exp_avg_sq) : nullptr, param.numel(), k);
  });
}

void rmsprop_dense(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                   const Tensor& buffer, const RMSpropHyper& h) {
  dispatch_floating(param.dtype(), [&]<class T>() {
    const RMSpropLoop<T> k{static_cast<T>(h.alpha), static_cast<T>(1.0 - h.alpha), static_cast<T>(h.weight_decay),
                           static_cast<T>(h.eps), static_cast<T>(h.momentum), static_cast<T>(-h.lr), h.maximize,
                           h.weight_decay != 0, h.centered, h.momentum > 0};
    rmsprop_loop(data<T>(param), data<T>(grad), data<T>(square_avg), h.centered ? data<T>(grad_avg) : nullptr,
                 h.momentum > 0 ? data<T>(buffer) : nullptr, param.numel(), k);
  });
}

}  // namespace tg::optim::kernels

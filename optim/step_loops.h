#pragma once
// The element loops of the optimizer steps: one pass over n elements of a parameter and
// its state, reading and writing each array once; T is float or double (the .cpp
// instantiates both). A dense step runs a loop over the whole
// parameter; a sparse step runs it over each summed row (n = the row's width). Each
// loop is vectorised and cloned for AVX-512 and AVX2 (Note [vector clones] in core/simd.h).
//
// The pointers are to distinct arrays (the callers make sure a gradient never shares
// memory with the parameter it updates; see row_kernels.cpp). Each formula is evaluated
// in PyTorch's order, one rounding per operation: the vector lanes give the same bits
// as a scalar loop would.
#include <cstdint>

namespace tg::optim::kernels {

template <class T> struct SGDLoop {
  T minus_lr, momentum, keep, weight_decay;  // keep = 1 - dampening
  bool maximize, decay;                      // decay: weight_decay != 0
  int buffer;                                // 0: none, 1: new (takes d), 2: existing
  bool nesterov;
};
template <class T> void sgd_loop(T* param, const T* grad, T* buffer, int64_t n, const SGDLoop<T>& k);

template <class T> struct AdagradLoop {
  T minus_clr, weight_decay, eps;
  bool maximize, decay;
};
template <class T> void adagrad_loop(T* param, const T* grad, T* sum, int64_t n, const AdagradLoop<T>& k);

template <class T> struct SparseAdamLoop {
  T one_minus_beta1, one_minus_beta2, eps, minus_step_size;
  bool maximize;
};
template <class T>
void sparse_adam_loop(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, int64_t n, const SparseAdamLoop<T>& k);

template <class T> struct AdamLoop {
  T beta1, beta2, weight, one_minus_beta2, weight_decay, eps, minus_step_size, bias_correction2_sqrt, decay_factor;
  bool maximize, decay, amsgrad;  // max_exp_avg_sq is read only with amsgrad
};
template <class T>
void adam_loop(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T* max_exp_avg_sq, int64_t n, const AdamLoop<T>& k);

template <class T> struct RMSpropLoop {
  T alpha, one_minus_alpha, weight_decay, eps, momentum, minus_lr;
  bool maximize, decay, centered, use_buffer;  // grad_avg is read only when centered, buffer with use_buffer
};
template <class T>
void rmsprop_loop(T* param, const T* grad, T* square_avg, T* grad_avg, T* buffer, int64_t n, const RMSpropLoop<T>& k);

}  // namespace tg::optim::kernels

#pragma once
// The element loops of the optimizer steps: one pass over n elements of a parameter and
// its state, reading and writing each array once. A dense step runs a loop over the whole
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
void sgd_loop(float* param, const float* grad, float* buffer, int64_t n, const SGDLoop<float>& k);
void sgd_loop(double* param, const double* grad, double* buffer, int64_t n, const SGDLoop<double>& k);

template <class T> struct AdagradLoop {
  T minus_clr, weight_decay, eps;
  bool maximize, decay;
};
void adagrad_loop(float* param, const float* grad, float* sum, int64_t n, const AdagradLoop<float>& k);
void adagrad_loop(double* param, const double* grad, double* sum, int64_t n, const AdagradLoop<double>& k);

template <class T> struct SparseAdamLoop {
  T one_minus_beta1, one_minus_beta2, eps, minus_step_size;
  bool maximize;
};
void sparse_adam_loop(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, int64_t n,
                      const SparseAdamLoop<float>& k);
void sparse_adam_loop(double* param, const double* grad, double* exp_avg, double* exp_avg_sq, int64_t n,
                      const SparseAdamLoop<double>& k);

template <class T> struct AdamLoop {
  T beta1, beta2, weight, one_minus_beta2, weight_decay, eps, minus_step_size, bias_correction2_sqrt, decay_factor;
  bool maximize, decay, amsgrad;  // max_exp_avg_sq is read only with amsgrad
};
void adam_loop(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, float* max_exp_avg_sq, int64_t n,
               const AdamLoop<float>& k);
void adam_loop(double* param, const double* grad, double* exp_avg, double* exp_avg_sq, double* max_exp_avg_sq,
               int64_t n, const AdamLoop<double>& k);

template <class T> struct RMSpropLoop {
  T alpha, one_minus_alpha, weight_decay, eps, momentum, minus_lr;
  bool maximize, decay, centered, use_buffer;  // grad_avg is read only when centered, buffer with use_buffer
};
void rmsprop_loop(float* param, const float* grad, float* square_avg, float* grad_avg, float* buffer, int64_t n,
                  const RMSpropLoop<float>& k);
void rmsprop_loop(double* param, const double* grad, double* square_avg, double* grad_avg, double* buffer,
                  int64_t n, const RMSpropLoop<double>& k);

}  // namespace tg::optim::kernels

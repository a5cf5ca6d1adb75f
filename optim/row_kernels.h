#pragma once
// Fused update kernels: one pass over the elements (dense) or over the rows of a
// coalesced sparse gradient (sparse), reading and writing parameter and state once.
// This is what keeps a sparse step O(rows x D) instead of O(V x D).
//
// Shapes: a parameter of shape (S..., D...) is seen as V rows of width D, where S are
// the gradient's sparse dims (one for Embedding's (V, D) table) and D its dense dims.
// Every dense tensor handed to these kernels is contiguous with the parameter's
// dtype (float32 or float64); callers stage non-contiguous parameters (with_contiguous).
#include <cstdint>

#include "../core/layout.h"

namespace tg::optim::kernels {

struct SGDHyper {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize;
};
struct AdagradHyper {
  double clr, weight_decay, eps;  // clr: lr after lr_decay
  bool maximize;
};
struct SparseAdamHyper {
  double beta1, beta2, eps, step_size;  // step_size = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
  bool maximize;
};
struct AdamHyper {
  double beta1, beta2, eps, weight_decay, step_size, bias_correction2_sqrt;  // step_size = lr / (1 - beta1^t)
  bool amsgrad, maximize;
  double decay_factor = 1;  // AdamW's decoupled decay: param *= 1 - lr * weight_decay before the update
};
struct RMSpropHyper {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
};

// Dense SGD, all options. buffer: undefined when momentum == 0; when buffer_is_new it
// receives the first (decayed, negated) gradient, as PyTorch's clone.
void sgd_dense(const Tensor& param, const Tensor& grad, const Tensor& buffer, bool buffer_is_new, const SGDHyper& h);

void adagrad_dense(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradHyper& h);
// grad sparse, coalesced or not: its entries are summed per row first (squaring needs
// the whole row's gradient; Note [summed rows]), then only those rows of sum and param
// are touched.
void adagrad_rows(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradHyper& h);

// grad sparse, coalesced or not (summed per row first); rows absent from it keep their
// parameter and both moments.
void sparse_adam_rows(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                      const SparseAdamHyper& h);

// max_exp_avg_sq: undefined unless amsgrad.
void adam_dense(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const Tensor& max_exp_avg_sq, const AdamHyper& h);

// grad_avg: undefined unless centered; buffer: undefined unless momentum > 0.
void rmsprop_dense(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                   const Tensor& buffer, const RMSpropHyper& h);

// A contiguous copy of a dense gradient in the parameter's dtype (itself when it already is one).
Tensor dense_grad_for(const Tensor& param, const Tensor& grad);

// Runs fn(target) on param itself when contiguous, else on a contiguous copy that is
// written back afterwards.
template <class F> void with_contiguous(const Tensor& param, F&& fn) {
  const Tensor target = core::contiguous(param);
  fn(target);
  if (!target.is_same(param)) core::copy_into(param, target);
}

}  // namespace tg::optim::kernels

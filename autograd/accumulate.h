#pragma once
// How gradients add up (autograd/accumulate.cpp): inside one backward, where one
// tensor is used several times, and across backward calls, into a leaf's .grad; and
// how .grad is reset between training steps.
//
//   tg::Tensor w = tg::ones({2}).requires_grad_();   // makes w's AccumulateGrad
//   (w * 3).sum().backward();                         // its apply(): w.grad = [3, 3]
//   tg::autograd::zero_grad(w);                        // w.grad undefined again
#include <memory>

#include "../core/tensor.h"
#include "node.h"

namespace tg::autograd {

// The sum of two gradients of one tensor, by the rules of docs/gradients.md ("Dense and sparse gradients of one tensor"):
// sparse + sparse stays sparse; sparse + dense is dense. Either may be undefined.
Tensor add_gradients(const Tensor& a, const Tensor& b);

// The sink for a leaf: adds the incoming gradient into the leaf's .grad following
// the dense/sparse rules of docs/gradients.md; when it may keep the arriving
// buffer without a copy is "Stealing a buffer" there.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const Tensor& leaf);
  Gradients apply(const Tensor& grad) override;
  bool is_accumulator() const override { return true; }
  // The leaf, or an undefined tensor once the leaf itself is gone.
  Tensor leaf() const { return Tensor(leaf_.lock()); }

 private:
  std::weak_ptr<TensorImpl> leaf_;
};

// Resets param's .grad, as Module::zero_grad and Optimizer::zero_grad do (PyTorch's
// rule). set_to_none: .grad becomes undefined. Otherwise the same gradient object is
// zeroed in place, so whoever holds it sees zeros: a dense gradient filled with 0, a
// sparse one emptied (no entries); a gradient carrying history (from a backward that
// recorded its own graph) is first detached in place.
void zero_grad(const Tensor& param, bool set_to_none = true);

}  // namespace tg::autograd

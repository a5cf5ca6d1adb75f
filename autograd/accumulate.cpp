// How gradients add up: inside one backward (several uses of one tensor) and across
// backward calls (into a leaf's .grad), and how .grad is reset. Dense and sparse meet here.
#include <fmt/format.h>

#include "../core/elementwise.h"
#include "../core/layout.h"
#include "../core/sparse.h"
#include "accumulate.h"
#include "meta.h"

namespace tg::autograd {

Tensor add_gradients(const Tensor& a, const Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  if (a.is_sparse() && b.is_sparse()) return core::sparse_add(a, b);
  if (a.is_sparse() || b.is_sparse()) {
    // A sparse use plus any dense use of one tensor gives a dense gradient.
    const Tensor& dense = a.is_sparse() ? b : a;
    const Tensor& sparse = a.is_sparse() ? a : b;
    Tensor out = core::clone(dense);
    core::add_sparse_into(out, sparse);
    return out;
  }
  return core::binary(core::BinaryOp::Add, a, b);
}

AccumulateGrad::AccumulateGrad(const Tensor& leaf) : Node("AccumulateGrad", {}), leaf_(leaf.impl_ptr()) {}

// The gradient may alias another tensor (AddBackward0 hands one tensor to both
// inputs), so it is stored as is only when nothing else can see its storage.
static Tensor owned(const Tensor& grad) {
  if (grad.is_sparse()) return grad.detach();
  if (grad.impl_ptr().use_count() <= 2 && grad.impl()->storage.use_count() == 1 && grad.is_contiguous())
    return grad;
  return core::clone(grad);
}

Gradients AccumulateGrad::apply(const Tensor& grad) {
  const Tensor target = leaf();
  if (!target.defined()) return {};  // nobody can read this gradient any more
  if (grad.sizes() != target.sizes())
    throw Error(fmt::format("backward: the gradient for a leaf of shape {} has shape {}; expected the "
                            "leaf's shape", shape_string(target.sizes()), shape_string(grad.sizes())));
  AutogradMeta& meta = meta_of(target);
  Tensor& existing = meta.grad;
  if (!existing.defined()) {
    existing = owned(grad);
  } else if (existing.is_sparse() && grad.is_sparse()) {
    // In place into the existing object: whoever holds .grad sees the new entries.
    core::assign_sparse_(existing, core::sparse_add(existing, grad));
  } else if (existing.is_sparse()) {
    Tensor dense = core::clone(grad);
    core::add_sparse_into(dense, existing);
    existing = dense;
  } else if (grad.is_sparse()) {
    core::add_sparse_into(existing, grad);
    existing.bump_version();
  } else {
    core::binary_into(core::BinaryOp::Add, existing, grad);
    existing.bump_version();
  }
  return {};
}

void zero_grad(const Tensor& param, bool set_to_none) {
  AutogradMeta* meta = find_meta(param);
  if (meta == nullptr || !meta->grad.defined()) return;
  Tensor& grad = meta->grad;
  if (set_to_none) {
    grad = Tensor();
    return;
  }
  // Detached in place (PyTorch's detach_()): holders of this gradient keep the same
  // object, which no longer drags a graph along.
  if (AutogradMeta* grad_meta = find_meta(grad)) {
    grad_meta->grad_fn.reset();
    grad_meta->requires_grad = false;
    grad_meta->grad_accumulator.reset();
  }
  if (grad.is_sparse()) {
    core::assign_sparse_(grad, core::sparse_empty(grad.sizes(), grad.dtype()));  // bumps the version
  } else {
    core::fill(grad, 0.0);
    grad.bump_version();
  }
}

}  // namespace tg::autograd

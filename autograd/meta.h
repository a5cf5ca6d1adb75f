#pragma once
// The autograd state of one tensor: the block that core/ holds only as an opaque pointer.
#include <memory>
#include <string>

#include "../core/tensor.h"

namespace tg::autograd {

class Node;

struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;
  Tensor grad;                        // undefined until a backward reaches the tensor
  std::shared_ptr<Node> grad_fn;      // null for leaves
  std::string name;                   // parameter name, for tapes and messages
  // A leaf's AccumulateGrad, shared by every graph that uses the leaf. Made once,
  // by requires_grad_(true), so that ops only read it: no lock on the hot path even
  // when Hogwild threads share one table. It refers back to the leaf weakly, so the
  // two do not keep each other alive.
  std::shared_ptr<Node> grad_accumulator;
};

// The tensor's meta, created on first use.
AutogradMeta& meta_of(const Tensor& t);
// The tensor's meta or null, never creating one.
AutogradMeta* find_meta(const Tensor& t);

}  // namespace tg::autograd

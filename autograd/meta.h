#pragma once
// The autograd state of one tensor: the block that core/ holds only as an opaque pointer.
#include <memory>
#include <mutex>
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
  // A leaf's AccumulateGrad, shared by every graph that uses the leaf. Weak: the
  // graphs own it, so a leaf does not keep a finished graph's sink alive. The mutex
  // makes its lazy creation safe when Hogwild threads use one table.
  std::weak_ptr<Node> grad_accumulator;
  std::mutex accumulator_mutex;
};

// The tensor's meta, created on first use.
AutogradMeta& meta_of(const Tensor& t);
// The tensor's meta or null, never creating one.
AutogradMeta* find_meta(const Tensor& t);

}  // namespace tg::autograd

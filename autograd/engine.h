#pragma once
// backward() and grad(): the reverse walk over a recorded graph.
//
//   tg::Tensor loss = (w * x + b).tanh().sum();
//   loss.backward();                                    // accumulates into w.grad(), b.grad()
//   auto grads = tg::autograd::grad({loss}, {w, b});   // returns them; leaves' .grad untouched
#include <vector>

#include "../core/tensor.h"

namespace tg::autograd {

// Runs backward from `roots`, each seeded with its gradient (undefined = ones for a
// scalar root). Gradients reaching leaves accumulate into their .grad.
void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots = {},
              bool retain_graph = false);

// The gradients of `outputs` with respect to `inputs`, returned in order. No leaf's
// .grad is touched, so threads that share parameters can each compute their own
// gradients (Hogwild training). The defaults are libtorch's:
//   allow_unused   an input that `outputs` do not depend on is an error; true returns
//                  an undefined gradient for it instead.
//   create_graph   must stay false: backward formulas run with recording off, on saved
//                  tensors detached from their history, so a returned gradient has no
//                  graph to differentiate again (no second derivatives). true throws
//                  tg::Error rather than return gradients that would silently lack it.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool retain_graph = false,
                         bool create_graph = false, bool allow_unused = false);

}  // namespace tg::autograd

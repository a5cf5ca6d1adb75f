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

// The gradients of `outputs` with respect to `inputs`, returned in order (undefined
// where an input is not reached). No leaf's .grad is touched, so threads that share
// parameters can each compute their own gradients (Hogwild training).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool retain_graph = false,
                         bool allow_unused = true);

}  // namespace tg::autograd

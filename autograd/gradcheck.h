#pragma once
// Finite-difference checks of backward rules.
//
//   auto x = tg::randn({3}, tg::kFloat64).requires_grad_();
//   tg::autograd::gradcheck([](const std::vector<tg::Tensor>& in) { return in[0].tanh(); }, {x});
#include <functional>
#include <vector>

#include "../core/tensor.h"

namespace tg::autograd {

struct GradcheckOptions {
  double eps = 1e-6;   // central-difference step
  double atol = 1e-5;
  double rtol = 1e-3;
};

// Compares the Jacobian that backward computes for fn at `inputs` with central
// differences, element by element. Inputs that require grad must be float64 (the
// differences need its precision). Throws tg::Error naming the input, the element,
// the output element and both values at the first mismatch; returns true otherwise.
bool gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs,
               const GradcheckOptions& options = {});

}  // namespace tg::autograd

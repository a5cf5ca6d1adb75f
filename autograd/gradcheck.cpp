#include "gradcheck.h"

#include <fmt/format.h>

#include <cmath>

#include "../core/layout.h"
#include "engine.h"
#include "grad_mode.h"

namespace tg::autograd {

namespace {

// fn's output as a flat float64 vector, evaluated without recording.
std::vector<double> evaluate(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                             const std::vector<Tensor>& inputs) {
  NoGradGuard no_grad;
  return core::cast(fn(inputs), kFloat64).to_vector<double>();
}

}  // namespace

bool gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs,
               const GradcheckOptions& options) {
  std::vector<size_t> checked;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    if (inputs[i].dtype() != kFloat64)
      throw TypeError(fmt::format("gradcheck: inputs[{}] has dtype {}; expected torch.float64 for inputs that "
                                  "require grad", i, dtype_name(inputs[i].dtype())));
    checked.push_back(i);
  }
  if (checked.empty()) throw ValueError("gradcheck: no input requires grad; expected at least one");

  const Tensor output = fn(inputs);
  const int64_t n_out = output.numel();
  std::vector<Tensor> wrt;
  for (size_t i : checked) wrt.push_back(inputs[i]);

  // analytic[c][j] = d output[j] / d input c, flattened: one backward per output element.
  std::vector<std::vector<std::vector<double>>> analytic(checked.size());
  for (int64_t j = 0; j < n_out; ++j) {
    Tensor seed = zeros(output.sizes(), output.dtype());
    core::fill(seed.reshape({-1}).narrow(0, j, 1), 1.0);
    std::vector<Tensor> grads = output.requires_grad() ? grad({output}, wrt, {seed}, /*retain_graph=*/true)
                                                       : std::vector<Tensor>(wrt.size());
    for (size_t c = 0; c < checked.size(); ++c) {
      const Tensor& g = grads[c];
      analytic[c].push_back(g.defined() ? core::cast(g.to_dense(), kFloat64).to_vector<double>()
                                        : std::vector<double>(wrt[c].numel(), 0.0));
    }
  }

  for (size_t c = 0; c < checked.size(); ++c) {
    // Perturb the input's own storage, so fn sees the change. Element k is the k-th
    // in row-major order, found through the strides: an input may be a strided view
    // (a narrow or a transpose of some base), whose flat reshape would be a copy.
    const Tensor input = wrt[c].detach();
    const Shape& sizes = input.sizes();
    const Shape& strides = input.strides();
    for (size_t d = 0; d < sizes.size(); ++d)
      if (strides[d] == 0 && sizes[d] > 1)
        throw ValueError(fmt::format("gradcheck: inputs[{}] has stride 0 in dim {} (an expanded tensor), so one "
                                     "element stands for several; expected an input without overlapping memory",
                                     checked[c], d));
    double* const origin = input.data_ptr<double>();
    for (int64_t k = 0; k < input.numel(); ++k) {
      int64_t offset = 0;
      for (int64_t d = static_cast<int64_t>(sizes.size()) - 1, rest = k; d >= 0; --d) {
        offset += (rest % sizes[d]) * strides[d];
        rest /= sizes[d];
      }
      double* const element = origin + offset;
      const double saved = *element;
      *element = saved + options.eps;
      const std::vector<double> plus = evaluate(fn, inputs);
      *element = saved - options.eps;
      const std::vector<double> minus = evaluate(fn, inputs);
      *element = saved;
      for (int64_t j = 0; j < n_out; ++j) {
        const double numeric = (plus[j] - minus[j]) / (2 * options.eps);
        const double exact = analytic[c][j][k];
        if (std::abs(numeric - exact) > options.atol + options.rtol * std::abs(numeric))
          throw Error(fmt::format("gradcheck: Jacobian mismatch for inputs[{}] element {} and output element {}: "
                                  "analytic {:.10g}, numeric {:.10g} (atol {}, rtol {})",
                                  checked[c], k, j, exact, numeric, options.atol, options.rtol));
      }
    }
  }
  return true;
}

}  // namespace tg::autograd

#include "fixtures.h"

#include <tapegrad/autograd/node.h>

namespace fixtures {

tg::Tensor row_gradient(const std::vector<int64_t>& rows, const tg::Tensor& values, int64_t num_rows) {
  const int64_t n = static_cast<int64_t>(rows.size());
  return tg::sparse_coo_tensor(tg::from_vector(rows, {1, n}), values, {num_rows, values.size(1)});
}

tg::Tensor cyclic_values(int64_t n, int64_t width, double scale, int64_t period, double offset) {
  std::vector<double> values(static_cast<size_t>(n * width));
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = scale * (static_cast<double>(static_cast<int64_t>(i) % period) - offset);
  return tg::from_vector(values, {n, width});
}

tg::Tensor sparse_lookup(const tg::Tensor& w, const std::vector<int64_t>& rows) {
  const int64_t n = static_cast<int64_t>(rows.size());
  tg::Tensor out = tg::zeros({n, w.size(1)}, w.dtype());
  {
    tg::NoGradGuard no_grad;
    for (int64_t i = 0; i < n; ++i) out[i].copy_(w[rows[i]]);
  }
  if (!tg::autograd::should_record({w})) return out;
  return tg::autograd::record("SparseLookupBackward", out, {w},
                              [rows, shape = w.sizes(), n](const tg::Tensor& grad) -> tg::autograd::Gradients {
                                return {tg::sparse_coo_tensor(tg::from_vector(rows, {1, n}), grad.clone(), shape)};
                              });
}

bool gradcheck(const std::function<tg::Tensor(const tg::Tensor&)>& fn, const tg::Tensor& x) {
  return tg::autograd::gradcheck(
      [&](const std::vector<tg::Tensor>& in) {
        tg::Tensor out = fn(in[0]);
        return out.dim() == 0 ? out.unsqueeze(0) : out;
      },
      {x.detach().requires_grad_()});
}

}  // namespace fixtures

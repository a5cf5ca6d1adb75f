// Reductions and their backward rules.
#include <fmt/format.h>

#include <algorithm>

#include "../../core/kernels.h"
#include "../node.h"

namespace tg {

using autograd::Gradients;
using autograd::record;
using autograd::should_record;

namespace {

// Normalised, sorted, duplicate-free dims; empty `dims` means all of them.
std::vector<int64_t> reduction_dims(const char* where, const Shape& dims, int64_t ndim) {
  std::vector<int64_t> out;
  for (int64_t d : dims) out.push_back(normalize_dim(where, d, ndim));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end())
    throw ValueError(fmt::format("{}: dims {} name one dim twice; expected distinct dims", where, shape_string(dims)));
  if (ndim == 0) out.clear();  // dim 0 / -1 of a 0-d tensor is the tensor itself
  return out;
}

// The gradient of a reduction, broadcast back over the reduced dims.
Tensor expand_back(const Tensor& grad, const Shape& in_shape, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor g = grad;
  if (!keepdim)
    for (int64_t d : dims) g = g.unsqueeze(d);
  return g.expand(in_shape);
}

}  // namespace

Tensor Tensor::sum() const {
  core::check_dense("sum", *this);
  std::vector<int64_t> all(dim());
  for (int64_t d = 0; d < dim(); ++d) all[d] = d;
  Tensor out = core::sum_dims(*this, all, /*keepdim=*/false);
  if (!should_record({*this})) return out;
  return record("SumBackward0", out, {*this},
                [in_shape = sizes()](const Tensor& grad) -> Gradients { return {grad.expand(in_shape)}; });
}

Tensor Tensor::sum(int64_t d, bool keepdim) const { return sum(Shape{d}, keepdim); }

Tensor Tensor::sum(Shape dims, bool keepdim) const {
  core::check_dense("sum", *this);
  const std::vector<int64_t> reduced = reduction_dims("sum", dims, dim());
  Tensor out = core::sum_dims(*this, reduced, keepdim);
  if (!should_record({*this})) return out;
  return record("SumBackward1", out, {*this}, [in_shape = sizes(), reduced, keepdim](const Tensor& grad) -> Gradients {
    return {expand_back(grad, in_shape, reduced, keepdim)};
  });
}

}  // namespace tg

// var and std over all elements or over dims, with PyTorch 2.x's `correction` (the
// divisor is N - correction; unbiased = 1, the default, biased = 0).
//
// Note [var divisor]: the forward divides the summed squared deviations by
// max(0, N - correction), so correction >= N gives inf, or nan where every element
// equals the mean (0 / 0), as PyTorch does. The backward is 2 / (N - correction) *
// grad * (x - mean) over dims (N - correction may be 0 or negative there, as in
// PyTorch); over all elements with N - correction <= 0, PyTorch 2.x gives grad * (nan
// where x == mean, inf elsewhere), while 1.13 fails: we follow 2.x.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "../../core/elementwise.h"
#include "../../core/layout.h"
#include "../../core/reduce.h"
#include "../node.h"
#include "reduce_dims.h"

namespace tg {

using autograd::Gradients;
using autograd::keep_reduced_dims;
using autograd::record;
using autograd::reduction_dims;
using autograd::SavedTensor;
using autograd::should_record;

namespace {

enum class Spread { Var, Std };

struct SpreadArgs {
  std::vector<int64_t> dims;  // normalised and sorted; every dim when all_elements
  bool all_elements;          // called without dims: the backward's own rule at N <= correction
  double correction;
  bool keepdim;
};

int64_t slice_numel(const Tensor& x, const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= x.size(d);
  return n;
}

// x's variance over args.dims, unrecorded.
Tensor variance(const Tensor& x, const SpreadArgs& args) {
  using core::BinaryOp;
  const Tensor deviation = core::binary(BinaryOp::Sub, x, core::mean_dims(x, args.dims, /*keepdim=*/true));
  const Tensor squares = core::sum_dims(core::binary(BinaryOp::Mul, deviation, deviation), args.dims, args.keepdim);
  const double divisor = std::max(0.0, static_cast<double>(slice_numel(x, args.dims)) - args.correction);
  return core::binary(BinaryOp::Div, squares, core::wrapped_scalar(divisor));
}

// d var / dx for an upstream gradient g shaped like the result (Note [var divisor]).
Tensor variance_backward(const Tensor& g, const Tensor& x, const SpreadArgs& args) {
  const Tensor grad = keep_reduced_dims(g, args.dims, args.keepdim);
  const Tensor mean = x.mean(Shape(args.dims.begin(), args.dims.end()), /*keepdim=*/true);
  const double dof = static_cast<double>(slice_numel(x, args.dims)) - args.correction;
  if (args.all_elements && dof <= 0) {
    const Tensor nan = full({}, std::numeric_limits<double>::quiet_NaN(), x.dtype());
    return grad * where(x == mean, nan, full({}, std::numeric_limits<double>::infinity(), x.dtype()));
  }
  return (2.0 / dof) * grad * (x - mean);
}

// var or std of x over `dims` (std::nullopt: over all elements), the checks of every
// overload in one place.
Tensor spread_op(Spread op, const Tensor& x, const std::optional<Shape>& dims, double correction, bool keepdim) {
  const char* name = op == Spread::Var ? "var" : "std";
  core::check_defined(name, x);
  const SpreadArgs args{reduction_dims(name, dims.value_or(Shape{}), x.dim()), !dims, correction, keepdim};
  core::check_dense(name, x);
  if (!x.is_floating_point())
    throw TypeError(fmt::format("{}: input dtype = {} is not supported; expected a floating point dtype", name,
                                dtype_name(x.dtype())));
  Tensor out = variance(x, args);
  if (op == Spread::Std) out = core::unary(core::UnaryOp::Sqrt, out);
  if (!should_record({x})) return out;
  const SavedTensor input(x), result(out);
  if (op == Spread::Var)
    return record("VarBackward0", out, {x}, [input, args](const Tensor& grad) -> Gradients {
      return {variance_backward(grad, input.get(), args)};
    }, {.saved = {input}});
  // d sqrt(v) = dv / (2 sqrt(v)), taken as 0 where std is 0 (PyTorch's choice, not nan).
  return record("StdBackward0", out, {x}, [input, result, args](const Tensor& grad) -> Gradients {
    const Tensor& s = result.get();
    const Tensor grad_var = where(s == 0.0, zeros({}, grad.dtype()), grad / (s * 2.0));
    return {variance_backward(grad_var, input.get(), args)};
  }, {.saved = {input, result}});
}

}  // namespace

Tensor Tensor::var() const { return var(std::nullopt, 1.0); }
Tensor Tensor::var(std::nullopt_t, double correction, bool keepdim) const {
  return spread_op(Spread::Var, *this, std::nullopt, correction, keepdim);
}
Tensor Tensor::var(int64_t dim, double correction, bool keepdim) const { return var(Shape{dim}, correction, keepdim); }
Tensor Tensor::var(Shape dims, double correction, bool keepdim) const {
  return spread_op(Spread::Var, *this, dims, correction, keepdim);
}

Tensor Tensor::std() const { return std(std::nullopt, 1.0); }
Tensor Tensor::std(std::nullopt_t, double correction, bool keepdim) const {
  return spread_op(Spread::Std, *this, std::nullopt, correction, keepdim);
}
Tensor Tensor::std(int64_t dim, double correction, bool keepdim) const { return std(Shape{dim}, correction, keepdim); }
Tensor Tensor::std(Shape dims, double correction, bool keepdim) const {
  return spread_op(Spread::Std, *this, dims, correction, keepdim);
}

}  // namespace tg

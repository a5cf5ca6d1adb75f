// Reductions and their backward rules: sum, mean, prod, max/min, argmax/argmin, norm.
//
// Every reduction over `dims` has the same shape story: the result drops the reduced
// dims (or keeps them as 1 with keepdim), so a backward first puts them back as 1
// (keep_reduced_dims) and then lets broadcasting spread the gradient over each slice.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "../../core/elementwise.h"
#include "../../core/layout.h"
#include "../../core/reduce.h"
#include "../../core/reduce_minmax.h"
#include "../node.h"
#include "reduce_dims.h"

namespace tg {

using autograd::Gradients;
using autograd::keep_reduced_dims;
using autograd::record;
using autograd::SavedTensor;
using autograd::reduction_dims;
using autograd::should_record;
using core::Extremum;

// Declared in reduce_dims.h: shared with the other reductions (autograd/ops/stats.cpp).
std::vector<int64_t> autograd::reduction_dims(const char* where, const Shape& dims, int64_t ndim) {
  std::vector<int64_t> out;
  for (int64_t d : dims) out.push_back(normalize_dim(where, d, ndim));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end())
    throw ValueError(fmt::format("{}: dims {} name one dim twice; expected distinct dims", where, shape_string(dims)));
  if (ndim == 0) out.clear();  // dim 0 / -1 of a 0-d tensor is the tensor itself
  if (dims.empty()) {
    out.resize(ndim);
    std::iota(out.begin(), out.end(), 0);
  }
  return out;
}

Tensor autograd::keep_reduced_dims(const Tensor& reduced, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor g = reduced;
  if (!keepdim)
    for (int64_t d : dims) g = g.unsqueeze(d);
  return g;
}

namespace {

std::vector<int64_t> all_dims(const Tensor& t) { return reduction_dims("", {}, t.dim()); }

Tensor expand_back(const Tensor& grad, const Shape& in_shape, const std::vector<int64_t>& dims, bool keepdim) {
  return keep_reduced_dims(grad, dims, keepdim).expand(in_shape);
}

int64_t slice_numel(const Shape& in_shape, const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= in_shape[d];
  return n;
}

// sum and mean over some dims: the gradient is expanded back over them and, for a
// mean, divided by how many elements each output averaged.
Tensor sum_or_mean(const Tensor& x, bool mean, const Shape& dims, bool keepdim) {
  const char* op = mean ? "mean" : "sum";
  core::check_dense(op, x);
  const std::vector<int64_t> reduced = reduction_dims(op, dims, x.dim());
  Tensor out = mean ? core::mean_dims(x, reduced, keepdim) : core::sum_dims(x, reduced, keepdim);
  if (!should_record({x})) return out;
  return record(mean ? "MeanBackward1" : "SumBackward1", out, {x},
                [in_shape = x.sizes(), reduced, keepdim, mean](const Tensor& grad) -> Gradients {
                  Tensor spread = expand_back(grad, in_shape, reduced, keepdim);
                  if (!mean) return {spread};
                  return {spread / static_cast<double>(slice_numel(in_shape, reduced))};
                });
}

}  // namespace

// ---- sum

Tensor Tensor::sum() const {
  core::check_dense("sum", *this);
  Tensor out = core::sum_dims(*this, all_dims(*this), /*keepdim=*/false);
  if (!should_record({*this})) return out;
  return record("SumBackward0", out, {*this},
                [in_shape = sizes()](const Tensor& grad) -> Gradients { return {grad.expand(in_shape)}; });
}

Tensor Tensor::sum(int64_t d, bool keepdim) const { return sum(Shape{d}, keepdim); }

Tensor Tensor::sum(Shape dims, bool keepdim) const { return sum_or_mean(*this, /*mean=*/false, dims, keepdim); }

// ---- mean (an integer input raises TypeError in core::mean_dims)

Tensor Tensor::mean() const {
  core::check_dense("mean", *this);
  Tensor out = core::mean_dims(*this, all_dims(*this), /*keepdim=*/false);
  if (!should_record({*this})) return out;
  return record("MeanBackward0", out, {*this}, [in_shape = sizes()](const Tensor& grad) -> Gradients {
    return {grad.expand(in_shape) / static_cast<double>(core::numel_of(in_shape))};
  });
}

Tensor Tensor::mean(int64_t d, bool keepdim) const { return mean(Shape{d}, keepdim); }

Tensor Tensor::mean(Shape dims, bool keepdim) const { return sum_or_mean(*this, /*mean=*/true, dims, keepdim); }

// ---- prod

namespace {

// d prod / d x_i is the product of the other elements of x_i's slice. Computing it as
// prod / x_i would divide by zero; prod_others multiplies prefixes and suffixes
// instead, so one zero in a slice leaves only that element a non-zero gradient and two
// zeros leave none.
Tensor prod_op(const Tensor& x, const std::vector<int64_t>& reduced, bool keepdim, bool is_full) {
  Tensor out = core::prod_dims(x, reduced, keepdim);
  if (!should_record({x})) return out;
  const SavedTensor input(x);
  auto backward = [input, reduced, keepdim](const Tensor& grad) -> Gradients {
    const Tensor& x_value = input.get();
    return {keep_reduced_dims(grad, reduced, keepdim) * core::prod_others(x_value, reduced)};
  };
  return record(is_full ? "ProdBackward0" : "ProdBackward1", out, {x}, backward, {.saved = {input}});
}

}  // namespace

Tensor Tensor::prod() const {
  core::check_dense("prod", *this);
  return prod_op(*this, all_dims(*this), /*keepdim=*/false, /*is_full=*/true);
}

Tensor Tensor::prod(int64_t d, bool keepdim) const {
  core::check_dense("prod", *this);
  return prod_op(*this, reduction_dims("prod", {d}, dim()), keepdim, /*is_full=*/false);
}

// ---- max / min

namespace {

// The full max/min is not differentiable where maxima tie; PyTorch shares the
// gradient evenly among the tied elements (evenly_distribute_backward), and so do we.
// When the result is NaN, the NaNs are the "maxima".
Tensor extremum_all_op(Extremum op, const Tensor& x) {
  const char* op_name = op == Extremum::Max ? "max" : "min";
  Tensor out = core::extremum_all(op, x, op_name);
  if (!should_record({x})) return out;
  const SavedTensor input(x), result(out);
  auto backward = [input, result](const Tensor& grad) -> Gradients {
    const Tensor& x_value = input.get();
    const Tensor& value = result.get();
    const bool is_nan = std::isnan(core::cast(value, kFloat64).item<double>());
    const Tensor mask = is_nan ? (x_value != x_value) : (x_value == value);
    const Tensor share = grad / mask.sum();
    return {where(mask, share, zeros({}, grad.dtype()))};
  };
  return record(op == Extremum::Max ? "MaxBackward1" : "MinBackward1", out, {x}, backward,
                {.saved = {input, result}});
}

// Along a dim, the gradient goes to the one element whose index was reported.
std::pair<Tensor, Tensor> extremum_dim_op(Extremum op, const Tensor& x, int64_t d, bool keepdim) {
  const char* op_name = op == Extremum::Max ? "max" : "min";
  core::check_dense(op_name, x);
  const int64_t dim = normalize_dim(op_name, d, x.dim());
  auto [values, indices] = core::extremum_dim(op, x, dim, keepdim, op_name);
  if (!should_record({x})) return {values, indices};
  const SavedTensor index(indices);
  auto backward = [in_shape = x.sizes(), index, dim, keepdim](const Tensor& grad) -> Gradients {
    if (in_shape.empty()) return {grad};  // a 0-d input is its own maximum
    // positions (1, .., size(dim), .., 1) == index (.., 1, ..) marks the chosen elements.
    Shape positions_shape(in_shape.size(), 1);
    positions_shape[dim] = in_shape[dim];
    const Tensor positions = arange(in_shape[dim]).view(positions_shape);
    const Tensor chosen = positions == keep_reduced_dims(index.get(), {dim}, keepdim);
    return {where(chosen, keep_reduced_dims(grad, {dim}, keepdim), zeros({}, grad.dtype()))};
  };
  values = record(op == Extremum::Max ? "MaxBackward0" : "MinBackward0", values, {x}, backward,
                  {.saved = {index}});
  return {values, indices};
}

}  // namespace

Tensor Tensor::max() const { return extremum_all_op(Extremum::Max, *this); }
Tensor Tensor::min() const { return extremum_all_op(Extremum::Min, *this); }
Tensor Tensor::max(int64_t d, bool keepdim) const { return extremum_dim_op(Extremum::Max, *this, d, keepdim).first; }
Tensor Tensor::min(int64_t d, bool keepdim) const { return extremum_dim_op(Extremum::Min, *this, d, keepdim).first; }

std::pair<Tensor, Tensor> max_with_indices(const Tensor& a, int64_t dim, bool keepdim) {
  return extremum_dim_op(Extremum::Max, a, dim, keepdim);
}

std::pair<Tensor, Tensor> min_with_indices(const Tensor& a, int64_t dim, bool keepdim) {
  return extremum_dim_op(Extremum::Min, a, dim, keepdim);
}

// ---- argmax / argmin: int64 positions, never differentiable

Tensor Tensor::argmax() const { return core::arg_extremum_all(Extremum::Max, *this, "argmax"); }
Tensor Tensor::argmin() const { return core::arg_extremum_all(Extremum::Min, *this, "argmin"); }

Tensor Tensor::argmax(int64_t d, bool keepdim) const {
  core::check_dense("argmax", *this);
  return core::extremum_dim(Extremum::Max, *this, normalize_dim("argmax", d, dim()), keepdim, "argmax").second;
}

Tensor Tensor::argmin(int64_t d, bool keepdim) const {
  core::check_dense("argmin", *this);
  return core::extremum_dim(Extremum::Min, *this, normalize_dim("argmin", d, dim()), keepdim, "argmin").second;
}

// ---- norm

namespace {

// The gradient of ||x||_p over `dims`, PyTorch 1.13's norm_backward case by case.
// g and norm arrive with the reduced dims kept, so they broadcast against x. Where
// the norm is 0 the gradient is 0 (the subgradient PyTorch picks), never NaN.
Tensor norm_backward(const Tensor& g, const Tensor& x, const Tensor& norm, double p,
                     const std::vector<int64_t>& dims) {
  const Tensor zero = zeros({}, x.dtype());
  const Tensor sign = core::unary(core::UnaryOp::Sign, x);
  if (p == 1) return sign * g;
  if (std::isinf(p)) {
    // d max|x| shares g evenly among the elements where |x| reaches the norm (or is NaN).
    const Tensor magnitude = x.abs();
    const Tensor is_extreme = where(magnitude != magnitude, ones({}, kBool), magnitude == norm);
    return sign * where(is_extreme, g / is_extreme.sum(Shape(dims.begin(), dims.end()), true), zero);
  }
  // d (sum |x|^p)^(1/p) / dx = sign(x) |x|^(p-1) / norm^(p-1)
  if (p < 1) {
    // |x|^(p-1) is infinite at x = 0, where the gradient is taken as 0.
    const Tensor scaled = where(x == 0.0, zero, sign * x.abs().pow(p - 1));
    return scaled * g * norm.pow(1 - p);
  }
  const Tensor scale = where(norm == 0.0, zero, g / (p == 2 ? norm : norm.pow(p - 1)));
  if (p < 2) return sign * x.abs().pow(p - 1) * scale;
  if (p == 2) return x * scale;
  return x * x.abs().pow(p - 2) * scale;
}

Tensor norm_op(const Tensor& x, double p, const std::vector<int64_t>& reduced, bool keepdim) {
  Tensor out = core::norm_dims(x, p, reduced, keepdim);
  if (!should_record({x})) return out;
  // PyTorch 1.13 names both x.norm(p) and x.norm(p, dim) NormBackward1 (the Python
  // frontend always passes dims).
  const SavedTensor input(x), result(out);
  return record("NormBackward1", out, {x},
                [input, result, p, reduced, keepdim](const Tensor& grad) -> Gradients {
                  if (p == 0) return {Tensor()};  // counting non-zeros is flat: no gradient, as in PyTorch
                  return {norm_backward(keep_reduced_dims(grad, reduced, keepdim), input.get(),
                                        keep_reduced_dims(result.get(), reduced, keepdim), p, reduced)};
                }, {.saved = {input, result}});
}

}  // namespace

Tensor Tensor::norm(double p) const {
  core::check_dense("norm", *this);
  return norm_op(*this, p, all_dims(*this), /*keepdim=*/false);
}

Tensor Tensor::norm(double p, int64_t d, bool keepdim) const {
  core::check_dense("norm", *this);
  return norm_op(*this, p, reduction_dims("norm", {d}, dim()), keepdim);
}

}  // namespace tg

// Binary elementwise ops and their backward rules. Operands broadcast, so each
// gradient is summed back to its input's shape (core::sum_to).
#include <cmath>

#include "../../core/elementwise.h"
#include "../../core/reduce.h"
#include "recording.h"

namespace tg {

namespace {

// Maps an output gradient back to one input: sums over the dims that broadcasting
// added or stretched. It keeps the input's shape only when broadcasting happened, so
// the common same-shape op captures nothing that allocates.
class SumToInput {
 public:
  SumToInput(const Tensor& input, const Tensor& out) : needed_(input.requires_grad()) {
    if (input.sizes() != out.sizes()) shape_ = input.sizes();
  }
  bool needed() const { return needed_; }
  Tensor operator()(const Tensor& grad) const { return shape_ ? core::sum_to(grad, *shape_) : grad; }

 private:
  bool needed_;
  std::optional<Shape> shape_;
};

}  // namespace

Tensor Tensor::add(const Tensor& other, double alpha) const {
  Tensor out = core::add_scaled(*this, other, alpha);
  if (!should_record({*this, other})) return out;
  return record("AddBackward0", out, {*this, other},
                [to_a = SumToInput(*this, out), to_b = SumToInput(other, out), alpha](const Tensor& grad) -> Gradients {
                  // d(a + alpha*b)/da = 1, /db = alpha
                  return {to_a(grad), to_b.needed() ? to_b(alpha == 1.0 ? grad : grad * alpha) : Tensor()};
                });
}

Tensor Tensor::sub(const Tensor& other, double alpha) const {
  core::check_sub_operands(*this, other);
  Tensor out = core::add_scaled(*this, other, -alpha);
  if (!should_record({*this, other})) return out;
  return record("SubBackward0", out, {*this, other},
                [to_a = SumToInput(*this, out), to_b = SumToInput(other, out), alpha](const Tensor& grad) -> Gradients {
                  return {to_a(grad), to_b.needed() ? to_b(grad * -alpha) : Tensor()};
                });
}

Tensor Tensor::mul(const Tensor& other) const {
  Tensor out = core::binary(core::BinaryOp::Mul, *this, other);
  if (!should_record({*this, other})) return out;
  SumToInput to_a(*this, out), to_b(other, out);
  const SavedTensor a(to_b.needed() ? *this : Tensor()), b(to_a.needed() ? other : Tensor());
  return record("MulBackward0", out, {*this, other},
                [a, b, to_a, to_b](const Tensor& grad) -> Gradients {
                  // d(ab)/da = b, d(ab)/db = a
                  return {to_a.needed() ? to_a(grad * b.get()) : Tensor(),
                          to_b.needed() ? to_b(grad * a.get()) : Tensor()};
                }, {.saved = {a, b}});
}

Tensor Tensor::div(const Tensor& other) const {
  Tensor out = core::binary(core::BinaryOp::Div, *this, other);
  if (!should_record({*this, other})) return out;
  SumToInput to_a(*this, out), to_b(other, out);
  const SavedTensor a(to_b.needed() ? *this : Tensor()), b(other);
  return record("DivBackward0", out, {*this, other},
                [a, b, to_a, to_b](const Tensor& grad) -> Gradients {
                  // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
                  const Tensor& bv = b.get();
                  return {to_a.needed() ? to_a(grad / bv) : Tensor(),
                          to_b.needed() ? to_b(-grad * a.get() / (bv * bv)) : Tensor()};
                }, {.saved = {a, b}});
}

Tensor Tensor::pow(const Tensor& exponent) const {
  Tensor out = core::binary(core::BinaryOp::Pow, *this, exponent);
  if (!should_record({*this, exponent})) return out;
  const bool need_a = requires_grad(), need_b = exponent.requires_grad();
  const SavedTensor a(*this), b(exponent), result(out);
  return record("PowBackward1", out, {*this, exponent},
                [a, b, result, need_a, need_b, a_shape = sizes(),
                 b_shape = exponent.sizes()](const Tensor& grad) -> Gradients {
                  // d(a^b)/da = b a^(b-1); d(a^b)/db = a^b log a, taken as 0 where a == 0
                  // (PyTorch's convention, so that 0^b with b > 0 has a finite gradient).
                  Tensor grad_a, grad_b;
                  if (need_a) grad_a = core::sum_to(grad * b.get() * a.get().pow(b.get() - 1.0), a_shape);
                  if (need_b) {
                    const Tensor& base = a.get();
                    Tensor log_term = where(base == 0.0, zeros_like(result.get()), result.get() * base.log());
                    grad_b = core::sum_to(grad * log_term, b_shape);
                  }
                  return {grad_a, grad_b};
                }, {.saved = {a, b, result}});
}

namespace {
// maximum (larger) and minimum: the gradient goes to the operand picked; ties split it
// evenly, as PyTorch does.
Tensor extremum(const Tensor& a, const Tensor& b, bool larger) {
  Tensor out = core::binary(larger ? core::BinaryOp::Maximum : core::BinaryOp::Minimum, a, b);
  if (!should_record({a, b})) return out;
  const SavedTensor sa(a), sb(b);
  return record(larger ? "MaximumBackward0" : "MinimumBackward0", out, {a, b},
                [sa, sb, larger](const Tensor& grad) -> Gradients {
                  const Tensor x = sa.get(), y = sb.get();
                  const Tensor share = where(x == y, full_like(grad, 0.5), ones_like(grad));
                  const Tensor to_a = where(larger ? x >= y : x <= y, grad * share, zeros_like(grad));
                  const Tensor to_b = where(larger ? y >= x : y <= x, grad * share, zeros_like(grad));
                  return {core::sum_to(to_a, x.sizes()), core::sum_to(to_b, y.sizes())};
                }, {.saved = {sa, sb}});
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(a, b, /*larger=*/true); }

Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(a, b, /*larger=*/false); }

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  Tensor out = core::where(condition, a, b);
  if (!should_record({a, b})) return out;
  const SavedTensor cond(condition);
  return record("WhereBackward0", out, {a, b},
                [cond, a_shape = a.sizes(), b_shape = b.sizes()](const Tensor& grad) -> Gradients {
                  const Tensor zero = zeros({}, grad.dtype());
                  return {core::sum_to(core::where(cond.get(), grad, zero), a_shape),
                          core::sum_to(core::where(cond.get(), zero, grad), b_shape)};
                }, {.saved = {cond}});
}

// Comparisons have no gradient: their result is bool.
Tensor Tensor::eq(const Tensor& other) const { return core::compare(core::CompareOp::Eq, *this, other); }
Tensor Tensor::ne(const Tensor& other) const { return core::compare(core::CompareOp::Ne, *this, other); }
Tensor Tensor::lt(const Tensor& other) const { return core::compare(core::CompareOp::Lt, *this, other); }
Tensor Tensor::le(const Tensor& other) const { return core::compare(core::CompareOp::Le, *this, other); }
Tensor Tensor::gt(const Tensor& other) const { return core::compare(core::CompareOp::Gt, *this, other); }
Tensor Tensor::ge(const Tensor& other) const { return core::compare(core::CompareOp::Ge, *this, other); }

// Operators: scalar operands become wrapped 0-d tensors and take the tensor path.
Tensor operator+(const Tensor& a, const Tensor& b) { return a.add(b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return a.sub(b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return a.mul(b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return a.div(b); }
Tensor operator+(const Tensor& a, Scalar b) { return a.add(core::wrapped_scalar(b)); }
Tensor operator+(Scalar a, const Tensor& b) { return core::wrapped_scalar(a).add(b); }
Tensor operator-(const Tensor& a, Scalar b) { return a.sub(core::wrapped_scalar(b)); }
Tensor operator-(Scalar a, const Tensor& b) { return core::wrapped_scalar(a).sub(b); }
Tensor operator*(const Tensor& a, Scalar b) { return a.mul(core::wrapped_scalar(b)); }
Tensor operator*(Scalar a, const Tensor& b) { return core::wrapped_scalar(a).mul(b); }
Tensor operator/(const Tensor& a, Scalar b) { return a.div(core::wrapped_scalar(b)); }
Tensor operator/(Scalar a, const Tensor& b) { return core::wrapped_scalar(a).div(b); }
Tensor operator==(const Tensor& a, const Tensor& b) { return a.eq(b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return a.ne(b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return a.lt(b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return a.le(b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return a.gt(b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return a.ge(b); }
Tensor operator==(const Tensor& a, Scalar b) { return a.eq(core::wrapped_scalar(b)); }
Tensor operator!=(const Tensor& a, Scalar b) { return a.ne(core::wrapped_scalar(b)); }
Tensor operator<(const Tensor& a, Scalar b) { return a.lt(core::wrapped_scalar(b)); }
Tensor operator<=(const Tensor& a, Scalar b) { return a.le(core::wrapped_scalar(b)); }
Tensor operator>(const Tensor& a, Scalar b) { return a.gt(core::wrapped_scalar(b)); }
Tensor operator>=(const Tensor& a, Scalar b) { return a.ge(core::wrapped_scalar(b)); }

}  // namespace tg

// Unary elementwise ops and their backward rules.
#include <cmath>

#include "../../core/kernels.h"
#include "../node.h"

namespace tg {

using autograd::Gradients;
using autograd::record;
using autograd::SavedTensor;
using autograd::should_record;
using core::UnaryBackwardOp;
using core::UnaryOp;

Tensor Tensor::neg() const {
  Tensor out = core::unary(UnaryOp::Neg, *this);
  if (!should_record({*this})) return out;
  return record("NegBackward0", out, {*this}, [](const Tensor& grad) -> Gradients { return {-grad}; });
}

Tensor operator-(const Tensor& a) { return a.neg(); }

Tensor Tensor::exp() const {
  Tensor out = core::unary(UnaryOp::Exp, *this);
  if (!should_record({*this})) return out;
  // d exp(x) = exp(x): reuse the output instead of recomputing it.
  const SavedTensor result(out);
  return record("ExpBackward0", out, {*this},
                [result](const Tensor& grad) -> Gradients {
                  return {core::unary_backward(UnaryBackwardOp::Exp, grad, result.get())};
                }, {.saved = {result}});
}

Tensor Tensor::log() const {
  Tensor out = core::unary(UnaryOp::Log, *this);
  if (!should_record({*this})) return out;
  const SavedTensor x(*this);
  return record("LogBackward0", out, {*this},
                [x](const Tensor& grad) -> Gradients {
                  return {core::unary_backward(UnaryBackwardOp::Log, grad, x.get())};
                }, {.saved = {x}});
}

Tensor Tensor::sqrt() const {
  Tensor out = core::unary(UnaryOp::Sqrt, *this);
  if (!should_record({*this})) return out;
  // d sqrt(x) = 1 / (2 sqrt(x))
  const SavedTensor result(out);
  return record("SqrtBackward0", out, {*this}, [result](const Tensor& grad) -> Gradients {
    return {core::unary_backward(UnaryBackwardOp::Sqrt, grad, result.get())};
  }, {.saved = {result}});
}

Tensor Tensor::abs() const {
  Tensor out = core::unary(UnaryOp::Abs, *this);
  if (!should_record({*this})) return out;
  // sign(0) = 0: the subgradient PyTorch picks at the kink.
  const SavedTensor x(*this);
  return record("AbsBackward0", out, {*this}, [x](const Tensor& grad) -> Gradients {
    return {core::unary_backward(UnaryBackwardOp::Abs, grad, x.get())};
  }, {.saved = {x}});
}

Tensor Tensor::sigmoid() const {
  Tensor out = core::unary(UnaryOp::Sigmoid, *this);
  if (!should_record({*this})) return out;
  // d sigmoid(x) = s (1 - s), with s the output
  const SavedTensor s(out);
  return record("SigmoidBackward0", out, {*this}, [s](const Tensor& grad) -> Gradients {
    return {core::unary_backward(UnaryBackwardOp::Sigmoid, grad, s.get())};
  }, {.saved = {s}});
}

Tensor Tensor::tanh() const {
  Tensor out = core::unary(UnaryOp::Tanh, *this);
  if (!should_record({*this})) return out;
  // d tanh(x) = 1 - tanh(x)^2
  const SavedTensor t(out);
  return record("TanhBackward0", out, {*this}, [t](const Tensor& grad) -> Gradients {
    return {core::unary_backward(UnaryBackwardOp::Tanh, grad, t.get())};
  }, {.saved = {t}});
}

Tensor Tensor::relu() const {
  Tensor out = core::unary(UnaryOp::Relu, *this);
  if (!should_record({*this})) return out;
  // The gradient at 0 is 0, as in PyTorch (threshold_backward on the output).
  const SavedTensor y(out);
  return record("ReluBackward0", out, {*this}, [y](const Tensor& grad) -> Gradients {
    return {core::unary_backward(UnaryBackwardOp::Relu, grad, y.get())};
  }, {.saved = {y}});
}

Tensor Tensor::logsigmoid() const {
  Tensor out = core::unary(UnaryOp::LogSigmoid, *this);
  if (!should_record({*this})) return out;
  // d log(sigmoid(x)) = 1 - sigmoid(x) = sigmoid(-x): stable for large |x|.
  const SavedTensor x(*this);
  return record("LogSigmoidBackward0", out, {*this}, [x](const Tensor& grad) -> Gradients {
    return {core::unary_backward(UnaryBackwardOp::LogSigmoid, grad, x.get())};
  }, {.saved = {x}});
}

Tensor Tensor::softplus(double beta, double threshold) const {
  Tensor out = core::softplus(*this, beta, threshold);
  if (!should_record({*this})) return out;
  // d softplus(x) = sigmoid(beta x), and 1 above the threshold where the op is linear.
  const SavedTensor x(*this);
  return record("SoftplusBackward0", out, {*this},
                [x, beta, threshold](const Tensor& grad) -> Gradients {
                  const Tensor scaled = x.get() * beta;
                  return {where(scaled > threshold, grad, grad * core::unary(UnaryOp::Sigmoid, scaled))};
                }, {.saved = {x}});
}

Tensor Tensor::pow(double exponent) const {
  Tensor out = core::pow_scalar(*this, exponent);
  if (!should_record({*this})) return out;
  // d x^p = p x^(p-1); p == 0 gives 0 everywhere (also at x = 0).
  const SavedTensor x(*this);
  return record("PowBackward0", out, {*this}, [x, exponent](const Tensor& grad) -> Gradients {
    if (exponent == 0.0) return {zeros_like(grad)};
    return {grad * (core::pow_scalar(x.get(), exponent - 1.0) * exponent)};
  }, {.saved = {x}});
}

Tensor Tensor::clamp(std::optional<double> min, std::optional<double> max) const {
  Tensor out = core::clamp(*this, min, max);
  if (!should_record({*this})) return out;
  // The gradient passes where min <= x <= max (bounds included, as in PyTorch).
  const SavedTensor x(*this);
  return record("ClampBackward1", out, {*this}, [x, min, max](const Tensor& grad) -> Gradients {
    Tensor inside = ones(x.sizes(), kBool);
    if (min) inside = core::where(x.get() >= *min, inside, zeros({}, kBool));
    if (max) inside = core::where(x.get() <= *max, inside, zeros({}, kBool));
    return {core::where(inside, grad, zeros({}, grad.dtype()))};
  }, {.saved = {x}});
}

}  // namespace tg

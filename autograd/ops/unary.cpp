// Unary elementwise ops and their backward rules.
#include <cmath>

#include <fmt/format.h>

#include "../../core/elementwise.h"
#include "../../core/layout.h"
#include "../../core/loops.h"
#include "../node.h"

namespace tg {

using autograd::Gradients;
using autograd::record;
using autograd::SavedTensor;
using autograd::should_record;
using core::UnaryOp;

namespace {

// A unary op's derivative in one pass over (grad, saved) instead of a chain of tensor
// ops, each with its own allocation: derivative(dy, v) for each element dy of grad (cast
// to saved's dtype) and v of saved, the op's floating input x or output y, whichever
// the formula reads.
template <class F> Tensor fused_backward(const Tensor& grad, const Tensor& saved, F derivative) {
  const Dtype dtype = saved.dtype();
  const Tensor g = core::cast(grad, dtype);
  Tensor out = core::make_tensor(saved.sizes(), dtype);
  dispatch_floating(dtype, [&]<class T>() { core::binary_loop<T, T>(out, g, saved, derivative); });
  return out;
}

// Which value of the forward a derivative reads.
enum class Reads { input, output };

// out = op(x), recorded as `name` with the gradient fused_backward(grad, saved, derivative),
// saved being x or out as `reads` says.
template <class F> Tensor unary_recorded(const Tensor& x, UnaryOp op, const char* name, Reads reads, F derivative) {
  Tensor out = core::unary(op, x);
  if (!should_record({x})) return out;
  const SavedTensor saved(reads == Reads::input ? x : out);
  return record(name, out, {x}, [saved, derivative](const Tensor& grad) -> Gradients {
    return {fused_backward(grad, saved.get(), derivative)};
  }, {.saved = {saved}});
}

}  // namespace

Tensor Tensor::neg() const {
  Tensor out = core::unary(UnaryOp::Neg, *this);
  if (!should_record({*this})) return out;
  return record("NegBackward0", out, {*this}, [](const Tensor& grad) -> Gradients { return {-grad}; });
}

Tensor operator-(const Tensor& a) { return a.neg(); }

Tensor Tensor::exp() const {
  // d exp(x) = exp(x): reuse the output instead of recomputing it.
  return unary_recorded(*this, UnaryOp::Exp, "ExpBackward0", Reads::output,
                        []<class T>(T dy, T v) { return dy * v; });
}

Tensor Tensor::log() const {
  return unary_recorded(*this, UnaryOp::Log, "LogBackward0", Reads::input, []<class T>(T dy, T v) { return dy / v; });
}

Tensor Tensor::sqrt() const {
  // d sqrt(x) = 1 / (2 sqrt(x))
  return unary_recorded(*this, UnaryOp::Sqrt, "SqrtBackward0", Reads::output,
                        []<class T>(T dy, T v) { return dy / (2 * v); });
}

Tensor Tensor::abs() const {
  // sign(0) = 0: the subgradient PyTorch picks at the kink.
  return unary_recorded(*this, UnaryOp::Abs, "AbsBackward0", Reads::input,
                        []<class T>(T dy, T v) { return v > 0 ? dy : v < 0 ? -dy : T(0); });
}

Tensor Tensor::sigmoid() const {
  // d sigmoid(x) = s (1 - s), with s the output
  return unary_recorded(*this, UnaryOp::Sigmoid, "SigmoidBackward0", Reads::output,
                        []<class T>(T dy, T v) { return dy * v * (1 - v); });
}

Tensor Tensor::tanh() const {
  // d tanh(x) = 1 - tanh(x)^2
  return unary_recorded(*this, UnaryOp::Tanh, "TanhBackward0", Reads::output,
                        []<class T>(T dy, T v) { return dy * (1 - v * v); });
}

Tensor Tensor::sin() const {
  return unary_recorded(*this, UnaryOp::Sin, "SinBackward0", Reads::input,
                        []<class T>(T dy, T v) { return dy * std::cos(v); });
}

Tensor Tensor::cos() const {
  return unary_recorded(*this, UnaryOp::Cos, "CosBackward0", Reads::input,
                        []<class T>(T dy, T v) { return -dy * std::sin(v); });
}

Tensor Tensor::erf() const {
  // d erf(x) = 2 / sqrt(pi) exp(-x^2)
  return unary_recorded(*this, UnaryOp::Erf, "ErfBackward0", Reads::input, []<class T>(T dy, T v) {
    return dy * T(1.12837916709551257390) * std::exp(-v * v);
  });
}

Tensor Tensor::gelu(std::string_view approximate) const {
  if (approximate != "none" && approximate != "tanh")
    throw ValueError(fmt::format("gelu: approximate is '{}'; expected 'none' or 'tanh'", approximate));
  const bool exact = approximate == "none";
  Tensor out = core::unary(exact ? UnaryOp::Gelu : UnaryOp::GeluTanh, *this);
  if (!should_record({*this})) return out;
  const SavedTensor x(*this);
  return record("GeluBackward0", out, {*this}, [x, exact](const Tensor& grad) -> Gradients {
    if (exact)  // d x Phi(x) = Phi(x) + x phi(x), phi the standard normal density
      return {fused_backward(grad, x.get(), []<class T>(T dy, T v) {
        const T cdf = T(0.5) * (T(1) + std::erf(v * T(core::kSqrtHalf)));
        const T pdf = T(0.39894228040143267794) * std::exp(T(-0.5) * v * v);  // 1 / sqrt(2 pi)
        return dy * (cdf + v * pdf);
      })};
    // u = beta (x + kappa x^3): d 0.5 x (1 + tanh u) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) u'
    return {fused_backward(grad, x.get(), []<class T>(T dy, T v) {
      const T t = std::tanh(T(core::kGeluBeta) * (v + T(core::kGeluKappa) * v * v * v));
      const T du = T(core::kGeluBeta) * (T(1) + T(3 * core::kGeluKappa) * v * v);
      return dy * (T(0.5) * (T(1) + t) + T(0.5) * v * (T(1) - t * t) * du);
    })};
  }, {.saved = {x}});
}

Tensor Tensor::relu() const {
  // The gradient at 0 is 0, as in PyTorch (threshold_backward on the output).
  return unary_recorded(*this, UnaryOp::Relu, "ReluBackward0", Reads::output,
                        []<class T>(T dy, T v) { return v > 0 ? dy : T(0); });
}

Tensor Tensor::logsigmoid() const {
  // d log(sigmoid(x)) = 1 - sigmoid(x) = sigmoid(-x): stable for large |x|.
  return unary_recorded(*this, UnaryOp::LogSigmoid, "LogSigmoidBackward0", Reads::input,
                        []<class T>(T dy, T v) { return dy * core::stable_sigmoid(-v); });
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

#pragma once
// Elementwise kernels (core/elementwise.cpp): unary and binary ops, comparisons and
// where, with broadcasting and PyTorch's type promotion. No autograd here.
//
//   tg::Tensor s = tg::core::binary(tg::core::BinaryOp::Add, a, b);  // a + b, broadcast
#include <cmath>
#include <optional>

#include "layout.h"

namespace tg::core {

enum class UnaryOp { Neg, Exp, Log, Sqrt, Abs, Sigmoid, Tanh, Relu, LogSigmoid, Sign, Reciprocal,
                     Square, Log1p, Expm1, Sin, Cos, Erf, Gelu, GeluTanh };
enum class BinaryOp { Add, Sub, Mul, Div, Pow, Maximum, Minimum };
enum class CompareOp { Eq, Ne, Lt, Le, Gt, Ge };

// The dtype of `a op b` under PyTorch's promotion (wrapped numbers and 0-d tensors
// only raise the category: bool < integer < floating).
Dtype result_type(const Tensor& a, const Tensor& b);
Tensor unary(UnaryOp op, const Tensor& a);  // integer input promotes to float32 except Neg/Abs/Sign/Square
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);  // broadcasts
Tensor add_scaled(const Tensor& a, const Tensor& b, double alpha);  // a + alpha * b
// PyTorch refuses subtraction when either operand is bool (tg::TypeError).
void check_sub_operands(const Tensor& a, const Tensor& b);
// An integral dtype needs an integral alpha (tg::TypeError).
void check_alpha(const char* where, Dtype dtype, double alpha);
Tensor compare(CompareOp op, const Tensor& a, const Tensor& b);  // bool result
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
// A C++ number as a 0-d "wrapped number" tensor (float64, int64 or bool).
Tensor wrapped_scalar(Scalar value);
Tensor pow_scalar(const Tensor& a, double exponent);
Tensor clamp(const Tensor& a, std::optional<double> min, std::optional<double> max);
Tensor softplus(const Tensor& a, double beta, double threshold);
// In place on dst (dense, not broadcast): dst = dst op src (src broadcasts to dst).
void binary_into(BinaryOp op, const Tensor& dst, const Tensor& src);
void add_scaled_into(const Tensor& dst, const Tensor& src, double alpha);  // dst += alpha * src

// The sigmoid of one number, in two branches so exp never overflows. Shared by the
// Sigmoid kernel and LogSigmoid's derivative (autograd/ops/unary.cpp).
template <class T> T stable_sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

// GELU, x * Phi(x) with Phi the standard normal CDF: exactly through erf
// (approximate="none"), or PyTorch's tanh approximation
// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (approximate="tanh"). The constants
// are shared with the derivatives in autograd/ops/unary.cpp.
inline constexpr double kSqrtHalf = 0.70710678118654752440;     // 1 / sqrt(2)
inline constexpr double kGeluBeta = 0.79788456080286535588;     // sqrt(2 / pi)
inline constexpr double kGeluKappa = 0.044715;
template <class T> T gelu_erf(T x) { return T(0.5) * x * (T(1) + std::erf(x * T(kSqrtHalf))); }
template <class T> T gelu_tanh(T x) {
  return T(0.5) * x * (T(1) + std::tanh(T(kGeluBeta) * (x + T(kGeluKappa) * x * x * x)));
}

}  // namespace tg::core

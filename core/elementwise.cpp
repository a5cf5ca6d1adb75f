// Elementwise kernels: broadcasting, PyTorch's type promotion, one strided loop.
#include "elementwise.h"

#include <fmt/format.h>

#include <cmath>

#include "loops.h"

namespace tg::core {

namespace {

// ATen's combine_categories: a lower-priority operand (0-d, or a wrapped number)
// changes the result only when it is of a higher category (bool < int < float).
std::optional<Dtype> combine(std::optional<Dtype> higher, std::optional<Dtype> lower) {
  if (!higher) return lower;
  if (!lower) return higher;
  if (is_floating(*higher)) return higher;
  if (*higher == kBool || is_floating(*lower)) return promote_types(*higher, *lower);
  return higher;
}

void update(std::optional<Dtype>& slot, Dtype d) { slot = slot ? promote_types(*slot, d) : d; }

template <class T> T log_sigmoid(T x) {
  // log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): no overflow for large |x|.
  return std::min(x, T(0)) - std::log1p(std::exp(-std::abs(x)));
}

bool keeps_integer(UnaryOp op) {
  return op == UnaryOp::Neg || op == UnaryOp::Abs || op == UnaryOp::Sign || op == UnaryOp::Square ||
         op == UnaryOp::Relu;
}

}  // namespace

Dtype result_type(const Tensor& a, const Tensor& b) {
  if (a.dtype() == b.dtype()) return a.dtype();  // every rule below agrees then
  std::optional<Dtype> dim_result, zero_result, wrapped_result;
  for (const Tensor* t : {&a, &b}) {
    if (t->impl()->is_wrapped_number)
      update(wrapped_result, is_floating(t->dtype()) ? kFloat32 : t->dtype());
    else if (t->dim() == 0)
      update(zero_result, t->dtype());
    else
      update(dim_result, t->dtype());
  }
  return *combine(dim_result, combine(zero_result, wrapped_result));
}

Tensor wrapped_scalar(Scalar value) {
  const Dtype dtype = value.is_bool ? kBool : value.is_integral ? kInt64 : kFloat64;
  Tensor out = make_tensor({}, dtype);
  fill(out, value.value);
  out.impl()->is_wrapped_number = true;
  return out;
}

Tensor unary(UnaryOp op, const Tensor& a) {
  check_dense("unary op", a);
  // PyTorch refuses these on bool rather than pick a meaning for them.
  if (a.dtype() == kBool && (op == UnaryOp::Neg || op == UnaryOp::Abs || op == UnaryOp::Relu))
    throw TypeError(fmt::format("{}: a bool tensor is not supported; expected a numeric dtype{}",
                                op == UnaryOp::Neg ? "neg" : op == UnaryOp::Abs ? "abs" : "relu",
                                op == UnaryOp::Neg ? ". Use logical not (a == false) instead" : ""));
  Dtype dtype = a.dtype();
  if (!is_floating(dtype) && !keeps_integer(op)) dtype = kFloat32;
  if (dtype == kBool) dtype = kInt64;
  const Tensor in = cast(a, dtype);
  Tensor out = make_tensor(a.sizes(), dtype);
  dispatch(dtype, [&]<class T>() {
    if constexpr (std::is_same_v<T, bool>) {
      unary_loop<T, T>(out, in, [](T x) { return x; });  // unreachable: bool was promoted above
    } else {
      switch (op) {
        case UnaryOp::Neg: return unary_loop<T, T>(out, in, [](T x) { return T(-x); });
        case UnaryOp::Abs: return unary_loop<T, T>(out, in, [](T x) { return T(x < 0 ? -x : x); });
        case UnaryOp::Sign: return unary_loop<T, T>(out, in, [](T x) { return T((x > 0) - (x < 0)); });
        case UnaryOp::Square: return unary_loop<T, T>(out, in, [](T x) { return T(x * x); });
        case UnaryOp::Relu: return unary_loop<T, T>(out, in, [](T x) { return x > 0 ? x : T(0); });
        default: break;
      }
      if constexpr (std::is_floating_point_v<T>) {
        switch (op) {
          case UnaryOp::Exp: return unary_loop<T, T>(out, in, [](T x) { return std::exp(x); }, kMathCost);
          case UnaryOp::Log: return unary_loop<T, T>(out, in, [](T x) { return std::log(x); }, kMathCost);
          case UnaryOp::Sqrt: return unary_loop<T, T>(out, in, [](T x) { return std::sqrt(x); });
          case UnaryOp::Sigmoid: return unary_loop<T, T>(out, in, [](T x) { return stable_sigmoid(x); }, kMathCost);
          case UnaryOp::Tanh: return unary_loop<T, T>(out, in, [](T x) { return std::tanh(x); }, kMathCost);
          case UnaryOp::LogSigmoid: return unary_loop<T, T>(out, in, [](T x) { return log_sigmoid(x); }, kMathCost);
          case UnaryOp::Reciprocal: return unary_loop<T, T>(out, in, [](T x) { return T(1) / x; });
          case UnaryOp::Log1p: return unary_loop<T, T>(out, in, [](T x) { return std::log1p(x); }, kMathCost);
          case UnaryOp::Expm1: return unary_loop<T, T>(out, in, [](T x) { return std::expm1(x); }, kMathCost);
          case UnaryOp::Sin: return unary_loop<T, T>(out, in, [](T x) { return std::sin(x); }, kMathCost);
          case UnaryOp::Cos: return unary_loop<T, T>(out, in, [](T x) { return std::cos(x); }, kMathCost);
          case UnaryOp::Erf: return unary_loop<T, T>(out, in, [](T x) { return std::erf(x); }, kMathCost);
          case UnaryOp::Gelu: return unary_loop<T, T>(out, in, [](T x) { return gelu_erf(x); }, kMathCost);
          case UnaryOp::GeluTanh: return unary_loop<T, T>(out, in, [](T x) { return gelu_tanh(x); }, kMathCost);
          default: break;
        }
      }
    }
  });
  return out;
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  check_dense("binary op", a);
  check_dense("binary op", b);
  Dtype dtype = result_type(a, b);
  if (op == BinaryOp::Div && !is_floating(dtype)) dtype = kFloat32;  // true division
  if (op == BinaryOp::Sub) check_sub_operands(a, b);
  if (dtype == kBool && op == BinaryOp::Pow)
    throw TypeError("pow: both operands are bool; expected a numeric dtype");
  const Tensor x = cast(a, dtype), y = cast(b, dtype);
  Tensor out = make_tensor(a.sizes() == b.sizes() ? a.sizes() : broadcast_shapes("binary op", a.sizes(), b.sizes()),
                           dtype);
  dispatch(dtype, [&]<class T>() {
    switch (op) {
      case BinaryOp::Add: return binary_loop<T, T>(out, x, y, [](T p, T q) { return T(p + q); });
      case BinaryOp::Sub: return binary_loop<T, T>(out, x, y, [](T p, T q) { return T(p - q); });
      case BinaryOp::Mul: return binary_loop<T, T>(out, x, y, [](T p, T q) { return T(p * q); });
      case BinaryOp::Div:
        if constexpr (std::is_floating_point_v<T>) return binary_loop<T, T>(out, x, y, [](T p, T q) { return p / q; });
        break;
      case BinaryOp::Pow:
        return binary_loop<T, T>(out, x, y, [](T p, T q) { return static_cast<T>(std::pow(p, q)); });
      case BinaryOp::Maximum:
        return binary_loop<T, T>(out, x, y, [](T p, T q) { return (p != p || p > q) ? p : q; });
      case BinaryOp::Minimum:
        return binary_loop<T, T>(out, x, y, [](T p, T q) { return (p != p || p < q) ? p : q; });
    }
  });
  return out;
}

// One pass in the promoted dtype of a and b. Scaling b by a wrapped alpha first
// would let alpha = -1.0 (from sub) turn two integer tensors into a float32 result.
Tensor add_scaled(const Tensor& a, const Tensor& b, double alpha) {
  if (alpha == 1.0) return binary(BinaryOp::Add, a, b);
  check_dense("add", a);
  check_dense("add", b);
  const Dtype dtype = result_type(a, b);
  check_alpha("add", dtype, alpha);
  const Shape shape = broadcast_shapes("add", a.sizes(), b.sizes());
  const Tensor x = cast(a, dtype), y = cast(b, dtype);
  Tensor out = make_tensor(shape, dtype);
  dispatch(dtype, [&]<class T>() {
    const T scale = static_cast<T>(alpha);
    binary_loop<T, T>(out, x, y, [scale](T p, T q) { return T(p + scale * q); });
  });
  return out;
}

void check_sub_operands(const Tensor& a, const Tensor& b) {
  if (a.dtype() == kBool || b.dtype() == kBool)
    throw TypeError("sub: an operand of dtype torch.bool is not supported; expected numeric operands. To "
                    "invert a mask, use (mask == false)");
}

void check_alpha(const char* where, Dtype dtype, double alpha) {
  if (!is_floating(dtype) && alpha != std::floor(alpha))
    throw TypeError(fmt::format("{}: alpha = {} is not integral; expected an integral alpha for operands of "
                                "dtype {}", where, alpha, dtype_name(dtype)));
}

Tensor compare(CompareOp op, const Tensor& a, const Tensor& b) {
  check_dense("comparison", a);
  check_dense("comparison", b);
  const Dtype dtype = result_type(a, b);
  const Shape shape = broadcast_shapes("comparison", a.sizes(), b.sizes());
  const Tensor x = cast(a, dtype), y = cast(b, dtype);
  Tensor out = make_tensor(shape, kBool);
  dispatch(dtype, [&]<class T>() {
    switch (op) {
      case CompareOp::Eq: return binary_loop<T, bool>(out, x, y, [](T p, T q) { return p == q; });
      case CompareOp::Ne: return binary_loop<T, bool>(out, x, y, [](T p, T q) { return p != q; });
      case CompareOp::Lt: return binary_loop<T, bool>(out, x, y, [](T p, T q) { return p < q; });
      case CompareOp::Le: return binary_loop<T, bool>(out, x, y, [](T p, T q) { return p <= q; });
      case CompareOp::Gt: return binary_loop<T, bool>(out, x, y, [](T p, T q) { return p > q; });
      case CompareOp::Ge: return binary_loop<T, bool>(out, x, y, [](T p, T q) { return p >= q; });
    }
  });
  return out;
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_dense("where", condition);
  if (condition.dtype() != kBool)
    throw TypeError(fmt::format("where: condition has dtype {}; expected torch.bool", dtype_name(condition.dtype())));
  const Dtype dtype = result_type(a, b);
  const Shape shape = broadcast_shapes("where", condition.sizes(), broadcast_shapes("where", a.sizes(), b.sizes()));
  const Tensor x = cast(a, dtype), y = cast(b, dtype);
  Tensor out = make_tensor(shape, dtype);
  StridedLoop<4> loop;
  loop.shape = shape;
  loop.base = {static_cast<char*>(out.raw_data()), static_cast<char*>(condition.raw_data()),
               static_cast<char*>(x.raw_data()), static_cast<char*>(y.raw_data())};
  loop.byte_strides = {broadcast_byte_strides(out, shape), broadcast_byte_strides(condition, shape),
                       broadcast_byte_strides(x, shape), broadcast_byte_strides(y, shape)};
  dispatch(dtype, [&]<class T>() {
    loop.run([](std::array<char*, 4> p, std::array<int64_t, 4> s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const bool*>(p[1] + i * s[1])
                                                     ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                     : *reinterpret_cast<const T*>(p[3] + i * s[3]);
    });
  });
  return out;
}

Tensor pow_scalar(const Tensor& a, double exponent) {
  check_dense("pow", a);
  Dtype dtype = a.dtype();
  const bool integral_exponent = exponent == std::floor(exponent);
  if (!is_floating(dtype) && !integral_exponent) dtype = kFloat32;
  if (dtype == kBool) dtype = kInt64;
  if (!is_floating(dtype) && exponent < 0)
    throw ValueError(fmt::format("pow: exponent = {} is a negative integer for a tensor of dtype {}; expected a "
                                 "non-negative exponent (integers to negative integer powers are not allowed). "
                                 "Convert the tensor to a floating dtype first", exponent, dtype_name(dtype)));
  const Tensor in = cast(a, dtype);
  Tensor out = make_tensor(a.sizes(), dtype);
  dispatch(dtype, [&]<class T>() {
    if (exponent == 2.0) return unary_loop<T, T>(out, in, [](T x) { return T(x * x); });
    if (exponent == 1.0) return unary_loop<T, T>(out, in, [](T x) { return x; });
    if (exponent == 0.5) return unary_loop<T, T>(out, in, [](T x) { return static_cast<T>(std::sqrt(x)); });
    const T e = static_cast<T>(exponent);
    unary_loop<T, T>(out, in, [e](T x) { return static_cast<T>(std::pow(x, e)); });
  });
  return out;
}

Tensor clamp(const Tensor& a, std::optional<double> min, std::optional<double> max) {
  check_dense("clamp", a);
  if (!min && !max) throw ValueError("clamp: neither min nor max was given; expected at least one");
  // A fractional bound promotes an integer tensor to float32, as a Python float does.
  const auto fractional = [](std::optional<double> v) { return v && *v != std::floor(*v); };
  const Dtype dtype = !is_floating(a.dtype()) && (fractional(min) || fractional(max)) ? kFloat32 : a.dtype();
  const Tensor in = cast(a, dtype);
  Tensor out = make_tensor(a.sizes(), dtype);
  dispatch(dtype, [&]<class T>() {
    const T lo = min ? static_cast<T>(*min) : T(0), hi = max ? static_cast<T>(*max) : T(0);
    const bool has_lo = min.has_value(), has_hi = max.has_value();
    // PyTorch applies min first, then max: with min > max every element becomes max.
    unary_loop<T, T>(out, in, [=](T x) {
      if (x != x) return x;  // NaN propagates
      if (has_lo && x < lo) x = lo;
      if (has_hi && x > hi) x = hi;
      return x;
    });
  });
  return out;
}

Tensor softplus(const Tensor& a, double beta, double threshold) {
  check_dense("softplus", a);
  if (!is_floating(a.dtype()))
    throw TypeError(fmt::format("softplus: the tensor's dtype is {}; expected a floating dtype, as in PyTorch",
                                dtype_name(a.dtype())));
  const Tensor& in = a;
  Tensor out = make_tensor(a.sizes(), in.dtype());
  dispatch_floating(in.dtype(), [&]<class T>() {
    const T b = static_cast<T>(beta), th = static_cast<T>(threshold);
    // Above the threshold softplus(x) == x to working precision; log1p(exp) would overflow.
    unary_loop<T, T>(out, in, [=](T x) { return x * b > th ? x : std::log1p(std::exp(x * b)) / b; });
  });
  return out;
}

namespace {
// dst = dst op src in place; for Add, dst + alpha * src.
void binary_into_scaled(BinaryOp op, const Tensor& dst, const Tensor& src, double alpha) {
  check_dense("in-place op", dst);
  check_dense("in-place op", src);
  // The gradient-accumulation case: same shape and dtype, both contiguous.
  if (op == BinaryOp::Add && dst.dtype() == src.dtype() && dst.sizes() == src.sizes() && dst.is_contiguous() &&
      src.is_contiguous() && dst.dtype() != kBool) {
    dispatch(dst.dtype(), [&]<class T>() {
      T* out = static_cast<T*>(dst.raw_data());
      const T* in = static_cast<const T*>(src.raw_data());
      const T scale = static_cast<T>(alpha);
      if (alpha == 1.0)
        for (int64_t i = 0, n = dst.numel(); i < n; ++i) out[i] = static_cast<T>(out[i] + in[i]);
      else
        for (int64_t i = 0, n = dst.numel(); i < n; ++i) out[i] = static_cast<T>(out[i] + scale * in[i]);
    });
    return;
  }
  const Shape shape = broadcast_shapes("in-place op", dst.sizes(), src.sizes());
  if (shape != dst.sizes())
    throw ValueError(fmt::format("in-place op: the operand's shape {} does not broadcast to the destination's "
                                 "shape {}", shape_string(src.sizes()), shape_string(dst.sizes())));
  check_no_internal_overlap("in-place op", dst);
  const Dtype result = result_type(dst, src);
  // The scalar overloads (mul_(double), add_(double)) take a double, so `ids.mul_(2)`
  // arrives as a wrapped 2.0: an integral value may go into an integer tensor, 2.5 may not.
  const bool integral_scalar = src.impl()->is_wrapped_number &&
                               (!is_floating(src.dtype()) || [&] {
                                 const double v = cast(src, kFloat64).item<double>();
                                 return v == std::floor(v);
                               }());
  if (promote_types(result, dst.dtype()) != dst.dtype() && !integral_scalar)
    throw TypeError(fmt::format("in-place op: result type {} can't be cast to the destination's dtype {}",
                                dtype_name(result), dtype_name(dst.dtype())));
  if (op == BinaryOp::Div && !is_floating(dst.dtype()))
    throw TypeError(fmt::format("div_: the destination's dtype {} cannot hold a true division; expected a "
                                "floating dtype", dtype_name(dst.dtype())));
  const Tensor y = cast(src, dst.dtype());
  dispatch(dst.dtype(), [&]<class T>() {
    switch (op) {
      case BinaryOp::Add:
        if (alpha != 1.0) {
          const T scale = static_cast<T>(alpha);
          return binary_loop<T, T>(dst, dst, y, [scale](T p, T q) { return T(p + scale * q); });
        }
        return binary_loop<T, T>(dst, dst, y, [](T p, T q) { return T(p + q); });
      case BinaryOp::Sub: return binary_loop<T, T>(dst, dst, y, [](T p, T q) { return T(p - q); });
      case BinaryOp::Mul: return binary_loop<T, T>(dst, dst, y, [](T p, T q) { return T(p * q); });
      case BinaryOp::Div: return binary_loop<T, T>(dst, dst, y, [](T p, T q) { return T(p / q); });
      case BinaryOp::Pow: return binary_loop<T, T>(dst, dst, y, [](T p, T q) { return static_cast<T>(std::pow(p, q)); });
      case BinaryOp::Maximum: return binary_loop<T, T>(dst, dst, y, [](T p, T q) { return p > q ? p : q; });
      case BinaryOp::Minimum: return binary_loop<T, T>(dst, dst, y, [](T p, T q) { return p < q ? p : q; });
    }
  });
}

}  // namespace

void binary_into(BinaryOp op, const Tensor& dst, const Tensor& src) { binary_into_scaled(op, dst, src, 1.0); }

void add_scaled_into(const Tensor& dst, const Tensor& src, double alpha) {
  if (alpha != 1.0 && dst.defined()) check_alpha("add_", dst.dtype(), alpha);
  binary_into_scaled(BinaryOp::Add, dst, src, alpha);
}

}  // namespace tg::core

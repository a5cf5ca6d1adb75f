#pragma once
// Free-function spellings of Tensor's unary methods, as libtorch has them:
// tg::relu(x) is x.relu(), tg::exp(x) is x.exp(), ... (differentiable, as the methods).
//
// Note [tg math names]: these overloads hide the C library's exp, log, sqrt, ... for
// unqualified calls made inside namespace tg, so tg's own code calls std::exp and friends
// on numbers, qualified. User code with `using namespace tg;` still reaches both.
#include <optional>
#include <string_view>

#include "tensor.h"

namespace tg {

inline Tensor neg(const Tensor& x) { return x.neg(); }
inline Tensor exp(const Tensor& x) { return x.exp(); }
inline Tensor log(const Tensor& x) { return x.log(); }
inline Tensor sqrt(const Tensor& x) { return x.sqrt(); }
inline Tensor abs(const Tensor& x) { return x.abs(); }
inline Tensor sigmoid(const Tensor& x) { return x.sigmoid(); }
inline Tensor tanh(const Tensor& x) { return x.tanh(); }
inline Tensor relu(const Tensor& x) { return x.relu(); }
inline Tensor logsigmoid(const Tensor& x) { return x.logsigmoid(); }
inline Tensor sin(const Tensor& x) { return x.sin(); }
inline Tensor cos(const Tensor& x) { return x.cos(); }
inline Tensor erf(const Tensor& x) { return x.erf(); }
inline Tensor gelu(const Tensor& x, std::string_view approximate = "none") { return x.gelu(approximate); }
inline Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0) {
  return x.softplus(beta, threshold);
}
inline Tensor pow(const Tensor& x, double exponent) { return x.pow(exponent); }
inline Tensor pow(const Tensor& x, const Tensor& exponent) { return x.pow(exponent); }
inline Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) { return x.clamp(min, max); }
inline Tensor clamp_min(const Tensor& x, double min) { return x.clamp_min(min); }
inline Tensor clamp_max(const Tensor& x, double max) { return x.clamp_max(max); }

}  // namespace tg

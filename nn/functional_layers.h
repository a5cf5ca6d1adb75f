#pragma once
// nn::functional forms of the activation, dropout and normalization layers, with
// libtorch's option classes (included by functional.h).
//
//   namespace F = tg::nn::functional;
//   y = F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2));
//   y = F::dropout(x, F::DropoutFuncOptions().p(0.1).training(model.is_training()));
//   y = F::layer_norm(x, F::LayerNormFuncOptions({64}).weight(w).bias(b).eps(1e-5));
#include <cstdint>
#include <string>
#include <vector>

#include "../core/tensor.h"

namespace tg::nn::functional {

class LeakyReLUFuncOptions {
 public:
  LeakyReLUFuncOptions& negative_slope(double v) { negative_slope_ = v; return *this; }
  double negative_slope() const { return negative_slope_; }

 private:
  double negative_slope_ = 1e-2;
};

class GELUFuncOptions {
 public:
  GELUFuncOptions& approximate(std::string v) { approximate_ = std::move(v); return *this; }
  const std::string& approximate() const { return approximate_; }

 private:
  std::string approximate_ = "none";  // "none" (exact, through erf) or "tanh"
};

class SoftmaxFuncOptions {
 public:
  SoftmaxFuncOptions(int64_t dim) : dim_(dim) {}  // NOLINT: implicit, so F::softmax(x, 1) reads as PyTorch
  SoftmaxFuncOptions& dim(int64_t v) { dim_ = v; return *this; }
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
};

class DropoutFuncOptions {
 public:
  DropoutFuncOptions& p(double v) { p_ = v; return *this; }
  DropoutFuncOptions& training(bool v) { training_ = v; return *this; }
  double p() const { return p_; }
  bool training() const { return training_; }

 private:
  double p_ = 0.5;
  bool training_ = true;  // the functional form drops unless told otherwise, as F.dropout
};

class LayerNormFuncOptions {
 public:
  LayerNormFuncOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}  // NOLINT
  LayerNormFuncOptions& normalized_shape(std::vector<int64_t> v) { normalized_shape_ = std::move(v); return *this; }
  LayerNormFuncOptions& weight(Tensor v) { weight_ = std::move(v); return *this; }
  LayerNormFuncOptions& bias(Tensor v) { bias_ = std::move(v); return *this; }
  LayerNormFuncOptions& eps(double v) { eps_ = v; return *this; }
  const std::vector<int64_t>& normalized_shape() const { return normalized_shape_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }
  double eps() const { return eps_; }

 private:
  std::vector<int64_t> normalized_shape_;
  Tensor weight_;  // undefined: no scaling
  Tensor bias_;    // undefined: no shift
  double eps_ = 1e-5;
};

Tensor relu(const Tensor& input);
// x for x > 0, negative_slope * x otherwise (the gradient at 0 is negative_slope, as PyTorch).
Tensor leaky_relu(const Tensor& input, const LeakyReLUFuncOptions& options = {});
Tensor sigmoid(const Tensor& input);
Tensor tanh(const Tensor& input);
// x * sigmoid(x).
Tensor silu(const Tensor& input);
// x * Phi(x), Phi the standard normal CDF (or its tanh approximation); tg::ValueError
// for an approximate other than "none" or "tanh".
Tensor gelu(const Tensor& input, const GELUFuncOptions& options = {});
Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& options);

// Training: each element is zeroed with probability p (draws from the generator that
// tg::manual_seed seeds) and the others are scaled by 1 / (1 - p). p = 0, evaluation
// and an empty input return the input itself; p = 1 returns zeros still connected to the
// input (its gradient is zero). tg::ValueError for p outside [0, 1].
Tensor dropout(const Tensor& input, const DropoutFuncOptions& options = {});

// Normalizes over the last normalized_shape.size() dims, which must equal
// normalized_shape: (x - mean) / sqrt(var + eps), var biased, then * weight + bias.
Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options);

}  // namespace tg::nn::functional

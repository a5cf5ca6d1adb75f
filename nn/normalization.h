#pragma once
// tg::nn::LayerNorm: normalizes over the trailing normalized_shape dims, then scales
// and shifts by a learned weight (ones) and bias (zeros) of that shape.
//
//   tg::nn::LayerNorm norm(tg::nn::LayerNormOptions({64}).eps(1e-5).elementwise_affine(true));
//   y = norm(x);   // x (*, 64)
#include <cstdint>
#include <string>
#include <vector>

#include "functional.h"
#include "layer.h"

namespace tg::nn {

class LayerNormOptions {
 public:
  LayerNormOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}  // NOLINT
  LayerNormOptions& normalized_shape(std::vector<int64_t> v) { normalized_shape_ = std::move(v); return *this; }
  LayerNormOptions& eps(double v) { eps_ = v; return *this; }
  LayerNormOptions& elementwise_affine(bool v) { elementwise_affine_ = v; return *this; }
  LayerNormOptions& dtype(Dtype v) { dtype_ = v; return *this; }
  const std::vector<int64_t>& normalized_shape() const { return normalized_shape_; }
  double eps() const { return eps_; }
  bool elementwise_affine() const { return elementwise_affine_; }
  Dtype dtype() const { return dtype_; }

 private:
  std::vector<int64_t> normalized_shape_;
  double eps_ = 1e-5;
  bool elementwise_affine_ = true;
  Dtype dtype_ = kFloat32;
};

class LayerNorm : public LayerWithOptions<LayerNorm, "LayerNorm", LayerNormOptions> {
 public:
  // tg::ValueError for an empty normalized_shape or a negative size in it.
  explicit LayerNorm(LayerNormOptions options);
  // tg::ValueError when input does not end in normalized_shape.
  Tensor forward(const Tensor& input);
  void reset_parameters();
  std::string extra_repr() const override;

  Tensor weight;  // normalized_shape; undefined without elementwise_affine
  Tensor bias;
};

}  // namespace tg::nn

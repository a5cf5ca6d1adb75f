#pragma once
// tg::nn::Linear: y = x W^T + b, with W (out_features, in_features) and PyTorch's
// default init (kaiming-uniform weight, bound 1/sqrt(in_features) for the bias); and
// the shape layers libtorch keeps beside it, Identity and Flatten.
//
//   tg::nn::Linear fc(tg::nn::LinearOptions(3, 2).bias(false));
//   tg::Tensor y = fc(x);   // x (*, 3) -> y (*, 2)
//   tg::nn::Flatten flat;   // (N, C, H, W) -> (N, C * H * W)
#include <cstdint>
#include <string>

#include "functional.h"
#include "layer.h"

namespace tg::nn {

class LinearOptions {
 public:
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  LinearOptions& in_features(int64_t v) { in_features_ = v; return *this; }
  LinearOptions& out_features(int64_t v) { out_features_ = v; return *this; }
  LinearOptions& bias(bool v) { bias_ = v; return *this; }
  LinearOptions& dtype(Dtype v) { dtype_ = v; return *this; }
  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  bool bias() const { return bias_; }
  Dtype dtype() const { return dtype_; }

 private:
  int64_t in_features_;
  int64_t out_features_;
  bool bias_ = true;
  Dtype dtype_ = kFloat32;
};

class Linear : public LayerWithOptions<Linear, "Linear", LinearOptions> {
 public:
  explicit Linear(LinearOptions options);
  Linear(int64_t in_features, int64_t out_features) : Linear(LinearOptions(in_features, out_features)) {}

  Tensor forward(const Tensor& input) { return functional::linear(input, weight, bias); }
  void reset_parameters();
  std::string extra_repr() const override;

  Tensor weight;  // (out_features, in_features)
  Tensor bias;    // (out_features); undefined when bias(false)
};

// Returns its input, so a Sequential can hold a slot that does nothing.
class Identity : public Layer<Identity, "Identity"> {
 public:
  Tensor forward(const Tensor& input) { return input; }
};

class FlattenOptions {
 public:
  FlattenOptions& start_dim(int64_t v) { start_dim_ = v; return *this; }
  FlattenOptions& end_dim(int64_t v) { end_dim_ = v; return *this; }
  int64_t start_dim() const { return start_dim_; }
  int64_t end_dim() const { return end_dim_; }

 private:
  int64_t start_dim_ = 1;  // keeps the batch dim
  int64_t end_dim_ = -1;
};

// Merges dims start_dim..end_dim (negative: from the end) into one, as torch.flatten.
class Flatten : public LayerWithOptions<Flatten, "Flatten", FlattenOptions> {
 public:
  using LayerWithOptions::LayerWithOptions;
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
};

}  // namespace tg::nn

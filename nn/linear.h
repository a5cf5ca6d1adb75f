#pragma once
// tg::nn::Linear: y = x W^T + b, with W (out_features, in_features) and PyTorch's
// default init (kaiming-uniform weight, bound 1/sqrt(in_features) for the bias).
//
//   tg::nn::Linear fc(tg::nn::LinearOptions(3, 2).bias(false));
//   tg::Tensor y = fc(x);   // x (*, 3) -> y (*, 2)
#include <cstdint>
#include <string>

#include "functional.h"
#include "module.h"

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

class Linear : public Module {
 public:
  explicit Linear(LinearOptions options);
  Linear(int64_t in_features, int64_t out_features) : Linear(LinearOptions(in_features, out_features)) {}

  Tensor forward(const Tensor& input) { return functional::linear(input, weight, bias); }
  Tensor operator()(const Tensor& input) { return forward(input); }
  void reset_parameters();
  const LinearOptions& options() const { return options_; }
  std::string extra_repr() const override;
  std::string name() const override { return "Linear"; }

  Tensor weight;  // (out_features, in_features)
  Tensor bias;    // (out_features); undefined when bias(false)

 private:
  LinearOptions options_;
};

}  // namespace tg::nn

#pragma once
// Activation layers, with libtorch's option classes and PyTorch's defaults and printout.
//
//   tg::nn::Sequential net(tg::nn::Linear(4, 8), tg::nn::LeakyReLU(tg::nn::LeakyReLUOptions().negative_slope(0.2)),
//                          tg::nn::Linear(8, 3), tg::nn::LogSoftmax(1));
#include <cstdint>
#include <string>

#include "functional.h"
#include "layer.h"

namespace tg::nn {

// The layers without options: forward applies the functional form of the same name.
class ReLU : public FunctionLayer<ReLU, functional::relu, "ReLU"> {};
class Sigmoid : public FunctionLayer<Sigmoid, functional::sigmoid, "Sigmoid"> {};
class Tanh : public FunctionLayer<Tanh, functional::tanh, "Tanh"> {};
class SiLU : public FunctionLayer<SiLU, functional::silu, "SiLU"> {};

using LeakyReLUOptions = functional::LeakyReLUFuncOptions;

class LeakyReLU : public LayerWithOptions<LeakyReLU, "LeakyReLU", LeakyReLUOptions> {
 public:
  using LayerWithOptions::LayerWithOptions;
  Tensor forward(const Tensor& input) { return functional::leaky_relu(input, options_); }
  std::string extra_repr() const override;
};

using GELUOptions = functional::GELUFuncOptions;

class GELU : public LayerWithOptions<GELU, "GELU", GELUOptions> {
 public:
  explicit GELU(GELUOptions options = {});
  Tensor forward(const Tensor& input) { return functional::gelu(input, options_); }
  std::string extra_repr() const override;
};

// Softmax(1) or Softmax(SoftmaxOptions(1)); the dim is required (PyTorch's implicit
// choice of dim is deprecated).
using SoftmaxOptions = functional::SoftmaxFuncOptions;
using LogSoftmaxOptions = functional::SoftmaxFuncOptions;

class Softmax : public LayerWithOptions<Softmax, "Softmax", SoftmaxOptions> {
 public:
  using LayerWithOptions::LayerWithOptions;
  Tensor forward(const Tensor& input) { return functional::softmax(input, options_); }
  std::string extra_repr() const override { return "dim=" + std::to_string(options_.dim()); }
};

class LogSoftmax : public LayerWithOptions<LogSoftmax, "LogSoftmax", LogSoftmaxOptions> {
 public:
  using LayerWithOptions::LayerWithOptions;
  Tensor forward(const Tensor& input) { return functional::log_softmax(input, options_.dim()); }
  std::string extra_repr() const override { return "dim=" + std::to_string(options_.dim()); }
};

}  // namespace tg::nn

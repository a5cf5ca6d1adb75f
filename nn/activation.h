#pragma once
// Activation layers, with libtorch's option classes and PyTorch's defaults and printout.
//
//   tg::nn::Sequential net(tg::nn::Linear(4, 8), tg::nn::LeakyReLU(tg::nn::LeakyReLUOptions().negative_slope(0.2)),
//                          tg::nn::Linear(8, 3), tg::nn::LogSoftmax(1));
#include <cstdint>
#include <string>

#include "functional.h"
#include "module.h"

namespace tg::nn {

// The layers without options: forward applies the functional form of the same name.
class ReLU : public Module {
 public:
  Tensor forward(const Tensor& input) { return functional::relu(input); }
  Tensor operator()(const Tensor& input) { return forward(input); }
  std::string name() const override { return "ReLU"; }
};

class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& input) { return functional::sigmoid(input); }
  Tensor operator()(const Tensor& input) { return forward(input); }
  std::string name() const override { return "Sigmoid"; }
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& input) { return functional::tanh(input); }
  Tensor operator()(const Tensor& input) { return forward(input); }
  std::string name() const override { return "Tanh"; }
};

class SiLU : public Module {
 public:
  Tensor forward(const Tensor& input) { return functional::silu(input); }
  Tensor operator()(const Tensor& input) { return forward(input); }
  std::string name() const override { return "SiLU"; }
};

using LeakyReLUOptions = functional::LeakyReLUFuncOptions;

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(LeakyReLUOptions options = {}) : options_(options) {}
  Tensor forward(const Tensor& input) { return functional::leaky_relu(input, options_); }
  Tensor operator()(const Tensor& input) { return forward(input); }
  const LeakyReLUOptions& options() const { return options_; }
  std::string extra_repr() const override;
  std::string name() const override { return "LeakyReLU"; }

 private:
  LeakyReLUOptions options_;
};

using GELUOptions = functional::GELUFuncOptions;

class GELU : public Module {
 public:
  explicit GELU(GELUOptions options = {});
  Tensor forward(const Tensor& input) { return functional::gelu(input, options_); }
  Tensor operator()(const Tensor& input) { return forward(input); }
  const GELUOptions& options() const { return options_; }
  std::string extra_repr() const override;
  std::string name() const override { return "GELU"; }

 private:
  GELUOptions options_;
};

// Softmax(1) or Softmax(SoftmaxOptions(1)); the dim is required (PyTorch's implicit
// choice of dim is deprecated).
using SoftmaxOptions = functional::SoftmaxFuncOptions;
using LogSoftmaxOptions = functional::SoftmaxFuncOptions;

class Softmax : public Module {
 public:
  explicit Softmax(SoftmaxOptions options) : options_(options) {}
  Tensor forward(const Tensor& input) { return functional::softmax(input, options_); }
  Tensor operator()(const Tensor& input) { return forward(input); }
  const SoftmaxOptions& options() const { return options_; }
  std::string extra_repr() const override;
  std::string name() const override { return "Softmax"; }

 private:
  SoftmaxOptions options_;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(LogSoftmaxOptions options) : options_(options) {}
  Tensor forward(const Tensor& input) { return functional::log_softmax(input, options_.dim()); }
  Tensor operator()(const Tensor& input) { return forward(input); }
  const LogSoftmaxOptions& options() const { return options_; }
  std::string extra_repr() const override;
  std::string name() const override { return "LogSoftmax"; }

 private:
  LogSoftmaxOptions options_;
};

}  // namespace tg::nn

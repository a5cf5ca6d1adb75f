#include "init.h"

#include <fmt/format.h>

#include <cmath>

#include "../autograd/grad_mode.h"

namespace tg::nn::init {

namespace {

void check_floating(const char* where, const Tensor& t) {
  if (!t.defined()) throw Error(fmt::format("{}: the tensor is undefined; expected a defined tensor", where));
  if (!t.is_floating_point())
    throw TypeError(fmt::format("{}: the tensor has dtype {}; expected a floating dtype", where, dtype_name(t.dtype())));
}

}  // namespace

Tensor normal_(Tensor tensor, double mean, double std) {
  check_floating("normal_", tensor);
  if (tensor.numel() == 0) return tensor;
  NoGradGuard no_grad;
  tensor.copy_(randn(tensor.sizes(), tensor.dtype()) * std + mean);
  return tensor;
}

Tensor uniform_(Tensor tensor, double a, double b) {
  check_floating("uniform_", tensor);
  if (a > b) throw ValueError(fmt::format("uniform_: a = {} is greater than b = {}; expected a <= b", a, b));
  if (tensor.numel() == 0) return tensor;
  NoGradGuard no_grad;
  tensor.copy_(rand(tensor.sizes(), tensor.dtype()) * (b - a) + a);
  return tensor;
}

Tensor zeros_(Tensor tensor) {
  NoGradGuard no_grad;
  tensor.zero_();
  return tensor;
}

Tensor ones_(Tensor tensor) {
  NoGradGuard no_grad;
  tensor.fill_(1.0);
  return tensor;
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  if (!tensor.defined() || tensor.dim() < 2)
    throw ValueError(fmt::format("init: fan in and fan out can not be computed for a tensor of shape {}; expected "
                                 "at least 2 dims", tensor.defined() ? shape_string(tensor.sizes()) : "undefined"));
  int64_t field = 1;  // a convolution kernel's spatial size; 1 for a Linear weight
  for (int64_t d = 2; d < tensor.dim(); ++d) field *= tensor.size(d);
  return {tensor.size(1) * field, tensor.size(0) * field};
}

Tensor xavier_uniform_(Tensor tensor, double gain) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  const double bound = std::sqrt(3.0) * std;  // U(-b, b) has std b / sqrt(3)
  return uniform_(tensor, -bound, bound);
}

Tensor kaiming_uniform_(Tensor tensor, double a) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  (void)fan_out;
  if (fan_in == 0) return tensor;  // PyTorch warns and leaves an empty tensor alone
  const double gain = std::sqrt(2.0 / (1.0 + a * a));
  const double bound = std::sqrt(3.0) * gain / std::sqrt(static_cast<double>(fan_in));
  return uniform_(tensor, -bound, bound);
}

}  // namespace tg::nn::init

#pragma once
// tg::nn::init: in-place initialisers, run under no-grad (so they work on parameters
// that require grad) and drawing from the seeded default generator.
//
//   tg::nn::init::xavier_uniform_(fc.weight);
//   tg::nn::init::zeros_(fc.bias);
#include "../core/tensor.h"

namespace tg::nn::init {

Tensor normal_(Tensor tensor, double mean = 0.0, double std = 1.0);
Tensor uniform_(Tensor tensor, double a = 0.0, double b = 1.0);
Tensor zeros_(Tensor tensor);
Tensor ones_(Tensor tensor);
// U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out)).
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
// U(-bound, bound) with bound = sqrt(6 / ((1 + a^2) fan_in)) (leaky-ReLU gain, fan_in mode):
// with a = sqrt(5) this is Linear's default init, bound = 1 / sqrt(fan_in).
Tensor kaiming_uniform_(Tensor tensor, double a = 0.0);
// (fan_in, fan_out) of a weight of at least 2 dims: (size(1) * field, size(0) * field).
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor);

}  // namespace tg::nn::init

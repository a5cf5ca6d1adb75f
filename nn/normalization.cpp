#include "normalization.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "init.h"

namespace tg::nn {

LayerNorm::LayerNorm(LayerNormOptions options) : LayerWithOptions(std::move(options)) {
  const std::vector<int64_t>& shape = options_.normalized_shape();
  if (shape.empty() || std::any_of(shape.begin(), shape.end(), [](int64_t s) { return s < 0; }))
    throw ValueError(fmt::format("LayerNorm: normalized_shape = {} is invalid; expected one or more sizes >= 0",
                                 shape_string(shape)));
  if (options_.elementwise_affine()) {
    weight = register_parameter("weight", empty(shape, options_.dtype()));
    bias = register_parameter("bias", empty(shape, options_.dtype()));
  }
  reset_parameters();
}

void LayerNorm::reset_parameters() {
  if (!weight.defined()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor LayerNorm::forward(const Tensor& input) {
  return functional::layer_norm(
      input, functional::LayerNormFuncOptions(options_.normalized_shape()).weight(weight).bias(bias).eps(options_.eps()));
}

// Python's tuple: "(4,)" for one size, "(2, 3)" for more.
std::string LayerNorm::extra_repr() const {
  const std::vector<int64_t>& shape = options_.normalized_shape();
  const std::string sizes = shape.size() == 1 ? fmt::format("{},", shape[0]) : fmt::format("{}", fmt::join(shape, ", "));
  return fmt::format("({}), eps={}, elementwise_affine={}", sizes, repr_float(options_.eps()),
                     options_.elementwise_affine() ? "True" : "False");
}

}  // namespace tg::nn

#include "linear.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "init.h"

namespace tg::nn {

Linear::Linear(LinearOptions options) : LayerWithOptions(options) {
  if (options_.in_features() < 0 || options_.out_features() < 0)
    throw ValueError(fmt::format("Linear: in_features = {}, out_features = {}; expected sizes >= 0",
                                 options_.in_features(), options_.out_features()));
  weight = empty({options_.out_features(), options_.in_features()}, options_.dtype());
  register_parameter("weight", weight);
  if (options_.bias()) {
    bias = empty({options_.out_features()}, options_.dtype());
    register_parameter("bias", bias);
  }
  reset_parameters();
}

void Linear::reset_parameters() {
  // a = sqrt(5) makes the weight bound 1 / sqrt(fan_in), as torch.nn.Linear.
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const int64_t fan_in = options_.in_features();
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", options_.in_features(), options_.out_features(),
                     options_.bias() ? "True" : "False");
}

Tensor Flatten::forward(const Tensor& input) {
  if (!input.defined()) throw Error("Flatten: got an undefined tensor; expected a defined input");
  // A 0-d input counts as 1-d, as in torch.flatten.
  const int64_t ndim = std::max<int64_t>(input.dim(), 1);
  auto wrap = [&](const char* what, int64_t dim) {
    if (dim < -ndim || dim >= ndim)
      throw IndexError(fmt::format("Flatten: {} = {} is out of range for a {}-d input; expected a dim in [{}, {}]",
                                   what, dim, input.dim(), -ndim, ndim - 1));
    return dim < 0 ? dim + ndim : dim;
  };
  const int64_t start = wrap("start_dim", options_.start_dim()), end = wrap("end_dim", options_.end_dim());
  if (start > end)
    throw ValueError(fmt::format("Flatten: start_dim = {} comes after end_dim = {}; expected start_dim <= end_dim",
                                 options_.start_dim(), options_.end_dim()));
  if (input.dim() == 0) return input.reshape({1});
  Shape shape(input.sizes().begin(), input.sizes().begin() + start);
  int64_t merged = 1;
  for (int64_t d = start; d <= end; ++d) merged *= input.size(d);
  shape.push_back(merged);
  shape.insert(shape.end(), input.sizes().begin() + end + 1, input.sizes().end());
  return input.reshape(shape);
}

std::string Flatten::extra_repr() const {
  return fmt::format("start_dim={}, end_dim={}", options_.start_dim(), options_.end_dim());
}

}  // namespace tg::nn

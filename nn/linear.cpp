#include "linear.h"

#include <fmt/format.h>

#include <cmath>

#include "init.h"

namespace tg::nn {

Linear::Linear(LinearOptions options) : options_(options) {
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

}  // namespace tg::nn

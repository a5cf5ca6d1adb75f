#include "activation.h"

#include <fmt/format.h>

namespace tg::nn {

std::string LeakyReLU::extra_repr() const {
  return fmt::format("negative_slope={}", repr_float(options_.negative_slope()));
}

// A bad approximate fails at construction, where PyTorch's module would only fail in forward.
GELU::GELU(GELUOptions options) : LayerWithOptions(std::move(options)) {
  if (options_.approximate() != "none" && options_.approximate() != "tanh")
    throw ValueError(fmt::format("GELU: approximate is '{}'; expected 'none' or 'tanh'", options_.approximate()));
}

std::string GELU::extra_repr() const { return fmt::format("approximate='{}'", options_.approximate()); }

}  // namespace tg::nn

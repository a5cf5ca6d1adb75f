#include "activation.h"

#include <fmt/format.h>

namespace tg::nn {

std::string LeakyReLU::extra_repr() const {
  return fmt::format("negative_slope={}", repr_float(options_.negative_slope()));
}

std::string Softmax::extra_repr() const { return fmt::format("dim={}", options_.dim()); }

std::string LogSoftmax::extra_repr() const { return fmt::format("dim={}", options_.dim()); }

}  // namespace tg::nn

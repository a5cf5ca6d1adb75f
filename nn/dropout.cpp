#include "dropout.h"

#include <fmt/format.h>

namespace tg::nn {

Dropout::Dropout(DropoutOptions options) : LayerWithOptions(options) {
  const double p = options_.p();
  if (!(p >= 0.0 && p <= 1.0))
    throw ValueError(fmt::format("Dropout: p = {} is out of range; expected a probability in [0, 1]", p));
}

// PyTorch prints inplace too; tapegrad's dropout is never in place.
std::string Dropout::extra_repr() const { return fmt::format("p={}, inplace=False", repr_float(options_.p())); }

}  // namespace tg::nn

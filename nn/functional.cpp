// The functional forms that need matmul and log_softmax (autograd/ops/matmul.cpp,
// autograd/ops/softmax.cpp). Kept apart from loss.cpp so that code which uses only
// the losses never links these.
#include <fmt/format.h>

#include "functional.h"

namespace tg::nn::functional {

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  if (!input.defined() || !weight.defined())
    throw Error("linear: got an undefined tensor; expected defined input and weight");
  if (weight.dim() != 2 || input.dim() < 1 || input.size(-1) != weight.size(1))
    throw ValueError(fmt::format("linear: input of shape {} and weight of shape {} do not fit; expected weight "
                                 "(out_features, in_features) with in_features = input.size(-1)",
                                 shape_string(input.sizes()), shape_string(weight.sizes())));
  Tensor out = input.matmul(weight.t());
  return bias.defined() ? out + bias : out;
}

Tensor log_softmax(const Tensor& input, int64_t dim) { return tg::log_softmax(input, dim); }

Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction, int64_t ignore_index) {
  if (!logits.defined() || (logits.dim() != 1 && logits.dim() != 2))
    throw ValueError(fmt::format("cross_entropy: logits have shape {}; expected (N, C) or (C) with class indices",
                                 logits.defined() ? shape_string(logits.sizes()) : "undefined"));
  return nll_loss(tg::log_softmax(logits, -1), target, reduction, ignore_index);
}

}  // namespace tg::nn::functional

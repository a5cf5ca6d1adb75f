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

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyFuncOptions& options) {
  const double smoothing = options.label_smoothing();
  if (!(smoothing >= 0.0 && smoothing <= 1.0))
    throw ValueError(fmt::format("cross_entropy: label_smoothing = {}; expected a value in [0, 1]", smoothing));
  if (!logits.defined() || !target.defined())
    throw Error("cross_entropy: got an undefined tensor; expected defined logits and target");
  if (options.reduction() == Reduction::BatchMean)
    throw ValueError("cross_entropy: reduction = batchmean is only for kl_div; expected none, mean or sum");
  if (logits.dim() != 1 && logits.dim() != 2)
    throw ValueError(fmt::format("cross_entropy: logits have shape {}; expected (N, C) or (C)",
                                 shape_string(logits.sizes())));
  const Tensor log_probs = tg::log_softmax(logits, -1);
  const double classes = static_cast<double>(logits.size(-1));
  if (target.is_floating_point()) {
    // Class probabilities: -sum_c q_c log p_c per sample, q mixed with the uniform.
    if (target.sizes() != logits.sizes())
      throw ValueError(fmt::format("cross_entropy: probability target has shape {} but logits {}; expected equal "
                                   "shapes (or class indices of dtype int64)",
                                   shape_string(target.sizes()), shape_string(logits.sizes())));
    const Tensor q = smoothing > 0.0 ? target * (1.0 - smoothing) + smoothing / classes : target;
    const Tensor losses = -(log_probs * q).sum(-1);
    switch (options.reduction()) {
      case Reduction::None: return losses;
      case Reduction::Sum: return losses.sum();
      default: return losses.sum() / static_cast<double>(losses.numel());  // 0 / 0 = nan for an empty batch
    }
  }
  const Tensor nll = nll_loss(log_probs, target, options.reduction(), options.ignore_index());
  if (smoothing == 0.0) return nll;
  // Note [Label smoothing with class indices]: the smoothing term is the mean over
  // classes of -log p, zero for ignored targets; Mean divides its sum by the count of
  // targets that are not ignored, the same count as the nll term (PyTorch's rule).
  // `where`, not a multiplication by the mask: when every target is ignored the mean's
  // backward carries 1 / 0 = inf, and inf * 0 would put nan where PyTorch has 0.
  const Tensor kept = target != options.ignore_index();
  const Tensor smooth = tg::where(kept, -log_probs.sum(-1), zeros({}, logits.dtype()));
  Tensor reduced;
  switch (options.reduction()) {
    case Reduction::None: reduced = smooth; break;
    case Reduction::Sum: reduced = smooth.sum(); break;
    default: reduced = smooth.sum() / kept.to(logits.dtype()).sum(); break;
  }
  return nll * (1.0 - smoothing) + reduced * (smoothing / classes);
}

}  // namespace tg::nn::functional

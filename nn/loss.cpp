// Losses that need only elementwise ops and sums, and the negative log likelihood
// as an op of its own (a gather of one log-probability per row and its scatter).
//
// N samples, C classes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "../autograd/node.h"
#include "../autograd/ops/logistic.h"
#include "../core/elementwise.h"
#include "../core/layout.h"
#include "../core/reduce.h"
#include "functional.h"

namespace tg::nn::functional {

using autograd::Gradients;

namespace {

void check_not_batchmean(const char* where, Reduction reduction) {
  if (reduction == Reduction::BatchMean)
    throw ValueError(fmt::format("{}: reduction = batchmean is only for kl_div; expected none, mean or sum", where));
}

Tensor reduce(const Tensor& losses, Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return losses;
    case Reduction::Sum: return losses.sum();
    case Reduction::BatchMean: check_not_batchmean("loss", reduction); break;
    case Reduction::Mean: break;
  }
  // Mean = sum / count, as PyTorch's mean (an empty input gives nan, 0 / 0).
  return losses.sum() / static_cast<double>(losses.numel());
}

void check_same_shape(const char* where, const Tensor& input, const Tensor& target) {
  if (!input.defined() || !target.defined())
    throw Error(fmt::format("{}: got an undefined tensor; expected defined input and target", where));
  if (input.sizes() != target.sizes())
    throw ValueError(fmt::format("{}: target has shape {} but input has shape {}; expected equal shapes", where,
                                 shape_string(target.sizes()), shape_string(input.sizes())));
}

}  // namespace

Tensor logsigmoid(const Tensor& input) { return input.logsigmoid(); }

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("mse_loss", input, target);
  check_not_batchmean("mse_loss", reduction);
  const Tensor diff = input - target;
  return reduce(diff * diff, reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, Reduction reduction,
                                        const Tensor& pos_weight) {
  check_same_shape("binary_cross_entropy_with_logits", logits, target);
  check_not_batchmean("binary_cross_entropy_with_logits", reduction);
  // One fused op when only the logits can need a gradient (autograd/ops/logistic.cpp);
  // the composition below otherwise, whose nodes also reach target and pos_weight.
  const bool target_needs_grad = target.requires_grad() && autograd::is_grad_enabled();
  if (!pos_weight.defined() && !target_needs_grad && logits.is_floating_point() && target.dtype() == logits.dtype()) {
    if (reduction == Reduction::None) return tg::binary_cross_entropy_with_logits(logits, target, false);
    const Tensor sum = tg::binary_cross_entropy_with_logits(logits, target, true);
    return reduction == Reduction::Sum ? sum : sum / static_cast<double>(logits.numel());
  }
  // -log sigmoid(x) = log1p(exp(-|x|)) + max(-x, 0) inside logsigmoid: never log(0).
  const Tensor neg_log_sigmoid = -logits.logsigmoid();
  Tensor losses = pos_weight.defined()
                      ? (1.0 - target) * logits + ((pos_weight - 1.0) * target + 1.0) * neg_log_sigmoid
                      : (1.0 - target) * logits + neg_log_sigmoid;
  return reduce(losses, reduction);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction, int64_t ignore_index) {
  core::check_dense("nll_loss", log_probs);
  core::check_dense("nll_loss", target);
  check_not_batchmean("nll_loss", reduction);
  if (target.dtype() != kInt64 && target.dtype() != kInt32)
    throw TypeError(fmt::format("nll_loss: target has dtype {}; expected class indices of dtype torch.int64 or "
                                "torch.int32", dtype_name(target.dtype())));
  if (!log_probs.is_floating_point())
    throw TypeError(fmt::format("nll_loss: input has dtype {}; expected a floating dtype", dtype_name(log_probs.dtype())));
  const bool batched = log_probs.dim() == 2;
  if (!(batched && target.dim() == 1 && target.size(0) == log_probs.size(0)) && !(log_probs.dim() == 1 && target.dim() == 0))
    throw ValueError(fmt::format("nll_loss: input of shape {} and target of shape {} do not fit; expected (N, C) "
                                 "with (N), or (C) with a 0-d target", shape_string(log_probs.sizes()),
                                 shape_string(target.sizes())));
  const int64_t n = batched ? log_probs.size(0) : 1, c = log_probs.size(-1);
  const Tensor lp = core::contiguous(log_probs);
  const Tensor classes = core::cast(core::contiguous(target), kInt64);
  const int64_t* t = classes.data_ptr<int64_t>();
  int64_t counted = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (t[i] == ignore_index) continue;
    if (t[i] < 0 || t[i] >= c)
      throw IndexError(fmt::format("nll_loss: target[{}] = {} is out of range; expected [0, {}) for {} classes "
                                   "(or ignore_index = {})", i, t[i], c, c, ignore_index));
    ++counted;
  }
  Tensor losses = core::make_tensor(batched ? Shape{n} : Shape{}, log_probs.dtype());
  dispatch_floating(log_probs.dtype(), [&]<class T>() {
    const T* in = static_cast<const T*>(lp.raw_data());
    T* out = static_cast<T*>(losses.raw_data());
    for (int64_t i = 0; i < n; ++i) out[i] = t[i] == ignore_index ? T(0) : -in[i * c + t[i]];
  });
  Tensor out;
  switch (reduction) {
    case Reduction::None: out = losses; break;
    case Reduction::BatchMean:  // refused above
    case Reduction::Sum: out = core::sum_dims(losses, batched ? std::vector<int64_t>{0} : std::vector<int64_t>{}, false); break;
    case Reduction::Mean:
      // Divided by the number of targets that count; all ignored gives 0 / 0 = nan.
      out = core::binary(core::BinaryOp::Div,
                         core::sum_dims(losses, batched ? std::vector<int64_t>{0} : std::vector<int64_t>{}, false),
                         scalar_tensor(static_cast<double>(counted), log_probs.dtype()));
      break;
  }
  if (!autograd::should_record({log_probs})) return out;
  // d loss_i / d log_probs[i, t_i] = -1 (times 1 / counted for the mean); 0 elsewhere.
  return autograd::record("NllLossBackward0", out, {log_probs},
                          [classes, shape = log_probs.sizes(), n, c, reduction, counted,
                           ignore_index](const Tensor& grad) -> Gradients {
                            Tensor grad_input = zeros(shape, grad.dtype());
                            const Tensor g = core::contiguous(grad);
                            const int64_t* cls = classes.data_ptr<int64_t>();
                            dispatch_floating(grad.dtype(), [&]<class T>() {
                              const T* gp = static_cast<const T*>(g.raw_data());
                              T* gi = static_cast<T*>(grad_input.raw_data());
                              const T scale = reduction == Reduction::Mean ? T(1) / static_cast<T>(counted) : T(1);
                              for (int64_t i = 0; i < n; ++i) {
                                if (cls[i] == ignore_index) continue;
                                const T upstream = reduction == Reduction::None ? gp[i] : gp[0];
                                gi[i * c + cls[i]] = -upstream * scale;
                              }
                            });
                            return {grad_input};
                          });
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const NLLLossFuncOptions& options) {
  return nll_loss(log_probs, target, options.reduction(), options.ignore_index());
}

namespace {

// The unweighted pointwise binary cross entropy as one op, for PyTorch's behaviour at
// x = 0 and 1: the logs are clamped to >= -100 (a finite loss), and the input gradient
// (x - y) / max(x (1 - x), 1e-12) stays finite where a composite of clamp and log
// would give 0 * inf = nan.
Tensor binary_cross_entropy_pointwise(const Tensor& input, const Tensor& target) {
  const Tensor x = core::contiguous(input), y = core::contiguous(core::cast(target, input.dtype()));
  Tensor losses = core::make_tensor(input.sizes(), input.dtype());
  dispatch_floating(input.dtype(), [&]<class T>() {
    const T* xp = static_cast<const T*>(x.raw_data());
    const T* yp = static_cast<const T*>(y.raw_data());
    T* out = static_cast<T*>(losses.raw_data());
    for (int64_t i = 0; i < input.numel(); ++i) {
      if (!(xp[i] >= T(0) && xp[i] <= T(1)))
        throw ValueError(fmt::format("binary_cross_entropy: input element {} = {} is not a probability; expected "
                                     "every element in [0, 1] (use binary_cross_entropy_with_logits for logits)",
                                     i, static_cast<double>(xp[i])));
      const T log_x = std::max(std::log(xp[i]), T(-100)), log_1mx = std::max(std::log1p(-xp[i]), T(-100));
      out[i] = (yp[i] - T(1)) * log_1mx - yp[i] * log_x;
    }
  });
  if (!autograd::should_record({input, target})) return losses;
  const autograd::SavedTensor saved_x(x), saved_y(y);
  return autograd::record("BinaryCrossEntropyBackward0", losses, {input, target},
                          [saved_x, saved_y](const Tensor& grad) -> Gradients {
                            const Tensor& xs = saved_x.get();
                            const Tensor g = core::contiguous(core::cast(grad, xs.dtype()));
                            const Tensor& ys = saved_y.get();
                            Tensor grad_x = core::make_tensor(xs.sizes(), xs.dtype());
                            Tensor grad_y = core::make_tensor(xs.sizes(), xs.dtype());
                            dispatch_floating(xs.dtype(), [&]<class T>() {
                              const T* xp = static_cast<const T*>(xs.raw_data());
                              const T* yp = static_cast<const T*>(ys.raw_data());
                              const T* gp = static_cast<const T*>(g.raw_data());
                              T* gx = static_cast<T*>(grad_x.raw_data());
                              T* gy = static_cast<T*>(grad_y.raw_data());
                              for (int64_t i = 0; i < xs.numel(); ++i) {
                                gx[i] = gp[i] * (xp[i] - yp[i]) / std::max((T(1) - xp[i]) * xp[i], T(1e-12));
                                gy[i] = gp[i] * (std::log1p(-xp[i]) - std::log(xp[i]));  // -logit(x), unclamped
                              }
                            });
                            return {grad_x, grad_y};
                          });
}

}  // namespace

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BinaryCrossEntropyFuncOptions& options) {
  check_same_shape("binary_cross_entropy", input, target);
  check_not_batchmean("binary_cross_entropy", options.reduction());
  core::check_dense("binary_cross_entropy", input);
  core::check_dense("binary_cross_entropy", target);
  if (!input.is_floating_point() || !target.is_floating_point())
    throw TypeError(fmt::format("binary_cross_entropy: input has dtype {} and target {}; expected floating dtypes",
                                dtype_name(input.dtype()), dtype_name(target.dtype())));
  Tensor losses = binary_cross_entropy_pointwise(input, target);
  if (options.weight().defined()) losses = losses * options.weight();
  return reduce(losses, options.reduction());
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options) {
  check_same_shape("l1_loss", input, target);
  check_not_batchmean("l1_loss", options.reduction());
  return reduce((input - target).abs(), options.reduction());
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options) {
  check_same_shape("smooth_l1_loss", input, target);
  check_not_batchmean("smooth_l1_loss", options.reduction());
  const double beta = options.beta();
  if (!(beta >= 0.0))
    throw ValueError(fmt::format("smooth_l1_loss: beta = {}; expected beta >= 0", beta));
  const Tensor diff = input - target;
  const Tensor abs_diff = diff.abs();
  // beta = 0 is the l1 loss; the quadratic branch would divide by zero (and its zero
  // gradient through where would still carry 0 / 0 = nan).
  if (beta == 0.0) return reduce(abs_diff, options.reduction());
  return reduce(tg::where(abs_diff < beta, diff * diff * (0.5 / beta), abs_diff - 0.5 * beta), options.reduction());
}

Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options) {
  check_same_shape("kl_div", input, target);
  Tensor pointwise;
  if (options.log_target()) {
    pointwise = target.exp() * (target - input);
  } else {
    // target log target with 0 log 0 = 0 (PyTorch's xlogy): log reads 1 where the target
    // is 0, so neither the value nor the target's gradient meets log(0). (PyTorch's
    // target gradient there is nan, from xlogy's backward 0 / 0; here it is -input.)
    const Tensor safe = tg::where(target == 0.0, ones_like(target), target);
    pointwise = target * safe.log() - target * input;
  }
  if (options.reduction() != Reduction::BatchMean) return reduce(pointwise, options.reduction());
  // The sum over the batch's first dim count; a 0-d input has no batch, so just the sum.
  const Tensor total = pointwise.sum();
  return input.dim() == 0 ? total : total / static_cast<double>(input.size(0));
}

}  // namespace tg::nn::functional

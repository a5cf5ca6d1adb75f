// Losses that need only elementwise ops and sums, and the negative log likelihood
// as an op of its own (a gather of one log-probability per row and its scatter).
//
// N samples, C classes.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "../autograd/node.h"
#include "../core/elementwise.h"
#include "../core/layout.h"
#include "../core/reduce.h"
#include "functional.h"

namespace tg::nn::functional {

using autograd::Gradients;

namespace {

Tensor reduce(const Tensor& losses, Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return losses;
    case Reduction::Sum: return losses.sum();
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
  const Tensor diff = input - target;
  return reduce(diff * diff, reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, Reduction reduction,
                                        const Tensor& pos_weight) {
  check_same_shape("binary_cross_entropy_with_logits", logits, target);
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

}  // namespace tg::nn::functional

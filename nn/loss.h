#pragma once
// The losses' option classes, libtorch's names and PyTorch's defaults (included by
// functional.h; the Reduction enum lives there).
//
//   namespace F = tg::nn::functional;
//   F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().ignore_index(0).label_smoothing(0.1));
//   F::kl_div(log_q, p, F::KLDivFuncOptions().reduction(tg::nn::kBatchMean));
#include <cstdint>

#include "../core/tensor.h"

namespace tg::nn::functional {

class CrossEntropyFuncOptions {
 public:
  CrossEntropyFuncOptions& ignore_index(int64_t v) { ignore_index_ = v; return *this; }
  CrossEntropyFuncOptions& reduction(Reduction v) { reduction_ = v; return *this; }
  CrossEntropyFuncOptions& label_smoothing(double v) { label_smoothing_ = v; return *this; }
  int64_t ignore_index() const { return ignore_index_; }
  Reduction reduction() const { return reduction_; }
  double label_smoothing() const { return label_smoothing_; }

 private:
  int64_t ignore_index_ = -100;
  Reduction reduction_ = Reduction::Mean;
  double label_smoothing_ = 0.0;
};

class NLLLossFuncOptions {
 public:
  NLLLossFuncOptions& ignore_index(int64_t v) { ignore_index_ = v; return *this; }
  NLLLossFuncOptions& reduction(Reduction v) { reduction_ = v; return *this; }
  int64_t ignore_index() const { return ignore_index_; }
  Reduction reduction() const { return reduction_; }

 private:
  int64_t ignore_index_ = -100;
  Reduction reduction_ = Reduction::Mean;
};

class BinaryCrossEntropyFuncOptions {
 public:
  BinaryCrossEntropyFuncOptions& weight(Tensor v) { weight_ = std::move(v); return *this; }
  BinaryCrossEntropyFuncOptions& reduction(Reduction v) { reduction_ = v; return *this; }
  const Tensor& weight() const { return weight_; }
  Reduction reduction() const { return reduction_; }

 private:
  Tensor weight_;  // undefined: every element weighs 1; otherwise broadcast to the input
  Reduction reduction_ = Reduction::Mean;
};

class L1LossFuncOptions {
 public:
  L1LossFuncOptions(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}  // NOLINT: as libtorch
  L1LossFuncOptions& reduction(Reduction v) { reduction_ = v; return *this; }
  Reduction reduction() const { return reduction_; }

 private:
  Reduction reduction_;
};

class SmoothL1LossFuncOptions {
 public:
  SmoothL1LossFuncOptions(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}  // NOLINT
  SmoothL1LossFuncOptions& reduction(Reduction v) { reduction_ = v; return *this; }
  SmoothL1LossFuncOptions& beta(double v) { beta_ = v; return *this; }
  Reduction reduction() const { return reduction_; }
  double beta() const { return beta_; }

 private:
  Reduction reduction_;
  double beta_ = 1.0;
};

class KLDivFuncOptions {
 public:
  KLDivFuncOptions(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}  // NOLINT
  KLDivFuncOptions& reduction(Reduction v) { reduction_ = v; return *this; }
  KLDivFuncOptions& log_target(bool v) { log_target_ = v; return *this; }
  Reduction reduction() const { return reduction_; }
  bool log_target() const { return log_target_; }

 private:
  Reduction reduction_;  // PyTorch's default is mean over elements; kBatchMean is the true KL
  bool log_target_ = false;
};

// logits (N, C) or (C), and either class indices (int64/int32 (N) or 0-d), or class
// probabilities of the logits' shape (floating). label_smoothing e mixes the target
// with the uniform distribution: (1 - e) * target + e / C. With indices, targets equal
// to ignore_index contribute nothing and Mean divides by the count of the others; with
// probabilities Mean divides by N.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyFuncOptions& options = {});
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const NLLLossFuncOptions& options = {});
// input: probabilities in [0, 1]; -w (y log x + (1 - y) log(1 - x)) with each log
// clamped to >= -100, as PyTorch, so x = 0 or 1 gives a finite loss.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BinaryCrossEntropyFuncOptions& options = {});
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {});
// 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (d = input - target); beta = 0 is l1_loss.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options = {});
// input: log-probabilities; target: probabilities (log-probabilities with log_target).
// Pointwise target * (log target - input), 0 where target = 0. kBatchMean: sum / N.
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options = {});

}  // namespace tg::nn::functional

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

// The reduction every loss takes (PyTorch's default: the mean), written once. L1,
// SmoothL1 and KLDiv are also built from one, as libtorch's: F::l1_loss(x, y, kSum).
template <class Self> class WithReduction {
 public:
  WithReduction(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}  // NOLINT: implicit, as libtorch
  Self& reduction(Reduction v) { reduction_ = v; return static_cast<Self&>(*this); }
  Reduction reduction() const { return reduction_; }

 private:
  Reduction reduction_;
};

// The target index that contributes nothing (PyTorch's default -100), written once for
// cross_entropy and nll_loss.
template <class Self> class WithIgnoreIndex {
 public:
  Self& ignore_index(int64_t v) { ignore_index_ = v; return static_cast<Self&>(*this); }
  int64_t ignore_index() const { return ignore_index_; }

 private:
  int64_t ignore_index_ = -100;
};

class CrossEntropyFuncOptions : public WithReduction<CrossEntropyFuncOptions>,
                                public WithIgnoreIndex<CrossEntropyFuncOptions> {
 public:
  CrossEntropyFuncOptions& label_smoothing(double v) { label_smoothing_ = v; return *this; }
  double label_smoothing() const { return label_smoothing_; }

 private:
  double label_smoothing_ = 0.0;
};

class NLLLossFuncOptions : public WithReduction<NLLLossFuncOptions>, public WithIgnoreIndex<NLLLossFuncOptions> {};

class BinaryCrossEntropyFuncOptions : public WithReduction<BinaryCrossEntropyFuncOptions> {
 public:
  BinaryCrossEntropyFuncOptions& weight(Tensor v) { weight_ = std::move(v); return *this; }
  const Tensor& weight() const { return weight_; }

 private:
  Tensor weight_;  // undefined: every element weighs 1; otherwise broadcast to the input
};

class L1LossFuncOptions : public WithReduction<L1LossFuncOptions> {
 public:
  using WithReduction::WithReduction;
};

class SmoothL1LossFuncOptions : public WithReduction<SmoothL1LossFuncOptions> {
 public:
  using WithReduction::WithReduction;
  SmoothL1LossFuncOptions& beta(double v) { beta_ = v; return *this; }
  double beta() const { return beta_; }

 private:
  double beta_ = 1.0;
};

// PyTorch's default reduction is the mean over elements; kBatchMean is the true KL.
class KLDivFuncOptions : public WithReduction<KLDivFuncOptions> {
 public:
  using WithReduction::WithReduction;
  KLDivFuncOptions& log_target(bool v) { log_target_ = v; return *this; }
  bool log_target() const { return log_target_; }

 private:
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

#pragma once
// Gradient clipping that accepts sparse gradients (torch.nn.utils.clip_grad_*).
//
//   double total = tg::nn::utils::clip_grad_norm_(model.parameters(), 1.0);
//   tg::nn::utils::clip_grad_value_(model.parameters(), 0.5);
#include <limits>
#include <vector>

#include "../core/tensor.h"

namespace tg::nn::utils {

// Scales every .grad in place by max_norm / (total + 1e-6) when that is below 1, where
// total is the norm_type-norm of all gradients together (inf: the largest magnitude).
// A sparse gradient's norm is taken after coalescing (duplicate rows summed), so it
// is the norm of the gradient it stands for. Returns total. Parameters without .grad
// are skipped. error_if_nonfinite: throw tg::Error when total is nan or inf.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
// Clamps every gradient element into [-clip_value, clip_value], in place. A sparse
// gradient is coalesced first, so the clamp applies to the summed rows.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

}  // namespace tg::nn::utils

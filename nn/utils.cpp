#include "utils.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "../core/elementwise.h"
#include "../core/layout.h"
#include "../core/sparse.h"

namespace tg::nn::utils {

namespace {

// The p-norm of a dense tensor's elements, accumulated in double.
double dense_norm(const Tensor& t, double p) {
  const std::vector<double> values = core::cast(t, kFloat64).to_vector<double>();
  double acc = 0;
  if (std::isinf(p)) {
    for (double v : values) acc = std::max(acc, std::abs(v));
    return acc;
  }
  for (double v : values) acc += std::pow(std::abs(v), p);
  return std::pow(acc, 1.0 / p);
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  std::vector<double> norms;
  for (const Tensor& g : grads) norms.push_back(dense_norm(g.is_sparse() ? g.coalesce().values() : g, norm_type));
  const double total = dense_norm(from_vector(norms), norm_type);
  if (error_if_nonfinite && !std::isfinite(total))
    throw Error(fmt::format("clip_grad_norm_: the total norm of order {} of the gradients is {}; expected a "
                            "finite value (pass error_if_nonfinite = false to clip anyway)", norm_type, total));
  const double clip_coef = max_norm / (total + 1e-6);
  if (clip_coef >= 1.0) return total;
  for (const Tensor& g : grads) {
    if (g.is_sparse()) {
      core::assign_sparse_(g, core::sparse_mul_scalar(g, clip_coef));
    } else {
      core::binary_into(core::BinaryOp::Mul, g, core::wrapped_scalar(clip_coef));
      g.bump_version();
    }
  }
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  for (const Tensor& p : parameters) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    if (g.is_sparse()) {
      const Tensor merged = g.coalesce();
      const Tensor clamped = core::clamp(merged.values(), -clip_value, clip_value);
      core::assign_sparse_(g, sparse_coo_tensor(merged.indices(), clamped, merged.sizes(), /*is_coalesced=*/true));
    } else {
      core::copy_into(g, core::clamp(g, -clip_value, clip_value));
      g.bump_version();
    }
  }
}

}  // namespace tg::nn::utils

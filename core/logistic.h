#pragma once
// The binary cross-entropy of logits in one pass (Note [fused logistic loss]): the
// kernel of F::binary_cross_entropy_with_logits (autograd/ops/logistic.cpp).
#include <cstdint>

namespace tg::core {

// For i < n: loss[i] = (1 - y[i]) x[i] + max(-x[i], 0) + log1p(exp(-|x[i]|)), the
// negative log-likelihood of label y[i] under sigmoid(x[i]); and, when slope is not
// null, slope[i] = sigmoid(x[i]) - y[i], its derivative in x[i]. Float runs a
// vectorised polynomial exp and log1p (the loss within 5 ulp), cloned for AVX2 and
// AVX-512; double calls libm.
void logistic_loss(const float* x, const float* y, float* loss, float* slope, int64_t n);
void logistic_loss(const double* x, const double* y, double* loss, double* slope, int64_t n);

// The sum of a[0 .. n), accumulated in double.
double sum_to_double(const float* a, int64_t n);
double sum_to_double(const double* a, int64_t n);

}  // namespace tg::core

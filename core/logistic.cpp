// Note [fused logistic loss]
// The binary cross-entropy of logit x and label y, (1 - y) x - log sigmoid(x), and its
// derivative share one exp(-|x|): with e = exp(-|x|) in (0, 1],
//   (1 - y) x - log sigmoid(x) = (max(x, 0) - x y) + log1p(e)
//   sigmoid(x)                 = (x >= 0 ? 1 : e) / (1 + e)
// neither of which overflows for any x. Written so, a label of 0 or 1 cancels nothing:
// PyTorch's (1 - y) x + max(-x, 0) + log1p(e) rounds x - x + e to 0 for y = 0 and
// x < -17 (float), where this keeps e. A composition of tensor ops (neg, logsigmoid, mul,
// add, then their backward nodes) takes six passes and as many temporaries; this takes
// one pass and writes the loss and the slope sigmoid(x) - y that the backward scales.
//
// The float loop is written without calls so that it vectorises: exp through
// 2^n * p(r), r = x - n ln 2 in [-ln2/2, ln2/2] (Cephes' expf polynomial), and, since
// e <= 1, log1p(e) = 2 atanh(s) with s = e / (2 + e) in (0, 1/3], an odd series in s
// whose terms fall by 9x each: no cancellation for small e, where log(1 + e) would round
// 1 + e. The loss stays within 5 ulp of its exact value (4 measured). exp(-|x|) underflows to 0
// below x = -87.3 (float's normal range): the loss is then exact and sigmoid(x) 0
// instead of a subnormal.
#include "logistic.h"

#include <bit>
#include <cmath>

#include "simd.h"

namespace tg::core {

namespace {

// exp(a) for a <= 0; 0 below -87.3, where the result would leave float's normal range.
TG_ALWAYS_INLINE float exp_nonpositive(float a) {
  const bool underflows = a < -87.3f;
  a = underflows ? -87.3f : a;
  // Round to nearest by adding 1.5 * 2^23 (no floor call: SSE2 has no vector floor).
  const float n = (a * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = a - n * 0.693359375f;       // ln 2 in two parts: n * hi is exact
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;  // 2^n, n in [-126, 0]
  return underflows ? 0.0f : p * std::bit_cast<float>(bits);
}

TG_ALWAYS_INLINE float log1p_unit(float e) {  // e in [0, 1]
  const float s = e / (2.0f + e), s2 = s * s;
  // 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...); s^2 <= 1/9, so ten terms reach 2^-24.
  float p = 2.0f / 19;
  p = p * s2 + 2.0f / 17;
  p = p * s2 + 2.0f / 15;
  p = p * s2 + 2.0f / 13;
  p = p * s2 + 2.0f / 11;
  p = p * s2 + 2.0f / 9;
  p = p * s2 + 2.0f / 7;
  p = p * s2 + 2.0f / 5;
  p = p * s2 + 2.0f / 3;
  return s * (p * s2 + 2.0f);
}

template <bool Slope>
TG_ALWAYS_INLINE void logistic_loop(const float* __restrict x, const float* __restrict y, float* __restrict loss,
                                    float* __restrict slope, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float e = exp_nonpositive(v < 0 ? v : -v);
    loss[i] = ((v > 0 ? v : 0.0f) - v * y[i]) + log1p_unit(e);
    if constexpr (Slope) slope[i] = (v >= 0 ? 1.0f : e) / (1.0f + e) - y[i];
  }
}

TG_ALWAYS_INLINE void logistic_body(const float* x, const float* y, float* loss, float* slope, int64_t n) {
  with_flags([&]<bool Slope>() TG_ALWAYS_INLINE_LAMBDA { logistic_loop<Slope>(x, y, loss, slope, n); },
             slope != nullptr);
}

TG_ALWAYS_INLINE void sum_body(const float* a, int64_t n, double* total) {
  // Eight lanes of double partial sums: vectorises without reassociating float adds.
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lane[j] += static_cast<double>(a[i + j]);
  double sum = 0;
  for (; i < n; ++i) sum += static_cast<double>(a[i]);
  for (int j = 0; j < 8; ++j) sum += lane[j];
  *total = sum;
}

}  // namespace

void logistic_loss(const float* x, const float* y, float* loss, float* slope, int64_t n) {
  vector_clones<logistic_body>(x, y, loss, slope, n);
}

void logistic_loss(const double* x, const double* y, double* loss, double* slope, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i], e = std::exp(-std::abs(v));
    loss[i] = ((v > 0 ? v : 0.0) - v * y[i]) + std::log1p(e);
    if (slope != nullptr) slope[i] = (v >= 0 ? 1.0 : e) / (1.0 + e) - y[i];
  }
}

double sum_to_double(const float* a, int64_t n) {
  double total = 0;
  vector_clones<sum_body>(a, n, &total);
  return total;
}

double sum_to_double(const double* a, int64_t n) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += a[i];
  return sum;
}

}  // namespace tg::core

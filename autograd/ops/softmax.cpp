// softmax and log_softmax along one dim, and their backward rules.
//
// Both subtract the slice's maximum before exponentiating: softmax(x) = softmax(x - c)
// for any c, and with c = max(x) every exponent is <= 0, so exp never overflows and
// the largest term is exactly 1, so the sum never underflows to 0.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "../../core/layout.h"
#include "recording.h"

namespace tg {

namespace {

// A contiguous tensor seen around dim as (outer, size, inner): the slice to normalise
// starts at o * size * inner + i and steps by inner.
struct Slices {
  int64_t outer = 1;
  int64_t size = 1;
  int64_t inner = 1;
};

template <class T> void softmax_kernel(const T* in, T* out, const Slices& s, bool take_log) {
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      const int64_t base = o * s.size * s.inner + i;
      T max = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < s.size; ++j) max = std::max(max, in[base + j * s.inner]);
      // Summed in double: a long slice of float terms keeps its precision.
      double sum = 0;
      for (int64_t j = 0; j < s.size; ++j) {
        const T e = std::exp(in[base + j * s.inner] - max);
        if (!take_log) out[base + j * s.inner] = e;
        sum += e;
      }
      if (take_log) {
        const T log_sum = static_cast<T>(std::log(sum));
        for (int64_t j = 0; j < s.size; ++j) out[base + j * s.inner] = in[base + j * s.inner] - max - log_sum;
      } else {
        const T scale = static_cast<T>(1.0 / sum);
        for (int64_t j = 0; j < s.size; ++j) out[base + j * s.inner] *= scale;
      }
    }
}

// The forward pass of both ops; returns the normalised dim through `dim`.
Tensor softmax_forward(const char* where, const Tensor& a, int64_t& dim, bool take_log) {
  core::check_dense(where, a);
  if (!a.is_floating_point())
    throw TypeError(fmt::format("{}: input has dtype {}; expected a floating dtype (convert with to())", where,
                                dtype_name(a.dtype())));
  dim = normalize_dim(where, dim, a.dim());
  Slices slices;
  if (a.dim() > 0) {
    for (int64_t d = 0; d < dim; ++d) slices.outer *= a.size(d);
    slices.size = a.size(dim);
    for (int64_t d = dim + 1; d < a.dim(); ++d) slices.inner *= a.size(d);
  }
  const Tensor in = core::contiguous(a);
  Tensor out = core::make_tensor(a.sizes(), a.dtype());
  if (out.numel() == 0) return out;
  dispatch_floating(a.dtype(), [&]<class T>() {
    softmax_kernel<T>(in.data_ptr<T>(), out.data_ptr<T>(), slices, take_log);
  });
  return out;
}

}  // namespace

// y = exp(x - max) / sum(exp(x - max)) along dim
Tensor softmax(const Tensor& a, int64_t dim) {
  Tensor out = softmax_forward("softmax", a, dim, /*take_log=*/false);
  if (!should_record({a})) return out;
  const SavedTensor y(out);
  return record("SoftmaxBackward0", out, {a}, [y, dim](const Tensor& grad) -> Gradients {
    // dy_j/dx_i = y_j (delta_ij - y_i), so grad_x = y * (grad - sum_j grad_j y_j)
    const Tensor& result = y.get();
    return {result * (grad - (grad * result).sum(dim, /*keepdim=*/true))};
  }, {.saved = {y}});
}

// y = x - max - log(sum(exp(x - max))) along dim
Tensor log_softmax(const Tensor& a, int64_t dim) {
  Tensor out = softmax_forward("log_softmax", a, dim, /*take_log=*/true);
  if (!should_record({a})) return out;
  const SavedTensor y(out);
  return record("LogSoftmaxBackward0", out, {a}, [y, dim](const Tensor& grad) -> Gradients {
    // dy_j/dx_i = delta_ij - softmax_i, so grad_x = grad - softmax * sum_j grad_j
    return {grad - y.get().exp() * grad.sum(dim, /*keepdim=*/true)};
  }, {.saved = {y}});
}

Tensor Tensor::softmax(int64_t dim) const { return tg::softmax(*this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return tg::log_softmax(*this, dim); }

}  // namespace tg

// Activations, dropout and layer norm as compositions of differentiable tensor ops:
// each backward is the chain of those ops' rules, so no rule of its own to get wrong.
#include "functional_layers.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

#include "../core/kernels.h"
#include "functional.h"

namespace tg::nn::functional {

namespace {

void check_defined(const char* where, const Tensor& input) {
  if (!input.defined()) throw Error(fmt::format("{}: got an undefined tensor; expected a defined input", where));
}

// Note [Dropout's mask]: 1 / (1 - p) where an element is kept, 0 where dropped, built in
// one pass. Each 64-bit draw of the seeded generator (randint over [0, 2^62) takes exactly
// one draw and returns its top 62 bits) gives two 31-bit uniforms u, and an element is
// kept when u < (1 - p) 2^31: half the draws of one rand() per element, with a finer
// resolution (2^-31) than a float32 uniform's (2^-24). A small model spends a good part
// of its step drawing these.
Tensor dropout_mask(const Shape& sizes, Dtype dtype, double p) {
  const Tensor mask = core::make_tensor(sizes, dtype);
  const int64_t n = mask.numel();
  const Tensor draws = tg::randint(0, int64_t{1} << 62, {(n + 1) / 2});
  const int64_t* bits = draws.data_ptr<int64_t>();
  const auto threshold = static_cast<uint64_t>(std::ldexp(1.0 - p, 31));
  dispatch_floating(dtype, [&]<class T>() {
    const T scale = static_cast<T>(1.0 / (1.0 - p));
    T* out = static_cast<T*>(mask.raw_data());
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t u = (static_cast<uint64_t>(bits[i / 2]) >> (31 * (i % 2))) & 0x7fffffffu;
      out[i] = u < threshold ? scale : T(0);
    }
  });
  return mask;
}

}  // namespace

Tensor relu(const Tensor& input) {
  check_defined("relu", input);
  return input.relu();
}

Tensor leaky_relu(const Tensor& input, const LeakyReLUFuncOptions& options) {
  check_defined("leaky_relu", input);
  return tg::where(input > 0, input, input * options.negative_slope());
}

Tensor sigmoid(const Tensor& input) {
  check_defined("sigmoid", input);
  return input.sigmoid();
}

Tensor tanh(const Tensor& input) {
  check_defined("tanh", input);
  return input.tanh();
}

Tensor silu(const Tensor& input) {
  check_defined("silu", input);
  return input * input.sigmoid();
}

Tensor gelu(const Tensor& input, const GELUFuncOptions& options) {
  check_defined("gelu", input);
  return input.gelu(options.approximate());
}

Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& options) {
  check_defined("softmax", input);
  return tg::softmax(input, options.dim());
}

Tensor dropout(const Tensor& input, const DropoutFuncOptions& options) {
  check_defined("dropout", input);
  const double p = options.p();
  if (!(p >= 0.0 && p <= 1.0))
    throw ValueError(fmt::format("dropout: p = {} is out of range; expected a probability in [0, 1]", p));
  if (p == 0.0 || !options.training() || input.numel() == 0) return input;
  if (!input.is_floating_point())
    throw TypeError(fmt::format("dropout: input has dtype {}; expected a floating dtype", dtype_name(input.dtype())));
  // p = 1 multiplies by zero rather than returning fresh zeros, so the result stays in
  // the graph and the input's gradient is zero, as in PyTorch.
  if (p == 1.0) return input * 0.0;
  return input * dropout_mask(input.sizes(), input.dtype(), p);
}

Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options) {
  check_defined("layer_norm", input);
  const std::vector<int64_t>& shape = options.normalized_shape();
  const int64_t k = static_cast<int64_t>(shape.size());
  auto fits = [&] {
    if (k == 0 || input.dim() < k) return false;
    for (int64_t i = 0; i < k; ++i)
      if (input.size(input.dim() - k + i) != shape[static_cast<size_t>(i)]) return false;
    return true;
  };
  if (!fits())
    throw ValueError(fmt::format("layer_norm: input of shape {} does not end in normalized_shape = {}; expected an "
                                 "input of shape [*, {}]",
                                 shape_string(input.sizes()), shape_string(shape),
                                 shape_string(shape).substr(1, shape_string(shape).size() - 2)));
  auto check_affine = [&](const char* what, const Tensor& t) {
    if (t.defined() && t.sizes() != shape)
      throw ValueError(fmt::format("layer_norm: {} has shape {}; expected normalized_shape {}", what,
                                   shape_string(t.sizes()), shape_string(shape)));
  };
  check_affine("weight", options.weight());
  check_affine("bias", options.bias());
  if (!input.is_floating_point())
    throw TypeError(fmt::format("layer_norm: input has dtype {}; expected a floating dtype",
                                dtype_name(input.dtype())));
  Shape dims;
  for (int64_t i = input.dim() - k; i < input.dim(); ++i) dims.push_back(i);
  const Tensor centered = input - input.mean(dims, /*keepdim=*/true);
  // The biased variance (divided by the count), as PyTorch's layer norm.
  const Tensor var = (centered * centered).mean(dims, /*keepdim=*/true);
  Tensor out = centered / (var + options.eps()).sqrt();
  if (options.weight().defined()) out = out * options.weight();
  if (options.bias().defined()) out = out + options.bias();
  return out;
}

}  // namespace tg::nn::functional

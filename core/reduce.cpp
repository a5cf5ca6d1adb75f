// Reduction kernels. Integer and bool sums accumulate in int64, as PyTorch's do;
// floating sums accumulate in double so that float32 reductions lose no precision
// to the order of addition.
#include <fmt/format.h>

#include <algorithm>

#include "kernels.h"
#include "loops.h"

namespace tg::core {

Tensor sum_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  check_dense("sum", t);
  const Dtype out_dtype = is_floating(t.dtype()) ? t.dtype() : kInt64;
  const int64_t ndim = t.dim();
  std::vector<bool> reduced(ndim, false);
  for (int64_t d : dims) reduced[d] = true;
  Shape kept_shape(ndim);
  for (int64_t d = 0; d < ndim; ++d) kept_shape[d] = reduced[d] ? 1 : t.size(d);
  Tensor out = make_tensor(kept_shape, out_dtype, /*zero=*/true);
  const Tensor in = cast(t, out_dtype);
  if (in.numel() > 0) {
    // Walk the input; the output's strides are 0 along reduced dims, so each input
    // element lands in its output slot.
    Shape out_strides = contiguous_strides(kept_shape);
    for (int64_t d = 0; d < ndim; ++d)
      if (reduced[d]) out_strides[d] = 0;
    dispatch(out_dtype, [&]<class T>() {
      using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
      const int64_t n_out = out.numel();
      std::vector<Acc> acc(n_out, Acc(0));
      StridedLoop<2> loop;
      loop.shape = in.sizes();
      const int64_t esize = sizeof(Acc);
      std::vector<int64_t> acc_strides(ndim);
      for (int64_t d = 0; d < ndim; ++d) acc_strides[d] = out_strides[d] * esize;
      loop.base = {reinterpret_cast<char*>(acc.data()), static_cast<char*>(in.raw_data())};
      loop.byte_strides = {acc_strides, broadcast_byte_strides(in, in.sizes())};
      loop.run([](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t count) {
        if (s[0] == 0) {
          Acc total = 0;
          for (int64_t i = 0; i < count; ++i) total += *reinterpret_cast<const T*>(p[1] + i * s[1]);
          *reinterpret_cast<Acc*>(p[0]) += total;
          return;
        }
        for (int64_t i = 0; i < count; ++i)
          *reinterpret_cast<Acc*>(p[0] + i * s[0]) += *reinterpret_cast<const T*>(p[1] + i * s[1]);
      });
      T* po = static_cast<T*>(out.raw_data());
      for (int64_t i = 0; i < n_out; ++i) po[i] = static_cast<T>(acc[i]);
    });
  }
  if (keepdim) return out;
  Shape squeezed;
  for (int64_t d = 0; d < ndim; ++d)
    if (!reduced[d]) squeezed.push_back(t.size(d));
  return with_shape(out, squeezed);
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
  if (t.sizes() == shape) return t;
  const int64_t lead = t.dim() - static_cast<int64_t>(shape.size());
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && t.size(d) != 1)) dims.push_back(d);
  Tensor summed = sum_dims(t, dims, /*keepdim=*/true);
  // Drop the leading dims that `shape` does not have; the rest already match.
  return with_shape(summed, shape);
}

}  // namespace tg::core

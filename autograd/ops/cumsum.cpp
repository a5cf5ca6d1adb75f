// cumsum: running sums along one dim, with the backward rule.
//
//   out[j] = in[0] + ... + in[j]  along dim
//   d/d in[k] = grad[k] + ... + grad[n-1]: the gradient summed from the far end
#include "../../core/cumsum.h"
#include "../../core/layout.h"
#include "recording.h"

namespace tg {

Tensor cumsum(const Tensor& self, int64_t dim, std::optional<Dtype> dtype) {
  core::check_dense("cumsum", self);
  dim = normalize_dim("cumsum", dim, self.dim());
  // Integer and bool inputs sum in int64 unless a dtype is given, as in PyTorch.
  const Dtype out_dtype = dtype ? *dtype : (self.is_floating_point() ? self.dtype() : kInt64);
  const Tensor out = core::cumsum(self, dim, out_dtype);
  if (!is_floating(out_dtype) || !should_record({self})) return out;
  return record("CumsumBackward0", out, {self}, [dim, in_dtype = self.dtype()](const Tensor& grad) -> Gradients {
    // Summed in the input's dtype, as PyTorch casts the gradient back before summing.
    return {core::cumsum(grad, dim, in_dtype, /*reverse=*/true)};
  });
}

Tensor Tensor::cumsum(int64_t dim, std::optional<Dtype> dtype) const { return tg::cumsum(*this, dim, dtype); }

}  // namespace tg

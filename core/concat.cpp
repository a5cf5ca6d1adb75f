// Concatenation: the kernel behind tg::cat, tg::stack and sparse addition.
#include <fmt/format.h>

#include "checked.h"
#include "concat.h"
#include "layout.h"

namespace tg::core {

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) throw ValueError("cat: got an empty list of tensors; expected at least one");
  const Tensor& first = tensors[0];
  check_dense("cat", first);
  dim = normalize_dim("cat", dim, first.dim());
  if (first.dim() == 0) throw ValueError("cat: zero-dimensional tensor (at position 0) cannot be concatenated");
  Dtype dtype = first.dtype();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    check_dense("cat", t);
    if (t.dim() != first.dim())
      throw ValueError(fmt::format("cat: tensors[{}] has {} dims but tensors[0] has {}; expected equal dims", i,
                                   t.dim(), first.dim()));
    for (int64_t d = 0; d < first.dim(); ++d)
      if (d != dim && t.size(d) != first.size(d))
        throw ValueError(fmt::format("cat: tensors[{}] has shape {} but tensors[0] has {}; expected equal sizes "
                                     "except in dim {}", i, shape_string(t.sizes()), shape_string(first.sizes()), dim));
    dtype = promote_types(dtype, t.dtype());
    if (!checked_add(total, t.size(dim), total))  // Note [Checked sizes]
      throw ValueError(fmt::format("cat: the sizes in dim {} add up to more than {} (at tensors[{}] of shape {}); "
                                   "expected a total that fits in int64", dim, kMaxSpan, i, shape_string(t.sizes())));
  }
  Shape out_shape = first.sizes();
  out_shape[dim] = total;
  Tensor out = make_tensor(out_shape, dtype);
  int64_t start = 0;
  for (const Tensor& t : tensors) {
    const int64_t length = t.size(dim);
    if (length > 0) {
      Shape strides = out.strides();
      copy_into(as_strided(out, t.sizes(), strides, start * strides[dim]), t);
    }
    start += length;
  }
  return out;
}

}  // namespace tg::core

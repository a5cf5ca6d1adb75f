// sort, argsort and topk (core/sort.cpp's kernels) and their backward rule: the
// gradient of the values goes back to the positions the indices name.
#include <fmt/format.h>

#include "../../core/layout.h"
#include "../../core/sort.h"
#include "../node.h"

namespace tg {

using autograd::Gradients;
using autograd::record;
using autograd::SavedTensor;
using autograd::should_record;

namespace {

// The values' history: each element of grad lands where its index came from, and
// every position no index names (topk's dropped ones) gets 0.
std::tuple<Tensor, Tensor> record_rearranged(const char* name, const Tensor& x, std::pair<Tensor, Tensor> result,
                                             int64_t dim) {
  auto [values, indices] = std::move(result);
  if (!should_record({x})) return {values, indices};
  const SavedTensor index(indices);
  values = record(name, values, {x}, [index, dim, in_shape = x.sizes()](const Tensor& grad) -> Gradients {
    return {core::scatter_slices(grad, index.get(), dim, in_shape)};
  }, {.saved = {index}});
  return {values, indices};
}

std::tuple<Tensor, Tensor> sort_op(const Tensor& x, std::optional<bool> stable, int64_t d, bool descending) {
  core::check_defined("sort", x);
  core::check_dense("sort", x);
  const int64_t dim = normalize_dim("sort", d, x.dim());
  return record_rearranged("SortBackward0", x, core::sort(x, dim, descending, stable.value_or(false)), dim);
}

}  // namespace

std::tuple<Tensor, Tensor> Tensor::sort(int64_t dim, bool descending) const {
  return sort_op(*this, std::nullopt, dim, descending);
}

std::tuple<Tensor, Tensor> Tensor::sort(std::optional<bool> stable, int64_t dim, bool descending) const {
  return sort_op(*this, stable, dim, descending);
}

Tensor Tensor::argsort(int64_t dim, bool descending) const {
  NoGradGuard no_grad;  // indices only: never differentiable
  return std::get<1>(sort_op(*this, std::nullopt, dim, descending));
}

Tensor Tensor::argsort(bool stable, int64_t dim, bool descending) const {
  NoGradGuard no_grad;
  return std::get<1>(sort_op(*this, stable, dim, descending));
}

std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t d, bool largest, bool sorted) const {
  core::check_defined("topk", *this);
  core::check_dense("topk", *this);
  if (dtype() == kBool)
    throw TypeError("topk: input dtype is torch.bool; expected a numeric dtype (PyTorch has no bool topk)");
  const int64_t dim = normalize_dim("topk", d, this->dim());
  const int64_t size = this->dim() == 0 ? 1 : this->size(dim);
  if (k < 0 || k > size)
    throw ValueError(fmt::format("topk: k = {} is out of range for dim {} of size {}; expected 0 <= k <= {}", k, d,
                                 size, size));
  // A 0-d tensor is its own top-k, for k = 0 too: PyTorch copies it whole.
  const int64_t kept = this->dim() == 0 ? 1 : k;
  return record_rearranged("TopkBackward0", *this, core::topk(*this, kept, dim, largest, sorted), dim);
}

std::tuple<Tensor, Tensor> sort(const Tensor& a, int64_t dim, bool descending) { return a.sort(dim, descending); }

Tensor argsort(const Tensor& a, int64_t dim, bool descending) { return a.argsort(dim, descending); }

std::tuple<Tensor, Tensor> topk(const Tensor& a, int64_t k, int64_t dim, bool largest, bool sorted) {
  return a.topk(k, dim, largest, sorted);
}

}  // namespace tg

// Indexing along a dim and joining tensors: index_select, index_add_, cat, stack, with
// their backward rules. index_select and index_add are each other's adjoint: the
// gradient of a gather is a scatter-add of the gradient, and the other way round.
//
// Shapes: N indices; a 0-d input or source is treated as a 1-element vector.
#include <fmt/format.h>

#include "../../core/concat.h"
#include "../../core/index.h"
#include "../../core/layout.h"
#include "../meta.h"
#include "recording.h"
#include "inplace.h"

namespace tg {

namespace {

// Every index check goes through here, so the wording is the same for both ops.
void check_index(const char* where, const Tensor& index, int64_t size, int64_t dim) {
  core::check_dense(where, index);
  if (index.dtype() != kInt64 && index.dtype() != kInt32)
    throw TypeError(fmt::format("{}: index has dtype {}; expected torch.int64 or torch.int32", where,
                                dtype_name(index.dtype())));
  if (index.dim() > 1)
    throw ValueError(fmt::format("{}: index has shape {}; expected a 1-d (or 0-d) index", where,
                                 shape_string(index.sizes())));
  // Read in place: a copy of the indices would cost as much as the check.
  const Tensor flat = core::contiguous(index);
  dispatch_index(flat.dtype(), [&]<class I>() {
    const I* values = static_cast<const I*>(flat.raw_data());
    for (int64_t i = 0; i < flat.numel(); ++i)
      if (values[i] < 0 || values[i] >= size)
        throw IndexError(fmt::format("{}: index[{}] = {} is out of range for dim {} of size {}; expected [0, {})",
                                     where, i, static_cast<int64_t>(values[i]), dim, size, size));
  });
}

}  // namespace

// a: (..., S, ...) with S at dim; result: (..., N, ...)
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index) {
  core::check_dense("index_select", a);
  dim = normalize_dim("index_select", dim, a.dim());
  const Tensor self = core::as_vector_if_scalar(a);
  check_index("index_select", index, self.size(dim), dim);
  if (a.dim() == 0 && index.numel() != 1)
    throw ValueError(fmt::format("index_select: the input is 0-d, so index must hold one element; got {}",
                                 index.numel()));
  const Tensor flat_index = core::as_vector_if_scalar(index);
  Tensor out = core::index_select(self, dim, flat_index);
  if (a.dim() == 0) out = core::with_shape(out, {});
  if (!should_record({a})) return out;
  const SavedTensor saved_index(flat_index);
  return record("IndexSelectBackward0", out, {a},
                [self_shape = self.sizes(), in_shape = a.sizes(), dim, saved_index](const Tensor& grad) -> Gradients {
                  // Rows picked twice receive both gradients: a scatter-add into zeros.
                  Tensor grad_input = zeros(self_shape, grad.dtype());
                  core::index_add_into(grad_input, dim, saved_index.get(), grad, 1.0);
                  return {core::with_shape(grad_input, in_shape)};
                }, {.saved = {saved_index}});
}

Tensor Tensor::index_select(int64_t dim, const Tensor& index) const { return tg::index_select(*this, dim, index); }

// self: (..., S, ...); source: (..., N, ...) with N at dim; self[..., index[i], ...] += alpha * source[..., i, ...]
Tensor& Tensor::index_add_(int64_t dim, const Tensor& index, const Tensor& source, double alpha) {
  autograd::check_inplace("index_add_", *this);
  core::check_dense("index_add_", source);
  if (source.dtype() != dtype())
    throw TypeError(fmt::format("index_add_: self has dtype {} but source has dtype {}; expected the same dtype",
                                dtype_name(dtype()), dtype_name(source.dtype())));
  dim = normalize_dim("index_add_", dim, this->dim());
  const Tensor self_vec = core::as_vector_if_scalar(*this);
  const Tensor source_vec = core::as_vector_if_scalar(source);
  check_index("index_add_", index, self_vec.size(dim), dim);
  const Tensor flat_index = core::as_vector_if_scalar(index);
  bool shapes_match = source_vec.dim() == self_vec.dim() && source_vec.size(dim) == flat_index.numel();
  for (int64_t d = 0; shapes_match && d < self_vec.dim(); ++d)
    shapes_match = d == dim || source_vec.size(d) == self_vec.size(d);
  if (!shapes_match)
    throw ValueError(fmt::format("index_add_: source has shape {} for self of shape {} and {} indices along dim {}; "
                                 "expected self's shape with size {} at dim {}", shape_string(source.sizes()),
                                 shape_string(sizes()), flat_index.numel(), dim, flat_index.numel(), dim));

  if (!should_record({*this, source})) {
    core::index_add_into(self_vec, dim, flat_index, source_vec, alpha);
    bump_version();
    return *this;
  }
  // Recorded: compute out of place from a clone of the old value, then adopt the result.
  const Tensor old = clone();
  Tensor result = core::clone(old);
  core::index_add_into(core::as_vector_if_scalar(result), dim, flat_index, source_vec, alpha);
  const bool need_source = source.requires_grad();
  const SavedTensor saved_index(flat_index);
  record("IndexAddBackward0", result, {old, source},
         [dim, alpha, need_source, source_shape = source.sizes(), saved_index](const Tensor& grad) -> Gradients {
           // d/d self = identity; d/d source[i] = alpha * grad[index[i]] (a gather)
           Tensor grad_source;
           if (need_source) {
             grad_source = core::with_shape(core::index_select(core::as_vector_if_scalar(grad), dim, saved_index.get()),
                                            source_shape);
             if (alpha != 1.0) grad_source = grad_source * alpha;
           }
           return {grad, grad_source};
         }, {.saved = {saved_index}});
  return autograd::adopt("index_add_", *this, result);
}

// Joins along an existing dim; each input's gradient is its slice of grad_out.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  Tensor out = core::cat(tensors, dim);  // validates shapes, dims and dtypes
  if (!autograd::should_record(tensors)) return out;
  dim = normalize_dim("cat", dim, tensors[0].dim());
  std::vector<int64_t> lengths;
  std::vector<bool> needs;
  for (const Tensor& t : tensors) {
    lengths.push_back(t.size(dim));
    needs.push_back(t.requires_grad());
  }
  return record("CatBackward0", out, tensors, [dim, lengths, needs](const Tensor& grad) -> Gradients {
    Gradients grads;
    int64_t start = 0;
    for (size_t i = 0; i < lengths.size(); ++i) {
      grads.push_back(needs[i] ? grad.narrow(dim, start, lengths[i]) : Tensor());
      start += lengths[i];
    }
    return grads;
  });
}

// Joins along a new dim: cat of the inputs, each seen with a size-1 dim inserted.
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) throw ValueError("stack: got an empty list of tensors; expected at least one");
  std::vector<Tensor> unsqueezed;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    core::check_dense("stack", t);
    if (t.sizes() != tensors[0].sizes())
      throw ValueError(fmt::format("stack: tensors[{}] has shape {} but tensors[0] has shape {}; expected equal "
                                   "shapes", i, shape_string(t.sizes()), shape_string(tensors[0].sizes())));
  }
  dim = normalize_dim("stack", dim, tensors[0].dim() + 1);
  for (const Tensor& t : tensors) {
    Shape sizes = t.sizes(), strides = t.strides();
    sizes.insert(sizes.begin() + dim, 1);
    strides.insert(strides.begin() + dim, 1);  // never stepped along: the dim has size 1
    unsqueezed.push_back(core::as_strided(t, sizes, strides, t.storage_offset()));
  }
  Tensor out = core::cat(unsqueezed, dim);
  if (!autograd::should_record(tensors)) return out;
  std::vector<bool> needs;
  for (const Tensor& t : tensors) needs.push_back(t.requires_grad());
  return record("StackBackward0", out, tensors, [dim, needs](const Tensor& grad) -> Gradients {
    Gradients grads;
    for (size_t i = 0; i < needs.size(); ++i) grads.push_back(needs[i] ? grad.select(dim, i) : Tensor());
    return grads;
  });
}

}  // namespace tg

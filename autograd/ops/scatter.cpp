// gather and scatter_add along one dim, elementwise, with their backward rules, and
// one_hot. gather and scatter_add are each other's adjoint: the gradient of a gather
// is a scatter-add of the gradient into zeros, and a scatter-add's gradient for src
// is a gather of the gradient.
//
// Shapes, for dim 0 of 2-d tensors (every other dim works the same way):
//   gather:       out[i][j] = self[index[i][j]][j]          out has index's shape
//   scatter_add:  out = self; out[index[i][j]][j] += src[i][j]
// self, index and src have the same number of dims; index may be smaller than self
// in every dim but `dim`, and smaller than src in every dim. A 0-d tensor counts as a
// 1-element vector, as in PyTorch.
#include <algorithm>

#include <fmt/format.h>

#include "../../core/layout.h"
#include "../../core/scatter.h"
#include "inplace.h"
#include "recording.h"

namespace tg {

namespace {

// "[1, 2]": the position of element `flat` (row-major) of a tensor of shape `sizes`;
// "" for a 0-d tensor.
std::string position_string(const Shape& sizes, int64_t flat) {
  if (sizes.empty()) return "";
  Shape position(sizes.size());
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    position[d] = flat % sizes[d];
    flat /= sizes[d];
  }
  return shape_string(position);
}

void check_index_dtype(const char* where, const Tensor& index) {
  core::check_dense(where, index);
  if (index.dtype() != kInt64 && index.dtype() != kInt32)
    throw TypeError(fmt::format("{}: index has dtype {}; expected torch.int64 or torch.int32", where,
                                dtype_name(index.dtype())));
}

void check_same_dims(const char* where, const char* name, const Tensor& t, const Tensor& index) {
  if (std::max<int64_t>(t.dim(), 1) != std::max<int64_t>(index.dim(), 1))
    throw ValueError(fmt::format("{}: index has {} dims (shape {}) but {} has {} (shape {}); expected the same "
                                 "number of dims", where, index.dim(), shape_string(index.sizes()), name, t.dim(),
                                 shape_string(t.sizes())));
}

// index.size(d) <= t.size(d) for every d except `free_dim` (-1: every d).
void check_fits(const char* where, const Tensor& index, const char* name, const Tensor& t, int64_t free_dim) {
  for (int64_t d = 0; d < index.dim(); ++d) {
    if (d == free_dim || index.size(d) <= t.size(d)) continue;
    const std::string which = free_dim < 0 ? "every dim d" : fmt::format("every dim d != {}", free_dim);
    throw ValueError(fmt::format("{}: index.size({}) = {} is larger than {}.size({}) = {}; expected "
                                 "index.size(d) <= {}.size(d) for {} (index shape {}, {} shape {})",
                                 where, d, index.size(d), name, d, t.size(d), name, which,
                                 shape_string(index.sizes()), name, shape_string(t.sizes())));
  }
}

void check_index_values(const char* where, const Tensor& index, int64_t size, int64_t dim) {
  const std::vector<int64_t> values = core::cast(index, kInt64).to_vector<int64_t>();
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] < 0 || values[i] >= size)
      throw IndexError(fmt::format("{}: index{} = {} is out of range for dim {} of size {}; expected [0, {})", where,
                                   position_string(index.sizes(), static_cast<int64_t>(i)), values[i], dim, size,
                                   size));
}

// The checks scatter_add and scatter_add_ share; returns dim normalised.
int64_t check_scatter(const char* where, const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  core::check_dense(where, self);
  core::check_dense(where, src);
  check_index_dtype(where, index);
  if (src.dtype() != self.dtype())
    throw TypeError(fmt::format("{}: src has dtype {} but self has dtype {}; expected the same dtype", where,
                                dtype_name(src.dtype()), dtype_name(self.dtype())));
  dim = normalize_dim(where, dim, self.dim());
  check_same_dims(where, "self", self, index);
  check_same_dims(where, "src", src, index);
  const Tensor at = core::as_vector_if_scalar(index);
  if (at.numel() == 0) return dim;  // nothing is read or written, as PyTorch skips the size checks
  check_fits(where, at, "self", core::as_vector_if_scalar(self), dim);
  check_fits(where, at, "src", core::as_vector_if_scalar(src), -1);
  check_index_values(where, at, core::as_vector_if_scalar(self).size(dim), dim);
  return dim;
}

// Note [scatter_add's src gradient]
// src[p] reaches out[p with p[dim] = index[p]], so its gradient is grad gathered by
// index. Elements of src outside index's shape (src may be larger) reach nothing and
// get 0. PyTorch 1.13 returns the gathered gradient unpadded and its engine then
// rejects the shape; the padded one is the true derivative.
Tensor src_gradient(const Tensor& grad, int64_t dim, const Tensor& index, const Shape& src_shape) {
  const Tensor picked = core::gather(core::as_vector_if_scalar(grad), dim, index);
  const Shape vector_shape = src_shape.empty() ? Shape{1} : src_shape;
  if (picked.sizes() == vector_shape) return core::with_shape(picked, src_shape);
  const Tensor padded = zeros(vector_shape, grad.dtype());
  core::copy_into(core::as_strided(padded, picked.sizes(), padded.strides(), 0), picked);
  return core::with_shape(padded, src_shape);
}

}  // namespace

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index) {
  const char* where = "gather";
  core::check_dense(where, self);
  check_index_dtype(where, index);
  dim = normalize_dim(where, dim, self.dim());
  check_same_dims(where, "self", self, index);
  const Tensor source = core::as_vector_if_scalar(self), at = core::as_vector_if_scalar(index);
  if (at.numel() != 0) {
    check_fits(where, at, "self", source, dim);
    check_index_values(where, at, source.size(dim), dim);
  }
  const Tensor out = core::with_shape(core::gather(source, dim, at), index.sizes());
  if (!should_record({self})) return out;
  const SavedTensor saved_index(at);
  return record("GatherBackward0", out, {self},
                [self_shape = source.sizes(), in_shape = self.sizes(), dim, saved_index](const Tensor& grad)
                    -> Gradients {
                  // Elements picked twice receive both gradients: a scatter-add into zeros.
                  const Tensor grad_self = zeros(self_shape, grad.dtype());
                  core::scatter_add_into(grad_self, dim, saved_index.get(), core::as_vector_if_scalar(grad));
                  return {core::with_shape(grad_self, in_shape)};
                }, {.saved = {saved_index}});
}

Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  dim = check_scatter("scatter_add", self, dim, index, src);
  const Tensor out = core::clone(self);
  const Tensor at = core::as_vector_if_scalar(index);
  core::scatter_add_into(core::as_vector_if_scalar(out), dim, at, core::as_vector_if_scalar(src));
  if (!should_record({self, src})) return out;
  const bool need_src = src.requires_grad();
  const SavedTensor saved_index(at);
  return record("ScatterAddBackward0", out, {self, src},
                [dim, need_src, src_shape = src.sizes(), saved_index](const Tensor& grad) -> Gradients {
                  // d/d self = identity; d/d src: Note [scatter_add's src gradient]
                  Tensor grad_src;
                  if (need_src) grad_src = src_gradient(grad, dim, saved_index.get(), src_shape);
                  return {grad, grad_src};
                }, {.saved = {saved_index}});
}

Tensor Tensor::gather(int64_t dim, const Tensor& index) const { return tg::gather(*this, dim, index); }

Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return tg::scatter_add(*this, dim, index, src);
}

Tensor& Tensor::scatter_add_(int64_t dim, const Tensor& index, const Tensor& src) {
  dim = check_scatter("scatter_add_", *this, dim, index, src);
  return autograd::inplace(
      "scatter_add_", *this, should_record({*this, src}),
      [&](const Tensor& old) { return tg::scatter_add(old, dim, index, src); },
      [&] {
        core::check_no_internal_overlap("scatter_add_", *this);
        core::scatter_add_into(core::as_vector_if_scalar(*this), dim, core::as_vector_if_scalar(index), core::as_vector_if_scalar(src));
      });
}

// Not differentiable: the result is int64. num_classes = -1 takes the largest class + 1.
Tensor one_hot(const Tensor& index, int64_t num_classes) {
  const char* where = "one_hot";
  check_index_dtype(where, index);
  if (num_classes < -1)
    throw ValueError(fmt::format("{}: num_classes = {}; expected -1 (the largest class + 1) or a count >= 0", where,
                                 num_classes));
  const std::vector<int64_t> values = core::cast(index, kInt64).to_vector<int64_t>();
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] < 0)
      throw IndexError(fmt::format("{}: index{} = {} is a negative class; expected classes >= 0", where,
                                   position_string(index.sizes(), static_cast<int64_t>(i)), values[i]));
  if (num_classes == -1) {
    if (values.empty())
      throw ValueError(fmt::format("{}: num_classes = -1 asks to infer the count from the largest class, but index "
                                   "(shape {}) is empty; expected num_classes >= 0 for an empty index", where,
                                   shape_string(index.sizes())));
    num_classes = *std::max_element(values.begin(), values.end()) + 1;
  }
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] >= num_classes)
      throw IndexError(fmt::format("{}: index{} = {} is out of range for num_classes = {}; expected a class in "
                                   "[0, {})", where, position_string(index.sizes(), static_cast<int64_t>(i)),
                                   values[i], num_classes, num_classes));
  return core::one_hot(index, num_classes);
}

}  // namespace tg

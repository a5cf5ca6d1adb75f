// View ops: new sizes and strides over the same storage, so writing through a view
// changes its base. Each backward maps the gradient of the view back to the base's
// shape.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "../../core/checked.h"
#include "../../core/layout.h"
#include "../../core/reduce.h"
#include "../node.h"

namespace tg {

using autograd::Gradients;
using autograd::record;
using autograd::should_record;

namespace {

void check_view_input(const char* where, const Tensor& t) { core::check_dense(where, t); }

// Resolves one -1 in `shape` so that it holds numel elements.
Shape infer_shape(const char* where, Shape shape, int64_t numel) {
  int64_t known = 1;
  std::optional<size_t> infer_at;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer_at)
        throw ValueError(fmt::format("{}: shape {} has more than one -1; expected at most one inferred dim",
                                     where, shape_string(shape)));
      infer_at = i;
    } else if (shape[i] < 0) {
      throw ValueError(fmt::format("{}: shape {} has size {} at dim {}; expected sizes >= 0 or one -1", where,
                                   shape_string(shape), shape[i], i));
    } else if (!core::checked_mul(known, shape[i], known)) {
      // Note [Checked sizes]: a product past int64 cannot equal any tensor's numel.
      throw ValueError(fmt::format("{}: shape {} is invalid for input of size {}: the product of its sizes "
                                   "exceeds {}", where, shape_string(shape), numel, core::kMaxSpan));
    }
  }
  if (infer_at) {
    if (known == 0 || numel % known != 0)
      throw ValueError(fmt::format("{}: shape {} is invalid for input of size {}", where, shape_string(shape), numel));
    shape[*infer_at] = numel / known;
  } else if (known != numel) {
    throw ValueError(fmt::format("{}: shape {} is invalid for input of size {}; expected {} elements", where,
                                 shape_string(shape), numel, numel));
  }
  return shape;
}

// The strides that let `new_shape` view memory laid out as (old_shape, old_strides),
// or nothing if a copy is needed. Dims are grouped into chunks that are contiguous
// among themselves; a view may split or merge dims only within a chunk.
std::optional<Shape> view_strides(const Shape& old_shape, const Shape& old_strides, const Shape& new_shape) {
  Shape new_strides(new_shape.size());
  // A 0-d tensor has no dims to walk; its one element views as any all-ones shape.
  if (core::numel_of(old_shape) == 0 || old_shape.empty()) return core::contiguous_strides(new_shape);
  int64_t view_d = static_cast<int64_t>(new_shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.empty() ? 1 : old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    if (d == 0 || (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
        new_strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

Tensor view_of(const Tensor& t, Shape sizes, Shape strides, int64_t offset) {
  return core::as_strided(t, std::move(sizes), std::move(strides), offset);
}

}  // namespace

Tensor Tensor::view(Shape shape) const {
  check_view_input("view", *this);
  shape = infer_shape("view", std::move(shape), numel());
  std::optional<Shape> strides = view_strides(sizes(), this->strides(), shape);
  if (!strides)
    throw ValueError(fmt::format("view: size {} is not compatible with the input's size {} and stride {} (at "
                                 "least one dim spans two contiguous subspaces); use reshape() instead",
                                 shape_string(shape), shape_string(sizes()), shape_string(this->strides())));
  Tensor out = view_of(*this, shape, *strides, storage_offset());
  if (!should_record({*this})) return out;
  return record("ViewBackward0", out, {*this},
                [in_shape = sizes()](const Tensor& grad) -> Gradients { return {grad.reshape(in_shape)}; });
}

Tensor Tensor::reshape(Shape shape) const {
  check_view_input("reshape", *this);
  shape = infer_shape("reshape", std::move(shape), numel());
  if (view_strides(sizes(), strides(), shape)) return view(shape);
  return contiguous().view(shape);
}

Tensor Tensor::flatten() const { return reshape({-1}); }

Tensor Tensor::unsqueeze(int64_t d) const {
  check_view_input("unsqueeze", *this);
  d = normalize_dim("unsqueeze", d, dim() + 1);
  Shape new_sizes = sizes(), new_strides = strides();
  const int64_t stride = d < dim() ? new_sizes[d] * new_strides[d] : 1;
  new_sizes.insert(new_sizes.begin() + d, 1);
  new_strides.insert(new_strides.begin() + d, stride);
  Tensor out = view_of(*this, new_sizes, new_strides, storage_offset());
  if (!should_record({*this})) return out;
  return record("UnsqueezeBackward0", out, {*this},
                [d](const Tensor& grad) -> Gradients { return {grad.squeeze(d)}; });
}

Tensor Tensor::squeeze() const {
  check_view_input("squeeze", *this);
  Shape new_sizes, new_strides;
  for (int64_t d = 0; d < dim(); ++d)
    if (sizes()[d] != 1) {
      new_sizes.push_back(sizes()[d]);
      new_strides.push_back(strides()[d]);
    }
  Tensor out = view_of(*this, new_sizes, new_strides, storage_offset());
  if (!should_record({*this})) return out;
  return record("SqueezeBackward0", out, {*this},
                [in_shape = sizes()](const Tensor& grad) -> Gradients { return {grad.reshape(in_shape)}; });
}

Tensor Tensor::squeeze(int64_t d) const {
  check_view_input("squeeze", *this);
  d = normalize_dim("squeeze", d, dim());
  // PyTorch: squeezing a dim whose size is not 1 is a no-op (still SqueezeBackward1).
  const bool squeezes = dim() > 0 && sizes()[d] == 1;
  Shape new_sizes = sizes(), new_strides = strides();
  if (squeezes) {
    new_sizes.erase(new_sizes.begin() + d);
    new_strides.erase(new_strides.begin() + d);
  }
  Tensor out = view_of(*this, new_sizes, new_strides, storage_offset());
  if (!should_record({*this})) return out;
  return record("SqueezeBackward1", out, {*this},
                [d, squeezes](const Tensor& grad) -> Gradients { return {squeezes ? grad.unsqueeze(d) : grad}; });
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  check_view_input("transpose", *this);
  dim0 = normalize_dim("transpose", dim0, dim());
  dim1 = normalize_dim("transpose", dim1, dim());
  Shape new_sizes = sizes(), new_strides = strides();
  if (dim() > 0) {
    std::swap(new_sizes[dim0], new_sizes[dim1]);
    std::swap(new_strides[dim0], new_strides[dim1]);
  }
  Tensor out = view_of(*this, new_sizes, new_strides, storage_offset());
  if (!should_record({*this})) return out;
  return record("TransposeBackward0", out, {*this},
                [dim0, dim1](const Tensor& grad) -> Gradients { return {grad.transpose(dim0, dim1)}; });
}

Tensor Tensor::t() const {
  check_view_input("t", *this);
  if (dim() > 2)
    throw ValueError(fmt::format("t: the tensor is {}-d; expected a tensor with <= 2 dims (use transpose)", dim()));
  // 0-d and 1-d tensors are their own transpose (still TBackward0, as in PyTorch).
  Tensor out = dim() < 2 ? view_of(*this, sizes(), strides(), storage_offset())
                         : view_of(*this, {sizes()[1], sizes()[0]}, {strides()[1], strides()[0]}, storage_offset());
  if (!should_record({*this})) return out;
  return record("TBackward0", out, {*this}, [](const Tensor& grad) -> Gradients { return {grad.t()}; });
}

Tensor Tensor::permute(Shape dims) const {
  check_view_input("permute", *this);
  if (static_cast<int64_t>(dims.size()) != dim())
    throw ValueError(fmt::format("permute: got {} dims {} for a {}-d tensor; expected one entry per dim",
                                 dims.size(), shape_string(dims), dim()));
  Shape new_sizes(dim()), new_strides(dim()), inverse(dim());
  std::vector<bool> seen(dim(), false);
  for (int64_t i = 0; i < dim(); ++i) {
    const int64_t d = normalize_dim("permute", dims[i], dim());
    if (seen[d]) throw ValueError(fmt::format("permute: dim {} appears twice in {}; expected a permutation", d,
                                              shape_string(dims)));
    seen[d] = true;
    new_sizes[i] = sizes()[d];
    new_strides[i] = strides()[d];
    inverse[d] = i;
  }
  Tensor out = view_of(*this, new_sizes, new_strides, storage_offset());
  if (!should_record({*this})) return out;
  return record("PermuteBackward0", out, {*this},
                [inverse](const Tensor& grad) -> Gradients { return {grad.permute(inverse)}; });
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  check_view_input("select", *this);
  if (dim() == 0) throw IndexError("select: the tensor is 0-d; expected a tensor with at least one dim");
  d = normalize_dim("select", d, dim());
  index = normalize_index("select", index, sizes()[d], d);
  Shape new_sizes = sizes(), new_strides = strides();
  const int64_t offset = storage_offset() + index * new_strides[d];
  new_sizes.erase(new_sizes.begin() + d);
  new_strides.erase(new_strides.begin() + d);
  Tensor out = view_of(*this, new_sizes, new_strides, offset);
  if (!should_record({*this})) return out;
  return record("SelectBackward0", out, {*this}, [in_shape = sizes(), d, index](const Tensor& grad) -> Gradients {
    Tensor grad_input = zeros(in_shape, grad.dtype());
    core::copy_into(grad_input.select(d, index), grad);
    return {grad_input};
  });
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  check_view_input("narrow", *this);
  if (dim() == 0) throw IndexError("narrow: the tensor is 0-d; expected a tensor with at least one dim");
  d = normalize_dim("narrow", d, dim());
  const int64_t size = sizes()[d];
  if (start < 0) start += size;
  if (start < 0 || length < 0 || start + length > size)
    throw IndexError(fmt::format("narrow: start {} and length {} exceed dim {} of size {}; expected "
                                 "0 <= start <= start + length <= {}", start, length, d, size, size));
  Shape new_sizes = sizes();
  new_sizes[d] = length;
  Tensor out = view_of(*this, new_sizes, strides(), storage_offset() + start * strides()[d]);
  if (!should_record({*this})) return out;
  return record("SliceBackward0", out, {*this}, [in_shape = sizes(), d, start, length](const Tensor& grad) -> Gradients {
    Tensor grad_input = zeros(in_shape, grad.dtype());
    core::copy_into(grad_input.narrow(d, start, length), grad);
    return {grad_input};
  });
}

Tensor Tensor::expand(Shape target) const {
  check_view_input("expand", *this);
  if (target.size() < sizes().size())
    throw ValueError(fmt::format("expand: the target shape {} has fewer dims than the tensor's {}",
                                 shape_string(target), shape_string(sizes())));
  const size_t lead = target.size() - sizes().size();
  Shape new_strides(target.size(), 0);
  for (size_t i = 0; i < target.size(); ++i) {
    if (i < lead) {
      if (target[i] == -1)
        throw ValueError(fmt::format("expand: -1 is not allowed in a leading, new dim ({} in {})", i,
                                     shape_string(target)));
    } else if (target[i] == -1) {
      target[i] = sizes()[i - lead];
    }
    if (target[i] < 0)
      throw ValueError(fmt::format("expand: the expanded size {} at dim {} is negative; expected a size >= 0 "
                                   "(or -1 in a dim the tensor has, to keep its size); target {}, tensor {}",
                                   target[i], i, shape_string(target), shape_string(sizes())));
    if (i < lead) continue;
    const int64_t own = sizes()[i - lead];
    if (own == target[i]) {
      new_strides[i] = strides()[i - lead];
    } else if (own != 1) {
      throw ValueError(fmt::format("expand: the expanded size {} must match the existing size {} at dim {}; "
                                   "expected equal sizes, or 1 in the tensor", target[i], own, i));
    }
  }
  Tensor out = view_of(*this, target, new_strides, storage_offset());
  if (!should_record({*this})) return out;
  return record("ExpandBackward0", out, {*this},
                [in_shape = sizes()](const Tensor& grad) -> Gradients { return {core::sum_to(grad, in_shape)}; });
}

}  // namespace tg

// Layout kernels every op builds on: making tensors, strides and broadcasting,
// views of a storage, copies and casts.
#include "layout.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "checked.h"
#include "loops.h"

namespace tg::core {

int64_t numel_of(const Shape& sizes) {
  // Checked too: a shape that reaches here unvalidated raises instead of wrapping.
  return checked_numel(nullptr, sizes, 1, kFloat32);
}

Shape contiguous_strides(const Shape& sizes) {
  Shape strides(sizes.size());
  int64_t stride = 1;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= std::max<int64_t>(sizes[d], 1);
  }
  return strides;
}

Tensor make_tensor(Shape sizes, Dtype dtype, bool zero) {
  const int64_t nbytes = checked_nbytes(sizes, dtype);  // Note [Checked sizes]: before any allocation
  auto impl = std::make_shared<TensorImpl>();
  try {
    impl->storage = std::make_shared<Storage>(static_cast<size_t>(nbytes), zero);
  } catch (const std::bad_alloc&) {
    throw_out_of_memory(sizes, dtype, nbytes);
  }
  impl->strides = contiguous_strides(sizes);
  impl->sizes = std::move(sizes);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor as_strided(const Tensor& base, Shape sizes, Shape strides, int64_t offset) {
  checked_numel(nullptr, sizes, 1, base.dtype());  // Note [Checked sizes]: a view counts elements only
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = base.dtype();
  impl->is_view = true;
  return Tensor(std::move(impl));
}

Tensor as_vector_if_scalar(const Tensor& t) {
  return t.dim() == 0 ? as_strided(t, {1}, {1}, t.storage_offset()) : t;
}

void check_defined(const char* where, const Tensor& t) {
  if (!t.defined()) throw Error(fmt::format("{}: got an undefined tensor; expected a defined tensor", where));
}

void check_dense(const char* where, const Tensor& t) {
  check_defined(where, t);
  if (t.is_sparse())
    throw TypeError(fmt::format("{}: got a sparse tensor; expected a dense (strided) tensor. "
                                "Call to_dense() first", where));
}

Shape broadcast_shapes(const char* where, const Shape& a, const Shape& b) {
  const size_t ndim = std::max(a.size(), b.size());
  Shape out(ndim);
  for (size_t i = 0; i < ndim; ++i) {
    const int64_t sa = i < ndim - a.size() ? 1 : a[i - (ndim - a.size())];
    const int64_t sb = i < ndim - b.size() ? 1 : b[i - (ndim - b.size())];
    if (sa != sb && sa != 1 && sb != 1)
      throw ValueError(fmt::format("{}: shapes {} and {} cannot be broadcast: size {} does not match "
                                   "size {} at dim {}; expected equal sizes or 1",
                                   where, shape_string(a), shape_string(b), sa, sb, i));
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

std::vector<int64_t> broadcast_byte_strides(const Tensor& t, const Shape& shape) {
  const int64_t esize = static_cast<int64_t>(element_size(t.dtype()));
  const size_t lead = shape.size() - t.sizes().size();
  std::vector<int64_t> out(shape.size(), 0);
  for (size_t i = 0; i < t.sizes().size(); ++i)
    out[lead + i] = t.sizes()[i] == 1 ? 0 : t.strides()[i] * esize;
  return out;
}

void check_no_internal_overlap(const char* where, const Tensor& dst) {
  for (int64_t d = 0; d < dst.dim(); ++d)
    if (dst.strides()[d] == 0 && dst.sizes()[d] > 1)
      throw ValueError(fmt::format("{}: the destination has stride 0 in dim {} (an expanded tensor), so several of "
                                   "its elements share one memory location; expected a destination without "
                                   "overlapping memory. clone() it first", where, d));
}

void copy_into(const Tensor& dst, const Tensor& src) {
  check_dense("copy_", dst);
  check_no_internal_overlap("copy_", dst);
  Tensor source = src.is_sparse() ? src.to_dense() : src;
  broadcast_shapes("copy_", dst.sizes(), source.sizes());  // validates
  if (source.dim() > dst.dim() || broadcast_shapes("copy_", dst.sizes(), source.sizes()) != dst.sizes())
    throw ValueError(fmt::format("copy_: source of shape {} cannot be broadcast to the destination's "
                                 "shape {}", shape_string(source.sizes()), shape_string(dst.sizes())));
  if (dst.numel() == 0) return;
  if (dst.dtype() == source.dtype() && dst.is_contiguous() && source.is_contiguous() &&
      dst.sizes() == source.sizes()) {
    std::memmove(dst.raw_data(), source.raw_data(), dst.numel() * element_size(dst.dtype()));
    return;
  }
  StridedLoop<2> loop;
  loop.shape = dst.sizes();
  loop.base = {static_cast<char*>(dst.raw_data()), static_cast<char*>(source.raw_data())};
  loop.byte_strides = {broadcast_byte_strides(dst, dst.sizes()), broadcast_byte_strides(source, dst.sizes())};
  dispatch(dst.dtype(), [&]<class D>() {
    dispatch(source.dtype(), [&]<class S>() {
      loop.run([](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t n) {
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<D*>(p[0] + i * s[0]) = static_cast<D>(*reinterpret_cast<const S*>(p[1] + i * s[1]));
      });
    });
  });
}

Tensor contiguous(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor out = make_tensor(t.sizes(), t.dtype());
  copy_into(out, t);
  return out;
}

Tensor cast(const Tensor& t, Dtype dtype) {
  if (t.dtype() == dtype) return t;
  Tensor out = make_tensor(t.sizes(), dtype);
  copy_into(out, t);
  return out;
}

Tensor clone(const Tensor& t) {
  if (t.is_sparse()) {
    return sparse_coo_tensor(clone(t.indices()), clone(t.values()), t.sizes(), t.is_coalesced());
  }
  Tensor out = make_tensor(t.sizes(), t.dtype());
  copy_into(out, t);
  return out;
}

Tensor fill(const Tensor& t, double value) {
  check_dense("fill_", t);
  dispatch(t.dtype(), [&]<class T>() {
    const T v = static_cast<T>(value);
    if (t.is_contiguous()) {
      std::fill_n(static_cast<T*>(t.raw_data()), t.numel(), v);
      return;
    }
    StridedLoop<1> loop;
    loop.shape = t.sizes();
    loop.base = {static_cast<char*>(t.raw_data())};
    loop.byte_strides = {broadcast_byte_strides(t, t.sizes())};
    loop.run([v](std::array<char*, 1> p, std::array<int64_t, 1> s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
    });
  });
  return t;
}

// Not a view: `fresh` is the caller's own, so nothing else sees the storage.
Tensor with_shape(const Tensor& fresh, Shape shape) {
  Tensor out = as_strided(fresh, shape, contiguous_strides(shape), fresh.storage_offset());
  out.impl()->is_view = false;
  return out;
}

}  // namespace tg::core

// Tensor metadata and element access; the layout kernels they use are in layout.cpp.
#include "tensor.h"

#include <fmt/format.h>

#include <limits>
#include <type_traits>

#include "layout.h"

namespace tg {

namespace {
const TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl, const char* what) {
  if (!impl) throw Error(fmt::format("{}: the tensor is undefined; expected a defined tensor", what));
  return *impl;
}
}  // namespace

const Shape& Tensor::sizes() const { return checked(impl_, "sizes").sizes; }
int64_t Tensor::size(int64_t d) const { return sizes()[normalize_dim("size", d, dim())]; }
const Shape& Tensor::strides() const {
  if (is_sparse()) throw TypeError("strides: a sparse tensor has no strides; expected a dense tensor");
  return impl_->strides;
}
int64_t Tensor::stride(int64_t d) const { return strides()[normalize_dim("stride", d, dim())]; }
int64_t Tensor::storage_offset() const { return checked(impl_, "storage_offset").offset; }
int64_t Tensor::dim() const { return static_cast<int64_t>(sizes().size()); }
int64_t Tensor::numel() const { return core::numel_of(sizes()); }
Dtype Tensor::dtype() const { return checked(impl_, "dtype").dtype; }
bool Tensor::is_sparse() const { return impl_ && impl_->sparse != nullptr; }
uint32_t Tensor::version() const { return checked(impl_, "version").storage->version.load(std::memory_order_relaxed); }
void Tensor::bump_version() const { impl_->storage->version.fetch_add(1, std::memory_order_relaxed); }

bool Tensor::is_contiguous() const {
  const TensorImpl& impl = checked(impl_, "is_contiguous");
  if (impl.sparse) return false;
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (impl.sizes[d] != 1 && impl.strides[d] != expected) return false;
    expected *= impl.sizes[d];
  }
  return true;
}

void* Tensor::raw_data() const {
  const TensorImpl& impl = checked(impl_, "data_ptr");
  if (impl.sparse) throw TypeError("data_ptr: the tensor is sparse; expected a dense tensor (use values())");
  return static_cast<char*>(impl.storage->data) + impl.offset * static_cast<int64_t>(element_size(impl.dtype));
}

template <class T> T* Tensor::data_ptr() const {
  if (dtype() != dtype_of<T>())
    throw TypeError(fmt::format("data_ptr: requested {} but the tensor's dtype is {}",
                                dtype_name(dtype_of<T>()), dtype_name(dtype())));
  return static_cast<T*>(raw_data());
}

// Note [item converts]: item<T>() reads the one element in any dtype and converts it to
// T, as libtorch's item<T>() does (a float32 tensor gives item<double>()). A value T
// cannot hold (NaN or out of range for an integer T) is a tg::ValueError, where a plain
// cast would be undefined behaviour; bool takes "not zero".
template <class T> T Tensor::item() const {
  if (numel() != 1)
    throw ValueError(fmt::format("item: the tensor has {} elements; expected exactly one", numel()));
  return dispatch(dtype(), [&]<class S>() -> T {
    const S value = *static_cast<const S*>(raw_data());
    if constexpr (std::is_same_v<T, bool>) {
      return value != S(0);
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<S, bool>) {
      // Range check in long double, which holds every int64 and float64 value exactly enough.
      const auto v = static_cast<long double>(value);
      if (!(v >= static_cast<long double>(std::numeric_limits<T>::min()) &&
            v <= static_cast<long double>(std::numeric_limits<T>::max())))
        throw ValueError(fmt::format("item: the value {} of a {} tensor cannot be converted to {} without overflow",
                                     value, dtype_name(dtype()), dtype_name(dtype_of<T>())));
      return static_cast<T>(value);
    } else {
      return static_cast<T>(value);
    }
  });
}

template <class T> std::vector<T> Tensor::to_vector() const {
  if (dtype() != dtype_of<T>())
    throw TypeError(fmt::format("to_vector: requested {} but the tensor's dtype is {}",
                                dtype_name(dtype_of<T>()), dtype_name(dtype())));
  Tensor dense = is_sparse() ? to_dense() : *this;
  Tensor c = core::contiguous(dense);
  const T* p = c.data_ptr<T>();
  return std::vector<T>(p, p + c.numel());
}

#define TG_INSTANTIATE(T)                           \
  template T* Tensor::data_ptr<T>() const;          \
  template T Tensor::item<T>() const;               \
  template std::vector<T> Tensor::to_vector<T>() const;
TG_INSTANTIATE(float)
TG_INSTANTIATE(double)
TG_INSTANTIATE(int32_t)
TG_INSTANTIATE(int64_t)
TG_INSTANTIATE(bool)
#undef TG_INSTANTIATE

Tensor Tensor::detach() const {
  const TensorImpl& impl = checked(impl_, "detach");
  auto out = std::make_shared<TensorImpl>();
  out->storage = impl.storage;
  out->sizes = impl.sizes;
  out->strides = impl.strides;
  out->offset = impl.offset;
  out->dtype = impl.dtype;
  out->is_view = impl.is_view;
  if (impl.sparse) out->sparse = std::make_unique<SparseParts>(*impl.sparse);
  return Tensor(std::move(out));
}

std::string shape_string(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

}  // namespace tg

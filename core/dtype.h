#pragma once
// Element types and PyTorch's promotion lattice for them.
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "shape.h"

namespace tg {

enum class Dtype : uint8_t { Float32, Float64, Int32, Int64, Bool };
inline constexpr Dtype kFloat32 = Dtype::Float32;
inline constexpr Dtype kFloat64 = Dtype::Float64;
inline constexpr Dtype kInt32 = Dtype::Int32;
inline constexpr Dtype kInt64 = Dtype::Int64;
inline constexpr Dtype kBool = Dtype::Bool;
// Python aliases, for users porting `torch.float` / `torch.long`.
inline constexpr Dtype kFloat = Dtype::Float32;
inline constexpr Dtype kDouble = Dtype::Float64;
inline constexpr Dtype kInt = Dtype::Int32;
inline constexpr Dtype kLong = Dtype::Int64;

size_t element_size(Dtype dtype);
bool is_floating(Dtype dtype);
// "torch.float32": the spelling PyTorch prints in reprs and messages.
const char* dtype_name(Dtype dtype);
// Streams dtype_name: `std::cout << t.dtype()` prints "torch.float32" (core/dtype.cpp).
std::ostream& operator<<(std::ostream& out, Dtype dtype);
// "torch.FloatTensor": the legacy name PyTorch's argument checks print.
const char* legacy_type_name(Dtype dtype);

// Bool < Int32 < Int64 < Float32 < Float64 is a total order for these five types,
// so promoting two of them is taking the larger.
Dtype promote_types(Dtype a, Dtype b);

template <class T> constexpr Dtype dtype_of();
template <> constexpr Dtype dtype_of<float>() { return kFloat32; }
template <> constexpr Dtype dtype_of<double>() { return kFloat64; }
template <> constexpr Dtype dtype_of<int32_t>() { return kInt32; }
template <> constexpr Dtype dtype_of<int64_t>() { return kInt64; }
template <> constexpr Dtype dtype_of<bool>() { return kBool; }

// Calls fn.template operator()<T>() with the C++ type of `dtype`.
template <class F> decltype(auto) dispatch(Dtype dtype, F&& fn) {
  switch (dtype) {
    case Dtype::Float32: return fn.template operator()<float>();
    case Dtype::Float64: return fn.template operator()<double>();
    case Dtype::Int32: return fn.template operator()<int32_t>();
    case Dtype::Int64: return fn.template operator()<int64_t>();
    case Dtype::Bool: break;
  }
  return fn.template operator()<bool>();
}

// The same, for the two floating types only (others have been promoted before).
template <class F> decltype(auto) dispatch_floating(Dtype dtype, F&& fn) {
  if (dtype == Dtype::Float64) return fn.template operator()<double>();
  return fn.template operator()<float>();
}

// The same, for the two index types (int32 or int64, checked before).
template <class F> decltype(auto) dispatch_index(Dtype dtype, F&& fn) {
  if (dtype == Dtype::Int32) return fn.template operator()<int32_t>();
  return fn.template operator()<int64_t>();
}

}  // namespace tg

// Tensor creators: from C++ values, constants and ranges.
#include <fmt/format.h>

#include <cstring>
#include <functional>
#include <type_traits>

#include "checked.h"
#include "layout.h"

namespace tg {

namespace {

struct InitScan {
  Shape shape;
  bool has_float = false, has_int = false;
};

}  // namespace

// Walks the nested lists once to find the shape (every list at one depth must have
// the same length, as in torch.tensor) and the dtype to infer.
Tensor tensor(const TensorInit& root, std::optional<Dtype> dtype) {
  InitScan scan;
  std::vector<double> flat;
  // A small local recursion is clearer here than an explicit stack.
  std::function<void(const TensorInit&, size_t)> walk = [&](const TensorInit& node, size_t depth) {
    if (node.kind_ != TensorInit::Kind::List) {
      if (depth != scan.shape.size() && !(flat.empty() && depth == 0))
        throw ValueError(fmt::format("tensor: a scalar at depth {} where the nesting is {} deep; expected "
                                     "lists of equal depth", depth, scan.shape.size()));
      if (node.kind_ == TensorInit::Kind::Floating) scan.has_float = true;
      if (node.kind_ == TensorInit::Kind::Integer) scan.has_int = true;
      flat.push_back(node.value_);
      return;
    }
    const int64_t n = static_cast<int64_t>(node.items_.size());
    if (depth == scan.shape.size() && flat.empty()) {
      scan.shape.push_back(n);
    } else if (depth >= scan.shape.size() || scan.shape[depth] != n) {
      throw ValueError(fmt::format("tensor: a list of length {} at depth {} where an earlier list has "
                                   "length {}; expected every list at one depth to have the same length",
                                   n, depth, depth < scan.shape.size() ? scan.shape[depth] : 0));
    }
    for (const TensorInit& item : node.items_) walk(item, depth + 1);
  };
  walk(root, 0);
  const Dtype inferred = scan.has_float ? kFloat32 : scan.has_int ? kInt64 : (flat.empty() ? kFloat32 : kBool);
  const Dtype out_dtype = dtype.value_or(inferred);
  Tensor out = core::make_tensor(scan.shape, out_dtype);
  if (out.numel() != static_cast<int64_t>(flat.size()))
    throw ValueError(fmt::format("tensor: ragged nested lists: {} values for shape {}", flat.size(),
                                 shape_string(scan.shape)));
  dispatch(out_dtype, [&]<class T>() {
    T* p = static_cast<T*>(out.raw_data());
    for (size_t i = 0; i < flat.size(); ++i) p[i] = static_cast<T>(flat[i]);
  });
  return out;
}

template <class T> Tensor from_vector(const std::vector<T>& values, Shape sizes) {
  if (core::numel_of(sizes) != static_cast<int64_t>(values.size()))
    throw ValueError(fmt::format("from_vector: {} values cannot fill shape {} ({} elements); expected "
                                 "equal counts", values.size(), shape_string(sizes), core::numel_of(sizes)));
  Tensor out = core::make_tensor(std::move(sizes), dtype_of<T>());
  T* p = static_cast<T*>(out.raw_data());
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  return out;
}

template <class T> Tensor from_vector(const std::vector<T>& values) {
  return from_vector(values, Shape{static_cast<int64_t>(values.size())});
}

template Tensor from_vector(const std::vector<float>&, Shape);
template Tensor from_vector(const std::vector<double>&, Shape);
template Tensor from_vector(const std::vector<int32_t>&, Shape);
template Tensor from_vector(const std::vector<int64_t>&, Shape);
template Tensor from_vector(const std::vector<bool>&, Shape);
template Tensor from_vector(const std::vector<float>&);
template Tensor from_vector(const std::vector<double>&);
template Tensor from_vector(const std::vector<int32_t>&);
template Tensor from_vector(const std::vector<int64_t>&);
template Tensor from_vector(const std::vector<bool>&);

Tensor scalar_tensor(double value, Dtype dtype) { return full({}, value, dtype); }
Tensor empty(Shape sizes, Dtype dtype) { return core::make_tensor(std::move(sizes), dtype); }
Tensor zeros(Shape sizes, Dtype dtype) { return core::make_tensor(std::move(sizes), dtype, /*zero=*/true); }
Tensor ones(Shape sizes, Dtype dtype) { return full(std::move(sizes), 1.0, dtype); }
Tensor full(Shape sizes, double value, Dtype dtype) {
  Tensor out = core::make_tensor(std::move(sizes), dtype);
  core::fill(out, value);
  return out;
}
Tensor zeros_like(const Tensor& t) { return zeros(t.sizes(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.sizes(), t.dtype()); }
Tensor empty_like(const Tensor& t) { return empty(t.sizes(), t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.sizes(), value, t.dtype()); }

Tensor arange(int64_t end, Dtype dtype) { return arange(0, end, 1, dtype); }

Tensor arange(int64_t start, int64_t end, int64_t step, Dtype dtype) {
  if (step == 0) throw ValueError("arange: step = 0 is invalid; expected a non-zero step");
  if ((step > 0 && end < start) || (step < 0 && end > start))
    throw ValueError(fmt::format("arange: the range [{}, {}) cannot be walked with step {}; expected the "
                                 "step's sign to point from start to end", start, end, step));
  // The length in unsigned 64-bit arithmetic: end - start overflows int64 for a range
  // such as [-2^62, 2^62), and the length must fit before make_tensor checks its bytes.
  const uint64_t distance = step > 0 ? static_cast<uint64_t>(end) - static_cast<uint64_t>(start)
                                     : static_cast<uint64_t>(start) - static_cast<uint64_t>(end);
  const uint64_t stride = step > 0 ? static_cast<uint64_t>(step) : 0 - static_cast<uint64_t>(step);
  const uint64_t length = distance / stride + (distance % stride != 0);
  if (length > static_cast<uint64_t>(core::kMaxSpan))
    throw ValueError(fmt::format("arange: the range [{}, {}) with step {} has {} elements; expected at most {}",
                                 start, end, step, length, core::kMaxSpan));
  const auto n = static_cast<int64_t>(length);
  Tensor out = core::make_tensor({n}, dtype);
  dispatch(dtype, [&]<class T>() {
    T* p = static_cast<T*>(out.raw_data());
    // In uint64: i * step may pass int64's range before start brings it back in.
    for (int64_t i = 0; i < n; ++i)
      p[i] = static_cast<T>(static_cast<int64_t>(static_cast<uint64_t>(start) +
                                                 static_cast<uint64_t>(i) * static_cast<uint64_t>(step)));
  });
  return out;
}

Tensor linspace(double start, double end, int64_t steps, Dtype dtype) {
  if (steps < 0) throw ValueError(fmt::format("linspace: steps = {} is negative; expected >= 0", steps));
  Tensor out = core::make_tensor({steps}, dtype);
  dispatch(dtype, [&]<class T>() {
    // PyTorch's kernel: the step in the output type (double for integers), and the
    // values filled from both ends so the last one is exactly `end`. Computing in
    // double and rounding at the end differs from it by an ulp in float32.
    using Step = std::conditional_t<std::is_integral_v<T>, double, T>;
    T* p = static_cast<T*>(out.raw_data());
    const T first = static_cast<T>(start), last = static_cast<T>(end);
    const Step delta = steps > 1 ? (static_cast<Step>(last) - static_cast<Step>(first)) / static_cast<Step>(steps - 1)
                                 : Step(0);
    for (int64_t i = 0; i < steps; ++i)
      p[i] = static_cast<T>(i < steps / 2 ? first + delta * static_cast<Step>(i)
                                          : last - delta * static_cast<Step>(steps - 1 - i));
  });
  return out;
}

Tensor eye(int64_t n, Dtype dtype) {
  if (n < 0) throw ValueError(fmt::format("eye: n = {} is negative; expected n >= 0", n));
  Tensor out = zeros({n, n}, dtype);
  dispatch(dtype, [&]<class T>() {
    T* p = static_cast<T*>(out.raw_data());
    for (int64_t i = 0; i < n; ++i) p[i * n + i] = static_cast<T>(1);
  });
  return out;
}

}  // namespace tg

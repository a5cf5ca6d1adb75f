// Reduction kernels. Integer and bool sums and products accumulate in int64, as
// PyTorch's do; floating ones accumulate in double so that float32 reductions lose
// no precision to the order of the operations.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "layout.h"
#include "loops.h"
#include "reduce.h"

namespace tg::core {

namespace {

template <class T> using Accumulator = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

// The total of x[0, n). One running total would make every addition wait for the
// previous one; kLanes independent totals (added together at the end) keep the
// adder busy and let the compiler vectorise the loop.
template <class T, class Acc> Acc contiguous_total(const T* x, int64_t n) {
  constexpr int64_t kLanes = 8;
  Acc lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t k = 0; k < kLanes; ++k) lanes[k] += static_cast<Acc>(x[i + k]);
  Acc total = 0;
  for (; i < n; ++i) total += static_cast<Acc>(x[i]);
  for (int64_t k = 0; k < kLanes; ++k) total += lanes[k];
  return total;
}

// sum over dims, each result multiplied by `scale` before it is rounded to out_dtype
// (scale = 1 / count gives the mean).
Tensor scaled_sum(const char* where, const Tensor& t, const std::vector<int64_t>& dims, bool keepdim, double scale) {
  check_dense(where, t);
  const Dtype out_dtype = is_floating(t.dtype()) ? t.dtype() : kInt64;
  const int64_t ndim = t.dim();
  std::vector<bool> reduced(ndim, false);
  for (int64_t d : dims) reduced[d] = true;
  Shape kept_shape(ndim);
  for (int64_t d = 0; d < ndim; ++d) kept_shape[d] = reduced[d] ? 1 : t.size(d);
  Tensor out = make_tensor(kept_shape, out_dtype, /*zero=*/true);
  const Tensor in = cast(t, out_dtype);
  dispatch(out_dtype, [&]<class T>() {
    using Acc = Accumulator<T>;
    const int64_t n_out = out.numel();
    std::vector<Acc> acc(n_out, Acc(0));
    if (in.numel() > 0) {
      // Walk the input; the accumulators' strides are 0 along reduced dims, so each
      // input element lands in its output slot.
      Shape acc_strides = contiguous_strides(kept_shape);
      for (int64_t d = 0; d < ndim; ++d) acc_strides[d] = reduced[d] ? 0 : acc_strides[d] * int64_t{sizeof(Acc)};
      const auto accumulate = [](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t count) {
        if (s[0] == 0) {  // the run lies in one slice
          if (s[1] == int64_t{sizeof(T)}) {
            *reinterpret_cast<Acc*>(p[0]) += contiguous_total<T, Acc>(reinterpret_cast<const T*>(p[1]), count);
          } else {
            Acc total = 0;
            for (int64_t i = 0; i < count; ++i) total += *reinterpret_cast<const T*>(p[1] + i * s[1]);
            *reinterpret_cast<Acc*>(p[0]) += total;
          }
          return;
        }
        if (s[0] == int64_t{sizeof(Acc)} && s[1] == int64_t{sizeof(T)}) {
          // A row added onto a row of accumulators (e.g. sum(0) of a matrix): plain
          // pointers, so the compiler vectorises it.
          Acc* acc_row = reinterpret_cast<Acc*>(p[0]);
          const T* x = reinterpret_cast<const T*>(p[1]);
          for (int64_t i = 0; i < count; ++i) acc_row[i] += static_cast<Acc>(x[i]);
          return;
        }
        for (int64_t i = 0; i < count; ++i)
          *reinterpret_cast<Acc*>(p[0] + i * s[0]) += *reinterpret_cast<const T*>(p[1] + i * s[1]);
      };
      const Shape in_strides = broadcast_byte_strides(in, in.sizes());
      // Split over the outermost kept dim: each part owns its accumulators, and each
      // accumulator sees its inputs in the serial order, so the sums are the same bits
      // on any number of threads (Note [one pool]). A full reduction stays serial.
      int64_t split = -1;
      for (int64_t d = 0; d < ndim && split < 0; ++d)
        if (!reduced[d] && in.size(d) > 1) split = d;
      const int64_t span = split < 0 ? 1 : in.size(split);
      const int64_t work = in.numel() * static_cast<int64_t>(sizeof(T));
      parallel_for(0, span, split < 0 ? 0 : work, [&](int64_t lo, int64_t hi) {
        StridedLoop<2> loop;
        loop.shape = in.sizes();
        loop.base = {reinterpret_cast<char*>(acc.data()), static_cast<char*>(in.raw_data())};
        loop.byte_strides = {acc_strides, in_strides};
        if (split >= 0) {
          loop.shape[split] = hi - lo;
          loop.base[0] += lo * acc_strides[split];
          loop.base[1] += lo * in_strides[split];
        }
        loop.run(accumulate);
      });
    }
    T* po = static_cast<T*>(out.raw_data());
    if constexpr (std::is_floating_point_v<T>) {
      for (int64_t i = 0; i < n_out; ++i) po[i] = static_cast<T>(acc[i] * scale);
    } else {
      for (int64_t i = 0; i < n_out; ++i) po[i] = static_cast<T>(acc[i]);
    }
  });
  if (keepdim) return out;
  Shape squeezed;
  for (int64_t d = 0; d < ndim; ++d)
    if (!reduced[d]) squeezed.push_back(t.size(d));
  return with_shape(out, squeezed);
}

int64_t slice_numel(const Tensor& t, const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= t.size(d);
  return n;
}

}  // namespace

Tensor sum_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  return scaled_sum("sum", t, dims, keepdim, 1.0);
}

Tensor mean_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  check_dense("mean", t);
  // PyTorch refuses too: an integer mean has no dtype that holds it exactly.
  if (!is_floating(t.dtype()))
    throw TypeError(fmt::format("mean: input dtype = {} has no mean dtype to infer; expected a floating point "
                                "dtype (float32 or float64). Convert first, e.g. x.to(tg::kFloat32).mean()",
                                dtype_name(t.dtype())));
  // 1 / 0 = inf and 0 * inf = nan: the mean of an empty slice is nan, as in PyTorch.
  return scaled_sum("mean", t, dims, keepdim, 1.0 / static_cast<double>(slice_numel(t, dims)));
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
  if (t.sizes() == shape) return t;
  const int64_t lead = t.dim() - static_cast<int64_t>(shape.size());
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && t.size(d) != 1)) dims.push_back(d);
  Tensor summed = sum_dims(t, dims, /*keepdim=*/true);
  // Drop the leading dims that `shape` does not have; the rest already match.
  return with_shape(summed, shape);
}

ReductionSlices reduction_slices(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  const int64_t ndim = t.dim();
  std::vector<bool> reduced(ndim, false);
  for (int64_t d : dims) reduced[d] = true;
  ReductionSlices slices;
  slices.count = 1;
  slices.length = 1;
  Shape kept_order, reduced_order;
  for (int64_t d = 0; d < ndim; ++d) {
    (reduced[d] ? reduced_order : kept_order).push_back(d);
    if (reduced[d]) {
      slices.length *= t.size(d);
      if (keepdim) slices.out_shape.push_back(1);
    } else {
      slices.count *= t.size(d);
      slices.out_shape.push_back(t.size(d));
    }
  }
  slices.order = kept_order;
  slices.order.insert(slices.order.end(), reduced_order.begin(), reduced_order.end());
  Shape sizes(ndim), strides(ndim);
  for (int64_t k = 0; k < ndim; ++k) {
    sizes[k] = t.size(slices.order[k]);
    strides[k] = t.stride(slices.order[k]);
  }
  slices.rows = contiguous(as_strided(t, sizes, strides, t.storage_offset()));
  return slices;
}

Tensor from_reduction_layout(const Tensor& rows_like, const ReductionSlices& slices, const Shape& in_shape) {
  // rows_like is contiguous in slices.order; read it back through strides in t's order.
  if (numel_of(in_shape) == 0) return make_tensor(in_shape, rows_like.dtype());  // nothing to move
  const int64_t ndim = static_cast<int64_t>(in_shape.size());
  Shape permuted_sizes(ndim);
  for (int64_t k = 0; k < ndim; ++k) permuted_sizes[k] = in_shape[slices.order[k]];
  const Shape permuted_strides = contiguous_strides(permuted_sizes);
  Shape strides(ndim);
  for (int64_t k = 0; k < ndim; ++k) strides[slices.order[k]] = permuted_strides[k];
  return clone(as_strided(rows_like, in_shape, strides, rows_like.storage_offset()));
}

Tensor prod_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  check_dense("prod", t);
  const Dtype out_dtype = is_floating(t.dtype()) ? t.dtype() : kInt64;
  const ReductionSlices slices = reduction_slices(cast(t, out_dtype), dims, keepdim);
  Tensor out = make_tensor(slices.out_shape, out_dtype);
  dispatch(out_dtype, [&]<class T>() {
    const T* x = static_cast<const T*>(slices.rows.raw_data());
    T* po = static_cast<T*>(out.raw_data());
    for (int64_t i = 0; i < slices.count; ++i) {
      Accumulator<T> product = 1;
      for (int64_t j = 0; j < slices.length; ++j) product *= x[i * slices.length + j];
      po[i] = static_cast<T>(product);
    }
  });
  return out;
}

Tensor prod_others(const Tensor& t, const std::vector<int64_t>& dims) {
  check_dense("prod", t);
  const Dtype dtype = is_floating(t.dtype()) ? t.dtype() : kInt64;
  const ReductionSlices slices = reduction_slices(cast(t, dtype), dims, /*keepdim=*/true);
  Tensor others = make_tensor({slices.count, slices.length}, dtype);
  dispatch(dtype, [&]<class T>() {
    using Acc = Accumulator<T>;
    const int64_t n = slices.length;
    std::vector<Acc> suffix(n + 1);
    const T* x = static_cast<const T*>(slices.rows.raw_data());
    T* po = static_cast<T*>(others.raw_data());
    for (int64_t i = 0; i < slices.count; ++i) {
      const T* row = x + i * n;
      // others[j] = (x[0] ... x[j-1]) * (x[j+1] ... x[n-1])
      suffix[n] = 1;
      for (int64_t j = n - 1; j >= 0; --j) suffix[j] = suffix[j + 1] * static_cast<Acc>(row[j]);
      Acc prefix = 1;
      for (int64_t j = 0; j < n; ++j) {
        po[i * n + j] = static_cast<T>(prefix * suffix[j + 1]);
        prefix *= static_cast<Acc>(row[j]);
      }
    }
  });
  return from_reduction_layout(others, slices, t.sizes());
}

Tensor norm_dims(const Tensor& t, double p, const std::vector<int64_t>& dims, bool keepdim) {
  check_dense("norm", t);
  if (!is_floating(t.dtype()))
    throw TypeError(fmt::format("norm: input dtype = {} is not supported; expected a floating point dtype "
                                "(float32 or float64). Convert with .to(tg::kFloat32)",
                                dtype_name(t.dtype())));
  const ReductionSlices slices = reduction_slices(t, dims, keepdim);
  Tensor out = make_tensor(slices.out_shape, t.dtype());
  dispatch_floating(t.dtype(), [&]<class T>() {
    const T* x = static_cast<const T*>(slices.rows.raw_data());
    T* po = static_cast<T*>(out.raw_data());
    const int64_t n = slices.length;
    for (int64_t i = 0; i < slices.count; ++i) {
      const T* row = x + i * n;
      double result = 0;
      if (n == 0) {
        result = 0;  // every p, inf and -inf included (PyTorch 1.13's torch.norm)
      } else if (std::isinf(p)) {
        // max or min of |x|; a NaN propagates, as a NaN compares false with everything.
        result = std::abs(static_cast<double>(row[0]));
        for (int64_t j = 1; j < n && !std::isnan(result); ++j) {
          const double a = std::abs(static_cast<double>(row[j]));
          if (std::isnan(a) || (p > 0 ? a > result : a < result)) result = a;
        }
      } else if (p == 0) {
        for (int64_t j = 0; j < n; ++j) result += row[j] != T(0);
      } else if (p == 1) {
        for (int64_t j = 0; j < n; ++j) result += std::abs(static_cast<double>(row[j]));
      } else if (p == 2) {
        for (int64_t j = 0; j < n; ++j) result += static_cast<double>(row[j]) * row[j];
        result = std::sqrt(result);
      } else {
        for (int64_t j = 0; j < n; ++j) result += std::pow(std::abs(static_cast<double>(row[j])), p);
        result = std::pow(result, 1.0 / p);
      }
      po[i] = static_cast<T>(result);
    }
  });
  return out;
}

}  // namespace tg::core

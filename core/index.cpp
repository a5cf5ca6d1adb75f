// Index kernels along one dim: index_select (a gather of slices) and index_add (its
// adjoint, a scatter-add of slices). Indices arrive checked (autograd/ops/index.cpp).
//
// A contiguous tensor, seen around dim, is (outer, size, inner): slice j of outer
// block o is the run of `inner` elements at (o * size + j) * inner.
#include <cstring>

#include "index.h"
#include "layout.h"
#include "parallel.h"
#include "prefetch.h"
#include "rows.h"

namespace tg::core {

namespace {

struct AroundDim {
  int64_t outer = 1;
  int64_t inner = 1;
};

AroundDim around_dim(const Shape& sizes, int64_t dim) {
  AroundDim split;
  for (int64_t d = 0; d < dim; ++d) split.outer *= sizes[d];
  for (size_t d = dim + 1; d < sizes.size(); ++d) split.inner *= sizes[d];
  return split;
}

std::vector<int64_t> index_values(const Tensor& index) { return cast(index, kInt64).to_vector<int64_t>(); }

}  // namespace

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) {
  const int64_t count = index.numel();
  Shape out_shape = t.sizes();
  out_shape[dim] = count;
  const AroundDim split = around_dim(t.sizes(), dim);
  const int64_t size = t.size(dim);
  const Tensor in = contiguous(t);
  // Along the first dim a slice is a row of (size, inner): the row gather does it, reading
  // the indices in place and prefetching rows ahead, with no copy of the indices and no
  // division per slice, costs that show on short rows.
  if (split.outer == 1 && size > 0)
    return with_shape(gather_rows(as_strided(in, {size, split.inner}, {split.inner, 1}, 0), index), out_shape);
  const std::vector<int64_t> picks = index_values(index);
  Tensor out = make_tensor(out_shape, t.dtype());
  if (out.numel() == 0) return out;
  const size_t slice_bytes = split.inner * element_size(t.dtype());
  const char* src = static_cast<const char*>(in.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  // Slice u of the output is slice picks[u % count] of outer block u / count: every
  // slice is copied once, so any split of them gives the same output.
  const int64_t slices = split.outer * count;
  parallel_for(0, slices, 2 * slices * static_cast<int64_t>(slice_bytes), [&](int64_t lo, int64_t hi) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t o = u / count, i = u % count;
      std::memcpy(dst + u * slice_bytes, src + (o * size + picks[i]) * slice_bytes, slice_bytes);
    }
  });
  return out;
}

void index_add_into(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, double alpha) {
  const std::vector<int64_t> picks = index_values(index);
  const int64_t count = static_cast<int64_t>(picks.size());
  if (dst.numel() == 0 || count == 0) return;
  // The loop wants a contiguous destination; a strided one is updated through a copy.
  const Tensor work = contiguous(dst);
  const Tensor source = contiguous(cast(src, dst.dtype()));
  const AroundDim split = around_dim(dst.sizes(), dim);
  const int64_t size = dst.size(dim), inner = split.inner;
  dispatch(dst.dtype(), [&]<class T>() {
    const T scale = static_cast<T>(alpha);
    T* out = static_cast<T*>(work.raw_data());
    const T* in = static_cast<const T*>(source.raw_data());
    // Each part owns a range of destination slices (Note [scatter by destination]).
    const int64_t moved = 3 * split.outer * count * inner * static_cast<int64_t>(sizeof(T));
    parallel_scatter(picks.data(), count, size, moved, [&](const ScatterPart& part) {
      const int64_t m = part.size();
      for (int64_t o = 0; o < split.outer; ++o)
        for (int64_t c = 0; c < m; ++c) {
          // Scattered destination slices: ask for the one a few picks ahead.
          if (c + kPrefetchAhead < m)
            prefetch_bytes(out + (o * size + picks[part.at(c + kPrefetchAhead)]) * inner,
                           static_cast<size_t>(inner) * sizeof(T));
          const int64_t i = part.at(c);
          T* row = out + (o * size + picks[i]) * inner;
          const T* from = in + (o * count + i) * inner;
          for (int64_t j = 0; j < inner; ++j) row[j] = static_cast<T>(row[j] + scale * from[j]);
        }
    });
  });
  if (!work.is_same(dst)) copy_into(dst, work);
}

}  // namespace tg::core

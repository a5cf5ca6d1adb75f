// Bag kernels: embedding_bag's checks and its forward. V rows, D width, N lookups, B bags.
#include "bags.h"

#include <fmt/format.h>

#include "layout.h"
#include "rows.h"

namespace tg::core {

namespace {

const char* mode_name(EmbeddingBagMode mode) {
  switch (mode) {
    case EmbeddingBagMode::Sum: return "sum";
    case EmbeddingBagMode::Mean: return "mean";
    case EmbeddingBagMode::Max: return "max";
  }
  return "?";
}

// The input's rank decides where the bags are: (B, L) is B bags of L, (N) needs offsets.
void check_input_and_offsets(const char* where, const Tensor& indices, const Tensor& offsets) {
  if (indices.dim() == 2) {
    if (offsets.defined())
      throw ValueError(fmt::format("{}: input has shape {} (2-D: fixed-size bags, one per row), so offsets must be "
                                   "undefined; got offsets of shape {}. Pass 1-D input to use offsets",
                                   where, shape_string(indices.sizes()), shape_string(offsets.sizes())));
    return;
  }
  if (indices.dim() != 1)
    throw ValueError(fmt::format("{}: input has shape {} ({}-D); expected 1-D input with offsets, or 2-D input "
                                 "(B, N) of B bags of N", where, shape_string(indices.sizes()), indices.dim()));
  if (!offsets.defined())
    throw ValueError(fmt::format("{}: 1-D input needs offsets (where each bag starts); got none", where));
  if (offsets.dim() != 1)
    throw ValueError(fmt::format("{}: offsets has shape {}; expected a 1-D tensor", where,
                                 shape_string(offsets.sizes())));
}

// Max reduces elementwise and routes each gradient element to one row, so neither a
// per-lookup frequency scale nor one sparse row per lookup describes it; PyTorch refuses
// both, and so does tapegrad.
void check_mode(const char* where, const Tensor& per_sample_weights, const EmbeddingBagArgs& args) {
  if (args.mode == EmbeddingBagMode::Max && args.scale_grad_by_freq)
    throw ValueError(fmt::format("{}: mode = max does not support scale_grad_by_freq = true; expected mode = sum or "
                                 "mean, or scale_grad_by_freq = false", where));
  if (args.mode == EmbeddingBagMode::Max && args.sparse)
    throw ValueError(fmt::format("{}: mode = max does not support sparse = true; expected mode = sum or mean, or "
                                 "sparse = false", where));
  if (per_sample_weights.defined() && args.mode != EmbeddingBagMode::Sum)
    throw ValueError(fmt::format("{}: per_sample_weights is only supported for mode = sum; got mode = {}", where,
                                 mode_name(args.mode)));
}

int64_t offset_at(const Tensor& offsets, int64_t i) {
  return dispatch_index(offsets.dtype(), [&]<class I>() -> int64_t {
    return static_cast<int64_t>(static_cast<const I*>(offsets.raw_data())[i]);
  });
}

// Note [bag offsets]
// Bag b holds positions [offsets[b], offsets[b + 1]), the last bag ending at N (or, with
// include_last_offset, at the extra last offset). PyTorch checks only offsets[0] = 0 and
// offsets[-1] <= N: decreasing offsets fail deep in its kernel (or read out of bounds),
// and with include_last_offset a last offset below N gives sum and mean results that
// disagree about the last bag, and crashes max. tapegrad checks every offset, and
// requires the last one to be N with include_last_offset, as its documentation states.
BagBounds bags_from_offsets(const char* where, const Tensor& offsets_in, int64_t n, bool include_last_offset) {
  const Tensor offsets = contiguous(offsets_in);
  const int64_t count = offsets.numel();
  if (include_last_offset && count == 0)
    throw ValueError(fmt::format("{}: include_last_offset = true needs at least one offset (the end of the input); "
                                 "got an empty offsets tensor", where));
  BagBounds bags;
  bags.starts.reserve(static_cast<size_t>(count + 1));
  for (int64_t b = 0; b < count; ++b) {
    const int64_t start = offset_at(offsets, b);
    if (b == 0 && start != 0)
      throw ValueError(fmt::format("{}: offsets[0] = {} is invalid; expected offsets[0] = 0 (the first bag starts at "
                                   "the first index)", where, start));
    if (b > 0 && start < bags.starts.back())
      throw ValueError(fmt::format("{}: offsets[{}] = {} is less than offsets[{}] = {}; expected non-decreasing "
                                   "offsets (a bag cannot end before it starts)",
                                   where, b, start, b - 1, bags.starts.back()));
    if (start > n)
      throw ValueError(fmt::format("{}: offsets[{}] = {} is past the end of the input; expected offsets <= {} (the "
                                   "number of indices)", where, b, start, n));
    bags.starts.push_back(start);
  }
  if (!include_last_offset) {
    bags.starts.push_back(n);
  } else if (bags.starts.back() != n) {
    throw ValueError(fmt::format("{}: offsets[{}] = {} is the last offset, and with include_last_offset = true it "
                                 "must equal the number of indices, {}", where, count - 1, bags.starts.back(), n));
  }
  return bags;
}

}  // namespace

BagBounds check_embedding_bag(const char* where, const Tensor& weight, const Tensor& indices, const Tensor& offsets,
                              const Tensor& per_sample_weights, const EmbeddingBagArgs& args) {
  check_defined(where, weight);
  check_defined(where, indices);
  check_dense(where, weight);
  if (weight.dim() != 2)
    throw ValueError(fmt::format("{}: 'weight' must be 2-D; got shape {} ({}-D); expected (num_embeddings, "
                                 "embedding_dim)", where, shape_string(weight.sizes()), weight.dim()));
  if (!weight.is_floating_point())
    throw TypeError(fmt::format("{}: weight has dtype {}; expected a floating dtype (float32 or float64)", where,
                                dtype_name(weight.dtype())));
  if (per_sample_weights.defined() && per_sample_weights.sizes() != indices.sizes())
    throw ValueError(fmt::format("{}: per_sample_weights has shape {}; expected the input's shape {}", where,
                                 shape_string(per_sample_weights.sizes()), shape_string(indices.sizes())));
  check_input_and_offsets(where, indices, offsets);
  check_mode(where, per_sample_weights, args);
  check_index_dtype(where, indices);
  if (offsets.defined()) {
    check_dense(where, offsets);
    if (offsets.dtype() != kInt64 && offsets.dtype() != kInt32)
      throw TypeError(fmt::format("{}: offsets have dtype {}; expected torch.int64 or torch.int32", where,
                                  dtype_name(offsets.dtype())));
  }
  if (per_sample_weights.defined()) {
    check_dense(where, per_sample_weights);
    if (per_sample_weights.dtype() != weight.dtype())
      throw TypeError(fmt::format("{}: per_sample_weights has dtype {}; expected the weight's dtype {}", where,
                                  dtype_name(per_sample_weights.dtype()), dtype_name(weight.dtype())));
  }
  const int64_t num_rows = weight.size(0);
  if (args.padding_idx >= num_rows)
    throw ValueError(fmt::format("{}: padding_idx = {} is out of range; expected padding_idx < {} for "
                                 "num_embeddings = {} (or negative for none)",
                                 where, args.padding_idx, num_rows, num_rows));
  BagBounds bags;
  if (indices.dim() == 2) {
    const int64_t num_bags = indices.size(0), bag_size = indices.size(1);
    bags.starts.resize(static_cast<size_t>(num_bags + 1));
    for (int64_t b = 0; b <= num_bags; ++b) bags.starts[b] = b * bag_size;
  } else {
    bags = bags_from_offsets(where, offsets, indices.numel(), args.include_last_offset);
  }
  check_indices_in_range(where, indices, num_rows);
  return bags;
}

namespace {

// One bag's reduction into out_row (D, zeroed). kStrided: the table's columns are not
// adjacent (a transposed table), so rows are read with col_stride.
template <class T, class I, bool kStrided>
int64_t reduce_one_bag(const T* table, int64_t row_stride, int64_t col_stride, int64_t width, const I* idx,
                       const T* weights, int64_t begin, int64_t end, int64_t pad, EmbeddingBagMode mode, T* out_row,
                       int64_t* winner_row) {
  const int64_t cs = kStrided ? col_stride : 1;
  int64_t size = 0;
  for (int64_t i = begin; i < end; ++i) {
    const int64_t k = static_cast<int64_t>(idx[i]);
    if (k == pad) continue;  // padding is left out of the bag, and out of its size
    const T* row = table + k * row_stride;
    if (mode == EmbeddingBagMode::Max) {
      // The first non-padding row sets the element; later ones replace it only when
      // strictly larger, so on a tie the earliest lookup wins (and gets the gradient).
      for (int64_t j = 0; j < width; ++j) {
        const T v = row[j * cs];
        if (size == 0 || v > out_row[j]) {
          out_row[j] = v;
          winner_row[j] = k;
        }
      }
    } else if (weights != nullptr) {
      const T w = weights[i];
      for (int64_t j = 0; j < width; ++j) out_row[j] += w * row[j * cs];
    } else {
      for (int64_t j = 0; j < width; ++j) out_row[j] += row[j * cs];
    }
    ++size;
  }
  if (mode == EmbeddingBagMode::Mean && size > 0)
    for (int64_t j = 0; j < width; ++j) out_row[j] /= static_cast<T>(size);
  return size;
}

}  // namespace

BagReduction reduce_bags(const Tensor& table, const Tensor& indices, const BagBounds& bags,
                         const Tensor& per_sample_weights, const EmbeddingBagArgs& args) {
  const int64_t num_bags = bags.num_bags(), width = table.size(1);
  BagReduction r;
  r.out = make_tensor({num_bags, width}, table.dtype(), /*zero=*/true);
  r.sizes.assign(static_cast<size_t>(num_bags), 0);
  if (args.mode == EmbeddingBagMode::Max) r.winners.assign(static_cast<size_t>(num_bags * width), -1);
  const int64_t pad = args.padding_idx < 0 ? -1 : args.padding_idx;
  const int64_t row_stride = table.stride(0), col_stride = table.stride(1);
  const bool strided = col_stride != 1 && width > 1;
  dispatch_floating(table.dtype(), [&]<class T>() {
    const T* base = static_cast<const T*>(table.raw_data());
    const T* weights = per_sample_weights.defined() ? static_cast<const T*>(per_sample_weights.raw_data()) : nullptr;
    T* out = static_cast<T*>(r.out.raw_data());
    dispatch_index(indices.dtype(), [&]<class I>() {
      const I* idx = static_cast<const I*>(indices.raw_data());
      for (int64_t b = 0; b < num_bags; ++b) {
        int64_t* winner_row = r.winners.empty() ? nullptr : r.winners.data() + b * width;
        const auto reduce = strided ? reduce_one_bag<T, I, true> : reduce_one_bag<T, I, false>;
        r.sizes[b] = reduce(base, row_stride, col_stride, width, idx, weights, bags.starts[b], bags.starts[b + 1], pad,
                            args.mode, out + b * width, winner_row);
      }
    });
  });
  return r;
}

}  // namespace tg::core

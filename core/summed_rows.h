#pragma once
// The one walk over a sparse gradient's summed rows: coalesce() builds a tensor from it,
// the sparse optimizer steps update their rows from it. See Note [summed rows].
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "prefetch.h"
#include "tensor.h"

namespace tg::core {

// Note [summed rows]
// A sparse COO tensor of size (S..., D...) is a table of prod(S) rows of width prod(D):
// entry k adds values[k] to the row at its sparse indices read row-major (its position,
// see linear_positions). Summing a row means adding its entries' values in their
// original order, left to right, starting from the first entry's values (not from zero).
// That order is the contract: coalesce() and every optimizer see the same sums, bit for
// bit, and the optimizers' golden trajectories depend on it. How the entries are grouped
// by row (the sort) is private to summed_rows.cpp and may change without callers noticing.
class SummedRows {
 public:
  // Groups the entries by row. The values are read as `dtype` (cast once if they differ).
  // A tensor flagged coalesced is taken as already grouped.
  SummedRows(const Tensor& sparse, Dtype dtype);

  int64_t rows() const { return static_cast<int64_t>(start_.size()) - 1; }  // distinct rows
  int64_t width() const { return width_; }

  // fn(position, summed) once per distinct row, in ascending position; `summed` points at
  // width() values of type T (the tensor's dtype as given), valid during the call only.
  // prefetch(position) is called kPrefetchAhead entries before fn reaches that row, so a
  // caller can ask for the rows of its own tables early (a large table misses the cache).
  template <class T, class Fn, class Prefetch> void for_each(Fn&& fn, Prefetch&& prefetch) const;
  template <class T, class Fn> void for_each(Fn&& fn) const {
    for_each<T>(fn, [](int64_t) {});
  }

  // coalesce()'s output: for each distinct row u, in ascending position, positions[u]
  // and out[u * width() ...] = 0 + its sum (PyTorch sums into zeros: the same values,
  // except that a row summing to -0.0 comes out +0.0). Written in place, row by row:
  // (0 + a) + b + ... is 0 + (a + b + ...) to the bit, -0.0 and NaNs included.
  template <class T> void write_sums(int64_t* positions, T* out) const;

 private:
  int64_t position(int64_t k) const {
    const auto key = static_cast<int64_t>(key_[k] >> shift_);
    return rank_position_.empty() ? key : rank_position_[key];
  }
  int64_t entry(int64_t k) const { return static_cast<int64_t>(key_[k] & ((uint64_t{1} << shift_) - 1)); }

  Tensor values_;              // contiguous, in the requested dtype
  int64_t width_ = 1;
  int shift_ = 0;              // key_[k] = position << shift_ | entry, entry < 2^shift_ (or rank: see the .cpp)
  std::vector<uint64_t> key_;  // grouped by row: ascending position, entries in their order
  std::vector<int64_t> start_; // row u is key_[start_[u]] .. key_[start_[u + 1] - 1]
  std::vector<int64_t> rank_position_;  // empty, or the distinct positions when key_ holds ranks
};

// Row loops over c < n, for float and double
// vectorised and cloned (Note [vector clones]).
void add_row(float* sum, const float* next, int64_t n);
void add_row(double* sum, const double* next, int64_t n);
template <class T> void add_row(T* sum, const T* next, int64_t n) {
  for (int64_t c = 0; c < n; ++c) sum[c] = static_cast<T>(sum[c] + next[c]);
}
// out[c] = out[c] + scale * in[c] (dense += alpha * sparse, row by row).
void add_scaled_row(float* out, const float* in, float scale, int64_t n);
void add_scaled_row(double* out, const double* in, double scale, int64_t n);
template <class T> void add_scaled_row(T* out, const T* in, T scale, int64_t n) {
  for (int64_t c = 0; c < n; ++c) out[c] = static_cast<T>(out[c] + scale * in[c]);
}
void zero_plus_row(float* out, const float* first, int64_t n);
void zero_plus_row(double* out, const double* first, int64_t n);
template <class T> void zero_plus_row(T* out, const T* first, int64_t n) {
  for (int64_t c = 0; c < n; ++c) out[c] = static_cast<T>(T(0) + first[c]);
}

template <class T, class Fn, class Prefetch> void SummedRows::for_each(Fn&& fn, Prefetch&& prefetch) const {
  const T* values = static_cast<const T*>(values_.raw_data());
  const int64_t entries = static_cast<int64_t>(key_.size());
  const auto sum = std::make_unique<T[]>(width_);
  int64_t ahead = 0;
  for (int64_t u = 0; u < rows(); ++u) {
    const int64_t first = start_[u], end = start_[u + 1];
    for (; ahead < std::min(entries, first + kPrefetchAhead); ++ahead) {
      prefetch(position(ahead));
      prefetch_bytes(values + entry(ahead) * width_, static_cast<size_t>(width_) * sizeof(T));
    }
    const T* row = values + entry(first) * width_;
    if (end - first == 1) {  // a single entry: its own values, no copy
      fn(position(first), row);
      continue;
    }
    std::copy(row, row + width_, sum.get());
    for (int64_t k = first + 1; k < end; ++k) add_row(sum.get(), values + entry(k) * width_, width_);
    fn(position(first), static_cast<const T*>(sum.get()));
  }
}

template <class T> void SummedRows::write_sums(int64_t* positions, T* out) const {
  const T* values = static_cast<const T*>(values_.raw_data());
  const int64_t entries = static_cast<int64_t>(key_.size());
  for (int64_t u = 0; u < rows(); ++u) {
    const int64_t first = start_[u], end = start_[u + 1];
    if (first + kPrefetchAhead < entries)
      prefetch_bytes(values + entry(first + kPrefetchAhead) * width_, static_cast<size_t>(width_) * sizeof(T));
    positions[u] = position(first);
    T* row = out + u * width_;
    zero_plus_row(row, values + entry(first) * width_, width_);
    for (int64_t k = first + 1; k < end; ++k) add_row(row, values + entry(k) * width_, width_);
  }
}

}  // namespace tg::core

// Grouping a sparse tensor's entries by row (Note [summed rows] in summed_rows.h).
#include "summed_rows.h"

#include <bit>
#include <cstring>
#include <utility>

#include "layout.h"
#include "simd.h"
#include "sparse.h"

namespace tg::core {

namespace {

// Below this many entries a comparison sort beats the radix sort's bucket counts.
constexpr int64_t kRadixMinEntries = 256;
// At most 2^11 buckets per digit: the counts stay in L1, and a table of up to 2^22 rows
// sorts in two passes.
constexpr int kMaxDigitBits = 11;

// Sorts keys (position << shift | entry) by position, with an LSD radix sort over the
// position's bits only: one counting pass for all digits, then one scatter per digit,
// skipping a digit that every key shares. Each key is unique (its entry) and the
// scatters are stable, so the entries of one row stay in their original order.
void sort_by_position(std::vector<uint64_t>& key, int shift, int position_bits) {
  const int64_t n = static_cast<int64_t>(key.size());
  if (n < kRadixMinEntries) {
    std::sort(key.begin(), key.end());  // unique keys: the entry breaks ties, so stable
    return;
  }
  const int passes = (position_bits + kMaxDigitBits - 1) / kMaxDigitBits;
  const int digit_bits = (position_bits + passes - 1) / passes;
  const int64_t buckets = int64_t{1} << digit_bits;
  const uint64_t mask = static_cast<uint64_t>(buckets - 1);
  std::vector<int64_t> count(static_cast<size_t>(passes * buckets), 0);
  for (const uint64_t k : key)
    for (int p = 0; p < passes; ++p) ++count[p * buckets + ((k >> (shift + p * digit_bits)) & mask)];
  std::vector<uint64_t> out(key.size());
  for (int p = 0; p < passes; ++p) {
    int64_t* start = count.data() + p * buckets;
    if (*std::max_element(start, start + buckets) == n) continue;  // one digit for all: nothing moves
    for (int64_t b = 0, total = 0; b < buckets; ++b) total += std::exchange(start[b], total);
    const int digit_shift = shift + p * digit_bits;
    for (const uint64_t k : key) out[start[(k >> digit_shift) & mask]++] = k;
    key.swap(out);
  }
}

// No __restrict: dense += sparse may be handed overlapping rows; the compiler checks
// for overlap at run time and takes the vector loop when there is none.
template <class T> TG_ALWAYS_INLINE void add_row_body(T* sum, const T* next, int64_t n) {
  for (int64_t c = 0; c < n; ++c) sum[c] = sum[c] + next[c];
}

template <class T>
TG_ALWAYS_INLINE void add_scaled_row_body(T* out, const T* in, T scale, int64_t n) {
  for (int64_t c = 0; c < n; ++c) out[c] = out[c] + scale * in[c];
}

template <class T>
TG_ALWAYS_INLINE void zero_plus_row_body(T* out, const T* first, int64_t n) {
  for (int64_t c = 0; c < n; ++c) out[c] = T(0) + first[c];
}

}  // namespace

void add_row(float* sum, const float* next, int64_t n) { vector_clones<add_row_body<float>>(sum, next, n); }
void add_row(double* sum, const double* next, int64_t n) { vector_clones<add_row_body<double>>(sum, next, n); }
void add_scaled_row(float* out, const float* in, float scale, int64_t n) {
  vector_clones<add_scaled_row_body<float>>(out, in, scale, n);
}
void add_scaled_row(double* out, const double* in, double scale, int64_t n) {
  vector_clones<add_scaled_row_body<double>>(out, in, scale, n);
}
void zero_plus_row(float* out, const float* first, int64_t n) { vector_clones<zero_plus_row_body<float>>(out, first, n); }
void zero_plus_row(double* out, const double* first, int64_t n) {
  vector_clones<zero_plus_row_body<double>>(out, first, n);
}

SummedRows::SummedRows(const Tensor& sparse, Dtype dtype) : values_(contiguous(cast(sparse.values(), dtype))) {
  for (int64_t d = sparse.sparse_dim(); d < sparse.dim(); ++d) width_ *= sparse.size(d);
  const Tensor indices = sparse.indices();
  const int64_t entries = indices.size(1), sparse_dim = indices.size(0);
  int64_t table_rows = 1;
  for (int64_t d = 0; d < sparse_dim; ++d) table_rows *= sparse.size(d);
  shift_ = entries > 1 ? std::bit_width(static_cast<uint64_t>(entries - 1)) : 0;
  const int position_bits = table_rows > 1 ? std::bit_width(static_cast<uint64_t>(table_rows - 1)) : 0;
  std::vector<int64_t> positions;
  const int64_t* row_of = nullptr;  // row_of[k]: entry k's position (or rank, below)
  if (sparse_dim == 1) {  // the common case (an embedding table): the indices are the positions
    row_of = indices.data_ptr<int64_t>();
  } else {
    positions = linear_positions(indices, sparse.sizes());
    row_of = positions.data();
  }
  if (shift_ + position_bits > 64) {
    // A position and an entry number do not share 64 bits (a table of over 2^40 rows
    // for a million entries): the key holds the position's rank among the distinct
    // positions instead, and rank_position_ maps it back.
    rank_position_.assign(row_of, row_of + entries);
    std::sort(rank_position_.begin(), rank_position_.end());
    rank_position_.erase(std::unique(rank_position_.begin(), rank_position_.end()), rank_position_.end());
    std::vector<int64_t> rank(entries);  // < entries: with the entry, 2 * shift_ bits (nnz < 2^32)
    for (int64_t k = 0; k < entries; ++k)
      rank[k] = std::lower_bound(rank_position_.begin(), rank_position_.end(), row_of[k]) - rank_position_.begin();
    positions = std::move(rank);
    row_of = positions.data();
  }
  key_.resize(entries);
  for (int64_t k = 0; k < entries; ++k) key_[k] = static_cast<uint64_t>(row_of[k]) << shift_ | k;
  if (!sparse.is_coalesced() && !std::is_sorted(key_.begin(), key_.end())) {
    const int key_bits = rank_position_.empty() ? position_bits : shift_;
    sort_by_position(key_, shift_, key_bits);
  }
  start_.reserve(entries + 1);
  for (int64_t k = 0; k < entries; ++k)
    if (k == 0 || (key_[k] >> shift_) != (key_[k - 1] >> shift_)) start_.push_back(k);
  start_.push_back(entries);
}

}  // namespace tg::core

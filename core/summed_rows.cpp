// Grouping a sparse tensor's entries by row (Note [summed rows] in summed_rows.h).
#include "summed_rows.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "kernels.h"
#include "sparse.h"

namespace tg::core {

namespace {

// Sorts the entries by position, stably (entries of one row keep their original order):
// an LSD radix sort, one counting pass per 8 bits a position can have (two for a table
// of up to 65536 rows, three up to 2^24). order and position come back permuted alike.
void sort_by_position(std::vector<int64_t>& order, std::vector<int64_t>& position, int64_t max_position) {
  constexpr int kDigitBits = 8;
  constexpr int64_t kBuckets = int64_t{1} << kDigitBits;
  const int64_t n = static_cast<int64_t>(order.size());
  std::vector<int64_t> order_out(n), position_out(n);
  for (int shift = 0; shift < 64 && (max_position >> shift) > 0; shift += kDigitBits) {
    int64_t start[kBuckets] = {};
    for (int64_t k = 0; k < n; ++k) ++start[(position[k] >> shift) & (kBuckets - 1)];
    if (*std::max_element(start, start + kBuckets) == n) continue;  // one digit for all: nothing moves
    for (int64_t b = 0, total = 0; b < kBuckets; ++b) total += std::exchange(start[b], total);
    for (int64_t k = 0; k < n; ++k) {
      const int64_t to = start[(position[k] >> shift) & (kBuckets - 1)]++;
      order_out[to] = order[k];
      position_out[to] = position[k];
    }
    order.swap(order_out);
    position.swap(position_out);
  }
}

}  // namespace

SummedRows::SummedRows(const Tensor& sparse, Dtype dtype) : values_(contiguous(cast(sparse.values(), dtype))) {
  for (int64_t d = sparse.sparse_dim(); d < sparse.dim(); ++d) width_ *= sparse.size(d);
  position_ = linear_positions(sparse.indices(), sparse.sizes());
  const int64_t entries = static_cast<int64_t>(position_.size());
  order_.resize(entries);
  std::iota(order_.begin(), order_.end(), 0);
  if (!sparse.is_coalesced() && !std::is_sorted(position_.begin(), position_.end())) {
    int64_t table_rows = 1;
    for (int64_t d = 0; d < sparse.sparse_dim(); ++d) table_rows *= sparse.size(d);
    sort_by_position(order_, position_, table_rows - 1);
  }
  for (int64_t k = 0; k < entries; ++k)
    if (k == 0 || position_[k] != position_[k - 1]) start_.push_back(k);
  start_.push_back(entries);
}

}  // namespace tg::core

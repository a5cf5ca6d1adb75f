// Grouping a sparse tensor's entries by row (Note [summed rows] in summed_rows.h).
#include "summed_rows.h"

#include <numeric>

#include "kernels.h"
#include "sparse.h"

namespace tg::core {

SummedRows::SummedRows(const Tensor& sparse, Dtype dtype) : values_(contiguous(cast(sparse.values(), dtype))) {
  for (int64_t d = sparse.sparse_dim(); d < sparse.dim(); ++d) width_ *= sparse.size(d);
  const std::vector<int64_t> position = linear_positions(sparse.indices(), sparse.sizes());
  const int64_t entries = static_cast<int64_t>(position.size());
  order_.resize(entries);
  std::iota(order_.begin(), order_.end(), 0);
  // Stable, so the entries of one row keep their original order: deterministic sums.
  if (!sparse.is_coalesced())
    std::stable_sort(order_.begin(), order_.end(), [&](int64_t a, int64_t b) { return position[a] < position[b]; });
  position_.resize(entries);
  for (int64_t k = 0; k < entries; ++k) position_[k] = position[order_[k]];
  for (int64_t k = 0; k < entries; ++k)
    if (k == 0 || position_[k] != position_[k - 1]) start_.push_back(k);
  start_.push_back(entries);
}

}  // namespace tg::core

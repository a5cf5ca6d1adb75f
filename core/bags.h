#pragma once
// Bag kernels: embedding_bag's argument checks and its forward reduction. No autograd
// here; autograd/ops/embedding_bag.cpp wraps them, and the derivatives are in
// autograd/ops/embedding_bag_backward.h.
//
// Shape letters: V rows of the table, D its width, N lookups (indices.numel()), B bags.
//
//   tg::core::BagBounds bags = tg::core::check_embedding_bag("embedding_bag", table, ids, offsets, {}, args);
//   tg::core::BagReduction r = tg::core::reduce_bags(table, flat_ids, bags, {}, args);   // r.out: (B, D)
#include <cstdint>
#include <vector>

#include "tensor.h"

namespace tg::core {

// Bag b holds the lookups at positions [starts[b], starts[b + 1]) of the flattened
// indices; starts has B + 1 entries, non-decreasing, from 0.
struct BagBounds {
  std::vector<int64_t> starts;
  int64_t num_bags() const { return static_cast<int64_t>(starts.size()) - 1; }
};

// Validates one call, everything the kernels below assume, and returns its bags. The
// checks run in PyTorch's order where it has one (per_sample_weights' shape, the input's
// rank and offsets, mode conflicts, dtypes); then the offsets (offsets[0] = 0,
// non-decreasing, none past the input, the last = N with include_last_offset) and the
// indices' range, each error naming the bad position and value.
BagBounds check_embedding_bag(const char* where, const Tensor& weight, const Tensor& indices, const Tensor& offsets,
                              const Tensor& per_sample_weights, const EmbeddingBagArgs& args);

// The forward result and what the backward needs from it.
struct BagReduction {
  Tensor out;                    // (B, D), zeros for a bag with no non-padding lookup
  std::vector<int64_t> sizes;    // per bag: its non-padding lookups (Mean divides by this)
  std::vector<int64_t> winners;  // Max only, B * D: the row each output element came from; -1 in an empty bag
};

// table (V, D); indices (N) contiguous and checked; per_sample_weights (N) contiguous
// or undefined. Accumulates each row straight into its bag's output row: the (N, D)
// gathered rows are never made.
BagReduction reduce_bags(const Tensor& table, const Tensor& indices, const BagBounds& bags,
                         const Tensor& per_sample_weights, const EmbeddingBagArgs& args);

}  // namespace tg::core

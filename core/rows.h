#pragma once
// Row kernels: the lookup table's forward and the max_norm renormalisation. No
// autograd here; autograd/ops/embedding.cpp wraps them, and the lookup's derivatives
// are in autograd/ops/embedding_backward.h.
//
// Shape letters: V rows of the table, D its width, N lookups (indices.numel()).
//
//   tg::Tensor table = tg::randn({V, D});
//   tg::core::check_lookup_indices("embedding", ids, V);      // throws, naming the bad position
//   tg::Tensor rows = tg::core::gather_rows(table, ids);      // ids.shape + (D)
#include <cstdint>

#include "tensor.h"

namespace tg::core {

// indices must be int64 or int32 (tg::TypeError naming the dtype otherwise).
void check_index_dtype(const char* where, const Tensor& indices);
// Every index must lie in [0, num_rows); the first that does not is named by its
// position and value (tg::IndexError). Negative indices are never wrapped.
void check_indices_in_range(const char* where, const Tensor& indices, int64_t num_rows);
// Both of the above.
void check_lookup_indices(const char* where, const Tensor& indices, int64_t num_rows);

// table (V, D), indices of any shape S (validated) -> a fresh contiguous (S..., D).
Tensor gather_rows(const Tensor& table, const Tensor& indices);

// Note [max_norm is a bound]: max_norm must be >= 0 (tg::ValueError otherwise, NaN
// included). PyTorch accepts a negative one and then multiplies every referenced row
// by max_norm / (norm + 1e-7) < 0, flipping its sign; a norm is never negative, so no
// negative bound means anything. norm_type is any p, as in PyTorch (p <= 0 included).
void check_max_norm(const char* where, double max_norm);

// Scales, in place, every distinct referenced row whose p-norm exceeds max_norm by
// max_norm / (norm + 1e-7). Does not validate and does not bump the version: the
// caller (tg::embedding_renorm_) does both, once per call.
void renorm_rows(const Tensor& table, const Tensor& indices, double max_norm, double norm_type);

}  // namespace tg::core

#pragma once
// Sorting kernels (core/sort.cpp): sort and topk along one dim, and the scatter that
// puts their values' gradient back. No autograd here.
//
// Note [sort order]: NaN sorts above every number (last ascending, first descending),
// as in PyTorch. Among equal values, a stable sort keeps input order; the default sort
// and topk run the same libstdc++ algorithms PyTorch 1.13's CPU kernels run (std::sort,
// std::partial_sort, std::nth_element) on the same (value, index) sequence with the same
// comparator, so their tie order is PyTorch's too.
#include <utility>

#include "tensor.h"

namespace tg::core {

// (values, int64 indices) of t sorted along `dim` (normalised; any dim of a 0-d tensor).
std::pair<Tensor, Tensor> sort(const Tensor& t, int64_t dim, bool descending, bool stable);
// The k largest (or smallest) along dim; 0 <= k <= size(dim) checked by the caller.
std::pair<Tensor, Tensor> topk(const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted);
// A zero tensor of `shape` with src's slices along dim written at `indices` (distinct
// within each slice, as sort and topk give): out[..., indices[..., j], ...] = src[..., j, ...].
Tensor scatter_slices(const Tensor& src, const Tensor& indices, int64_t dim, const Shape& shape);

}  // namespace tg::core

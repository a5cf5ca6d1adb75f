#pragma once
// max/min kernels (core/reduce_minmax.cpp), over all elements or along one dim. NaN
// wins over every number, and among equal values the first index wins, as in PyTorch
// on CPU. `where` names the op in errors.
#include <utility>

#include "tensor.h"

namespace tg::core {

enum class Extremum { Max, Min };
Tensor extremum_all(Extremum op, const Tensor& t, const char* where);      // 0-d value
Tensor arg_extremum_all(Extremum op, const Tensor& t, const char* where);  // 0-d int64 flat index
// (values, int64 indices) along one normalised dim.
std::pair<Tensor, Tensor> extremum_dim(Extremum op, const Tensor& t, int64_t dim, bool keepdim, const char* where);

}  // namespace tg::core

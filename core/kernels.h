#pragma once
// Kernels: computation on tensors with no autograd. autograd/ops/ wraps these with
// backward rules; optimizers call them directly under NoGradGuard.
#include <optional>

#include "tensor.h"

namespace tg::core {

// ---- construction and layout (core/tensor.cpp)
Tensor make_tensor(Shape sizes, Dtype dtype, bool zero = false);
Shape contiguous_strides(const Shape& sizes);
int64_t numel_of(const Shape& sizes);
// A view of base's storage with new geometry; marked is_view.
Tensor as_strided(const Tensor& base, Shape sizes, Shape strides, int64_t offset);
// Copies src into dst elementwise, broadcasting src and converting dtype. No version bump.
void copy_into(const Tensor& dst, const Tensor& src);
// Writing into an expanded tensor (stride 0, size > 1) is refused: tg::ValueError.
void check_no_internal_overlap(const char* where, const Tensor& dst);
Tensor contiguous(const Tensor& t);  // returns t itself when already contiguous
Tensor cast(const Tensor& t, Dtype dtype);  // t itself when dtype matches
Tensor clone(const Tensor& t);  // always a fresh contiguous copy
Tensor fill(const Tensor& t, double value);  // in place, no version bump; returns t
Shape broadcast_shapes(const char* where, const Shape& a, const Shape& b);
void check_dense(const char* where, const Tensor& t);
void check_defined(const char* where, const Tensor& t);

// ---- elementwise (core/elementwise.cpp)
enum class UnaryOp { Neg, Exp, Log, Sqrt, Abs, Sigmoid, Tanh, Relu, LogSigmoid, Sign, Reciprocal,
                     Square, Log1p, Expm1 };
enum class BinaryOp { Add, Sub, Mul, Div, Pow, Maximum, Minimum };
enum class CompareOp { Eq, Ne, Lt, Le, Gt, Ge };
// The dtype of `a op b` under PyTorch's promotion (wrapped numbers and 0-d tensors
// only raise the category: bool < integer < floating).
Dtype result_type(const Tensor& a, const Tensor& b);
Tensor unary(UnaryOp op, const Tensor& a);  // integer input promotes to float32 except Neg/Abs/Sign/Square
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);  // broadcasts
Tensor add_scaled(const Tensor& a, const Tensor& b, double alpha);  // a + alpha * b
// PyTorch refuses subtraction when either operand is bool (tg::TypeError).
void check_sub_operands(const Tensor& a, const Tensor& b);
// An integral dtype needs an integral alpha (tg::TypeError).
void check_alpha(const char* where, Dtype dtype, double alpha);
Tensor compare(CompareOp op, const Tensor& a, const Tensor& b);  // bool result
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
// A C++ number as a 0-d "wrapped number" tensor (float64, int64 or bool).
Tensor wrapped_scalar(Scalar value);
Tensor pow_scalar(const Tensor& a, double exponent);
Tensor clamp(const Tensor& a, std::optional<double> min, std::optional<double> max);
Tensor softplus(const Tensor& a, double beta, double threshold);
// Fused backward rules of unary ops: one pass over (grad, saved) instead of a chain
// of tensor ops, each with its own allocation. `saved` is the op's output for Exp,
// Sqrt, Sigmoid, Tanh and Relu, and its input for Log, Abs and LogSigmoid.
enum class UnaryBackwardOp { Exp, Log, Sqrt, Abs, Sigmoid, Tanh, Relu, LogSigmoid };
Tensor unary_backward(UnaryBackwardOp op, const Tensor& grad, const Tensor& saved);
// In place on dst (dense, not broadcast): dst = dst op src (src broadcasts to dst).
void binary_into(BinaryOp op, const Tensor& dst, const Tensor& src);
void add_scaled_into(const Tensor& dst, const Tensor& src, double alpha);  // dst += alpha * src

// ---- reductions (core/reduce.cpp)
// Sums t down to `shape` (the inverse of broadcasting `shape` to t.sizes()).
Tensor sum_to(const Tensor& t, const Shape& shape);

}  // namespace tg::core

namespace tg::core {
// Sum over `dims` (already normalised, any order, no duplicates).
Tensor sum_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim);
}  // namespace tg::core

namespace tg::core {
// A contiguous tensor that the caller just made, given another shape of the same
// numel. Not a view: nothing else can see its storage.
Tensor with_shape(const Tensor& fresh, Shape shape);
}  // namespace tg::core

namespace tg::core {
// Autograd state can only hang off a defined, dense or sparse tensor.
void check_defined_for_autograd(const Tensor& t);
}  // namespace tg::core

namespace tg::core {
// Concatenation along dim of tensors that agree in every other dim (one dtype).
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
}  // namespace tg::core

namespace tg::core {
// The slices that a reduction over `dims` (normalised, sorted, distinct) reads, laid
// out as the rows of a contiguous (count, length) block: the reduced dims are moved
// last, so row i is the slice that output element i reduces. `rows` is t itself when
// t is contiguous and the reduced dims are already innermost (then nothing is copied).
struct ReductionSlices {
  Tensor rows;
  int64_t count = 0;   // output elements
  int64_t length = 0;  // elements per slice
  Shape out_shape;     // sizes of the result (reduced dims kept as 1 when keepdim)
  Shape order;         // the permutation of t's dims that `rows` is laid out in
};
ReductionSlices reduction_slices(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim);
// The per-element inverse of reduction_slices: `rows_like` has the (count, length) layout
// of `slices.rows`; returns it in t's own dim order and sizes, contiguous.
Tensor from_reduction_layout(const Tensor& rows_like, const ReductionSlices& slices, const Shape& in_shape);
// Mean over dims (floating t only): summed in double and divided before rounding.
// An empty slice gives nan, as 0 / 0.
Tensor mean_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim);
// Product over dims; integer and bool input give int64. An empty slice gives 1.
Tensor prod_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim);
// Same shape as t: each element is the product of the OTHER elements of its slice over
// dims, built from prefix and suffix products (no division, so exact with zeros).
Tensor prod_others(const Tensor& t, const std::vector<int64_t>& dims);
// The p-norm over dims of a floating t; p = 0 counts non-zeros, p = +-inf is max/min |x|.
// An empty slice gives 0 (for every p, as torch.norm in PyTorch 1.13).
Tensor norm_dims(const Tensor& t, double p, const std::vector<int64_t>& dims, bool keepdim);
// max/min (core/reduce_minmax.cpp). NaN wins over every number, and among equal values
// the first index wins, as in PyTorch on CPU. `where` names the op in errors.
enum class Extremum { Max, Min };
Tensor extremum_all(Extremum op, const Tensor& t, const char* where);      // 0-d value
Tensor arg_extremum_all(Extremum op, const Tensor& t, const char* where);  // 0-d int64 flat index
// (values, int64 indices) along one normalised dim.
std::pair<Tensor, Tensor> extremum_dim(Extremum op, const Tensor& t, int64_t dim, bool keepdim, const char* where);
}  // namespace tg::core

namespace tg::core {
// Slices of t along dim picked by index (int32 or int64, 1-d, values already checked
// to lie in [0, t.size(dim))): out.size(dim) == index.numel(). t has at least one dim.
Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
// dst.select(dim, index[i]) += alpha * src.select(dim, i) for every i, in place with no
// version bump; a repeated index receives every slice. Same checked preconditions.
void index_add_into(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, double alpha);
}  // namespace tg::core

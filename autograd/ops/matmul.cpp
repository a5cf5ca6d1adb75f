// Matrix products and their backward rules: dot, mv, mm, bmm, and matmul, which
// dispatches on the operands' dims exactly as torch.matmul does in PyTorch 1.13, so
// that results and grad_fn names agree case by case.
//
// Shapes: B batch, M rows of the result, K the contracted dim, N columns of the result.
#include <fmt/format.h>

#include "../../core/blas.h"
#include "../../core/layout.h"
#include "recording.h"

namespace tg {

namespace {

void check_operands(const char* where, const Tensor& a, const Tensor& b) {
  core::check_dense(where, a);
  core::check_dense(where, b);
  if (a.dtype() != b.dtype())
    throw TypeError(fmt::format("{}: the operands have dtypes {} and {}; expected one dtype (convert one with to())",
                                where, dtype_name(a.dtype()), dtype_name(b.dtype())));
  if (a.dtype() == kBool)
    throw TypeError(fmt::format("{}: the operands are bool; expected a numeric dtype (convert with to())", where));
}

void check_dim(const char* where, const char* operand, const Tensor& t, int64_t expected) {
  if (t.dim() != expected)
    throw ValueError(fmt::format("{}: {} has shape {} ({}-d); expected a {}-d tensor", where, operand,
                                 shape_string(t.sizes()), t.dim(), expected));
}

void check_contracted(const char* where, const Tensor& a, const Tensor& b, int64_t k_a, int64_t k_b) {
  if (k_a != k_b)
    throw ValueError(fmt::format("{}: shapes {} and {} cannot be multiplied ({} != {})", where,
                                 shape_string(a.sizes()), shape_string(b.sizes()), k_a, k_b));
}

// check_operands, then the dims each operand must have.
void check_product(const char* where, const Tensor& a, const Tensor& b, int64_t dim_a, int64_t dim_b,
                   const char* name_a = "the first operand", const char* name_b = "the second operand") {
  check_operands(where, a, b);
  check_dim(where, name_a, a, dim_a);
  check_dim(where, name_b, b, dim_b);
}

// Records out = a x b for dot, mv, mm and bmm, whose backward reads b for a's gradient and
// a for b's: each operand is saved only when the other needs a gradient, and
// grad_a(grad, b), grad_b(grad, a) run only for an operand that needs one.
template <class GradA, class GradB>
Tensor record_product(const char* name, const Tensor& out, const Tensor& a, const Tensor& b, GradA grad_a,
                      GradB grad_b) {
  if (!should_record({a, b})) return out;
  const bool need_a = a.requires_grad(), need_b = b.requires_grad();
  const SavedTensor sa(need_b ? a : Tensor()), sb(need_a ? b : Tensor());
  return record(name, out, {a, b}, [sa, sb, need_a, need_b, grad_a, grad_b](const Tensor& grad) -> Gradients {
    return {need_a ? grad_a(grad, sb.get()) : Tensor(), need_b ? grad_b(grad, sa.get()) : Tensor()};
  }, {.saved = {sa, sb}});
}

// Geometry-only views for the kernels: a vector as a (K, 1) column or a (1, K) row.
Tensor as_column(const Tensor& v) { return core::as_strided(v, {v.size(0), 1}, {v.strides()[0], 1}, v.storage_offset()); }
Tensor as_row(const Tensor& v) { return core::as_strided(v, {1, v.size(0)}, {0, v.strides()[0]}, v.storage_offset()); }

// A fresh product given its final shape. PyTorch records this reshape of a result that
// nothing else can see as _unsafe_view, hence the name.
Tensor unsafe_view(const Tensor& fresh, Shape shape) {
  Tensor out = core::with_shape(fresh, std::move(shape));
  if (!should_record({fresh})) return out;
  return record("UnsafeViewBackward0", out, {fresh},
                [in_shape = fresh.sizes()](const Tensor& grad) -> Gradients { return {grad.reshape(in_shape)}; });
}

// squeeze(0) of a fresh (1, N) product; PyTorch 1.13 squeezes it in place (squeeze_),
// which it records as SqueezeBackward3.
Tensor squeeze_fresh_row(const Tensor& fresh) {
  Tensor out = core::with_shape(fresh, {fresh.size(1)});
  if (!should_record({fresh})) return out;
  return record("SqueezeBackward3", out, {fresh},
                [](const Tensor& grad) -> Gradients { return {grad.unsqueeze(0)}; });
}

// Note [gradient in the operand's layout]
// When an operand of mm or bmm is a transposed view (its last two dims swapped, as
// v.transpose(1, 2) is), its gradient is computed as the transposed product and handed
// back as a transposed view: (A^T G)^T = G^T A, the same values with the operand's
// layout. The backward of the transpose then receives a contiguous tensor, and the
// consumer behind it (an embedding lookup's sparse gradient) copies nothing; the
// product itself runs along unit-stride rows. PyTorch's mm backward makes the same choice.
bool transposed_matrix(const Tensor& t) {
  const int64_t d = t.dim();
  const int64_t rows = t.size(d - 2), cols = t.size(d - 1);
  return rows > 1 && cols > 1 && t.strides()[d - 2] == 1 && t.strides()[d - 1] >= rows;
}

Shape concat(Shape front, const Shape& back) {
  front.insert(front.end(), back.begin(), back.end());
  return front;
}

}  // namespace

// (K) . (K) -> 0-d
Tensor dot(const Tensor& a, const Tensor& b) {
  check_product("dot", a, b, 1, 1);
  check_contracted("dot", a, b, a.size(0), b.size(0));
  const Tensor out = core::with_shape(core::mm(as_row(a), as_column(b)), {});
  // d(a.b)/da = b, d(a.b)/db = a; grad is 0-d
  return record_product(
      "DotBackward0", out, a, b, [](const Tensor& grad, const Tensor& saved_b) { return grad * saved_b; },
      [](const Tensor& grad, const Tensor& saved_a) { return grad * saved_a; });
}

// (M, K) x (K) -> (M)
Tensor mv(const Tensor& a, const Tensor& v) {
  check_product("mv", a, v, 2, 1, "the matrix", "the vector");
  check_contracted("mv", a, v, a.size(1), v.size(0));
  const Tensor out = core::with_shape(core::mm(a, as_column(v)), {a.size(0)});
  // d(Av)/dA = grad v^T (an outer product), d(Av)/dv = A^T grad
  return record_product(
      "MvBackward0", out, a, v,
      [](const Tensor& grad, const Tensor& saved_v) { return core::mm(as_column(grad), as_row(saved_v)); },
      [](const Tensor& grad, const Tensor& saved_a) { return mv(saved_a.t(), grad); });
}

// (M, K) x (K, N) -> (M, N)
Tensor mm(const Tensor& a, const Tensor& b) {
  check_product("mm", a, b, 2, 2);
  check_contracted("mm", a, b, a.size(1), b.size(0));
  const bool a_t = transposed_matrix(a), b_t = transposed_matrix(b);
  // d(AB)/dA = grad B^T, d(AB)/dB = A^T grad; t() views reach BLAS untransposed. A
  // transposed operand gets its gradient transposed (Note [gradient in the operand's layout]).
  return record_product(
      "MmBackward0", core::mm(a, b), a, b,
      [a_t](const Tensor& grad, const Tensor& saved_b) {
        return a_t ? core::mm(saved_b, grad.t()).t() : core::mm(grad, saved_b.t());
      },
      [b_t](const Tensor& grad, const Tensor& saved_a) {
        return b_t ? core::mm(grad.t(), saved_a).t() : core::mm(saved_a.t(), grad);
      });
}

// (B, M, K) x (B, K, N) -> (B, M, N); no broadcasting of B, as in PyTorch.
Tensor bmm(const Tensor& a, const Tensor& b) {
  check_product("bmm", a, b, 3, 3);
  if (a.size(0) != b.size(0))
    throw ValueError(fmt::format("bmm: shapes {} and {} have batch sizes {} and {}; expected equal batch sizes",
                                 shape_string(a.sizes()), shape_string(b.sizes()), a.size(0), b.size(0)));
  check_contracted("bmm", a, b, a.size(2), b.size(1));
  const bool a_t = transposed_matrix(a), b_t = transposed_matrix(b);
  // Note [gradient in the operand's layout] for a transposed operand.
  return record_product(
      "BmmBackward0", core::bmm(a, b), a, b,
      [a_t](const Tensor& grad, const Tensor& saved_b) {
        return a_t ? core::bmm(saved_b, grad.transpose(1, 2)).transpose(1, 2) : core::bmm(grad, saved_b.transpose(1, 2));
      },
      [b_t](const Tensor& grad, const Tensor& saved_a) {
        return b_t ? core::bmm(grad.transpose(1, 2), saved_a).transpose(1, 2) : core::bmm(saved_a.transpose(1, 2), grad);
      });
}

// torch.matmul's dispatch (aten/src/ATen/native/LinearAlgebra.cpp, 1.13):
//   1-d . 1-d   dot                      2-d x 1-d   mv
//   1-d x 2-d   unsqueeze(0), mm, squeeze  2-d x 2-d   mm
//   N-d x 1/2-d  fold a's batch dims into its rows, one mm/mv, unfold
//   1/2-d x N-d  the same on b^T, then transpose back
//   otherwise   broadcast the batch dims, bmm, unfold
Tensor matmul(const Tensor& a, const Tensor& b) {
  check_operands("matmul", a, b);
  if (a.dim() == 0 || b.dim() == 0)
    throw ValueError(fmt::format("matmul: shapes {} and {} are {}-d and {}-d; expected both operands to be at "
                                 "least 1-d", shape_string(a.sizes()), shape_string(b.sizes()), a.dim(), b.dim()));
  const int64_t dim_a = a.dim(), dim_b = b.dim();
  const int64_t k = a.size(-1);
  check_contracted("matmul", a, b, k, dim_b == 1 ? b.size(0) : b.size(-2));

  if (dim_a == 1 && dim_b == 1) return dot(a, b);
  if (dim_a == 2 && dim_b == 1) return mv(a, b);
  if (dim_a == 1 && dim_b == 2) return squeeze_fresh_row(mm(a.unsqueeze(0), b));
  if (dim_a == 2 && dim_b == 2) return mm(a, b);

  if (dim_a >= 3 && dim_b <= 2) {
    // (..., M, K) x (K[, N]): the batch dims of a are just more rows.
    const Shape batch_rows(a.sizes().begin(), a.sizes().end() - 1);
    const Tensor folded = a.reshape({-1, k});
    if (dim_b == 1) return unsafe_view(mv(folded, b), batch_rows);
    return unsafe_view(mm(folded, b), concat(batch_rows, {b.size(1)}));
  }
  if (dim_a <= 2 && dim_b >= 3) {
    // (K) or (M, K) x (..., K, N): the same fold on b^T, (..., N, K), whose rows
    // multiply a; the result comes back transposed.
    const Shape batch(b.sizes().begin(), b.sizes().end() - 2);
    const int64_t n = b.size(-1);
    const Tensor folded = b.transpose(-1, -2).reshape({-1, k});
    if (dim_a == 1) return unsafe_view(mv(folded, a), concat(batch, {n}));
    const Tensor product_t = unsafe_view(mm(folded, a.t()), concat(batch, {n, a.size(0)}));
    return product_t.transpose(-1, -2).contiguous();
  }

  // Both at least 3-d: broadcast the batch dims, then one bmm over all of them.
  const Shape batch_a(a.sizes().begin(), a.sizes().end() - 2);
  const Shape batch_b(b.sizes().begin(), b.sizes().end() - 2);
  Shape batch;
  try {
    batch = core::broadcast_shapes("matmul", batch_a, batch_b);
  } catch (const ValueError&) {
    throw ValueError(fmt::format("matmul: shapes {} and {} have batch dims {} and {} that cannot be broadcast; "
                                 "expected equal sizes or 1 in each batch dim", shape_string(a.sizes()),
                                 shape_string(b.sizes()), shape_string(batch_a), shape_string(batch_b)));
  }
  const int64_t m = a.size(-2), n = b.size(-1);
  const int64_t batch_size = core::numel_of(batch);
  const Tensor a3 = a.expand(concat(batch, {m, k})).reshape({batch_size, m, k});
  const Tensor b3 = b.expand(concat(batch, {k, n})).reshape({batch_size, k, n});
  return unsafe_view(bmm(a3, b3), concat(batch, {m, n}));
}

Tensor Tensor::matmul(const Tensor& other) const { return tg::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return tg::mm(*this, other); }

}  // namespace tg

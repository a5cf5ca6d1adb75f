// Matrix products through OpenBLAS. Shapes: B batch, M rows, K contracted, N columns.
#include "blas.h"

#include <cblas.h>

#include <algorithm>
#include <optional>

#include "layout.h"

namespace tg::core {

namespace {

CBLAS_TRANSPOSE flag(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

// BLAS reads a matrix as row-major with a leading dimension, either as stored or as
// the transpose of what is stored. A strided (rows, cols) matrix qualifies when one
// of its strides is 1 and the other spans at least a whole row (or column); a t()
// view is the second case and is handed over as "transposed" instead of copied.
// A dim of size 1 never moves the pointer, so its stride does not matter.
struct BlasOperand {
  bool transposed = false;
  int64_t ld = 1;
};

std::optional<BlasOperand> blas_operand(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride) {
  const bool rows_unit = rows <= 1 || row_stride == 1;
  const bool cols_unit = cols <= 1 || col_stride == 1;
  if (cols_unit && (rows <= 1 || row_stride >= std::max<int64_t>(cols, 1)))
    return BlasOperand{false, rows <= 1 ? std::max<int64_t>(cols, 1) : row_stride};
  if (rows_unit && (cols <= 1 || col_stride >= std::max<int64_t>(rows, 1)))
    return BlasOperand{true, cols <= 1 ? std::max<int64_t>(rows, 1) : col_stride};
  return std::nullopt;
}

// The operand as BLAS will read it, with a contiguous copy only when its strides
// leave no other choice (e.g. a matrix expanded along a dim, stride 0).
std::pair<Tensor, BlasOperand> prepare(const Tensor& t) {
  const Shape& s = t.strides();
  if (auto layout = blas_operand(t.size(1), t.size(2), s[1], s[2])) return {t, *layout};
  Tensor copy = contiguous(t);
  return {copy, *blas_operand(t.size(1), t.size(2), copy.strides()[1], copy.strides()[2])};
}

template <class T> void bmm_blas(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  const auto [a_data, a_layout] = prepare(a);
  const auto [b_data, b_layout] = prepare(b);
  const T* a_ptr = a_data.template data_ptr<T>();
  const T* b_ptr = b_data.template data_ptr<T>();
  T* c_ptr = out.template data_ptr<T>();
  for (int64_t i = 0; i < batch; ++i)
    gemm(a_layout.transposed, b_layout.transposed, m, n, k, T(1), a_ptr + i * a_data.strides()[0], a_layout.ld,
         b_ptr + i * b_data.strides()[0], b_layout.ld, T(0), c_ptr + i * m * n, n);
}

// out = a @ b per batch entry as the strided loops below read it: sizes (B, M, N, K),
// the operands' strides and the three data pointers.
template <class T> struct StridedProduct {
  StridedProduct(const Tensor& a, const Tensor& b, const Tensor& out)
      : batch(out.size(0)), m(out.size(1)), n(out.size(2)), k(a.size(2)), as(a.strides()), bs(b.strides()),
        a_ptr(a.template data_ptr<T>()), b_ptr(b.template data_ptr<T>()), c_ptr(out.template data_ptr<T>()) {}
  int64_t batch, m, n, k;
  const Shape& as;
  const Shape& bs;
  const T* a_ptr;
  const T* b_ptr;
  T* c_ptr;
};

// Integer matmul: BLAS has none. The i-k-j order walks b and out along rows.
template <class T> void bmm_loop(const Tensor& a, const Tensor& b, const Tensor& out) {
  const auto [batch, m, n, k, as, bs, a_ptr, b_ptr, c_ptr] = StridedProduct<T>(a, b, out);
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t i = 0; i < m; ++i) {
      T* c_row = c_ptr + (p * m + i) * n;
      for (int64_t kk = 0; kk < k; ++kk) {
        const T a_ik = a_ptr[p * as[0] + i * as[1] + kk * as[2]];
        const T* b_row = b_ptr + p * bs[0] + kk * bs[1];
        for (int64_t j = 0; j < n; ++j) c_row[j] += a_ik * b_row[j * bs[2]];
      }
    }
}

// Many tiny products (word2vec's B x (1+K, D) by (D, 1)) spend more time in one BLAS
// call's setup than in the arithmetic, so below this many multiply-adds per matrix
// the loops below are used instead. They read any strides, so nothing is copied.
constexpr int64_t kSmallProduct = 16384;

// Eight partial sums: a float reduction is not vectorised unless reassociated by hand;
// the compiler turns the inner loop into vector multiply-adds.
template <class T> T unit_dot(const T* a, const T* b, int64_t k) {
  T acc[8] = {};
  int64_t kk = 0;
  for (; kk + 8 <= k; kk += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[kk + l] * b[kk + l];
  T tail = 0;
  for (; kk < k; ++kk) tail += a[kk] * b[kk];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

template <class T> T strided_dot(const T* a, int64_t sa, const T* b, int64_t sb, int64_t k) {
  if (sa == 1 && sb == 1) return unit_dot(a, b, k);
  T sum = 0;
  for (int64_t kk = 0; kk < k; ++kk) sum += a[kk * sa] * b[kk * sb];
  return sum;
}

// out (fresh, contiguous) = a @ b per batch entry, floating types, any strides.
template <class T> void bmm_small(const Tensor& a, const Tensor& b, const Tensor& out) {
  const auto [batch, m, n, k, as, bs, a_ptr, b_ptr, c_ptr] = StridedProduct<T>(a, b, out);
  for (int64_t p = 0; p < batch; ++p) {
    const T* ap = a_ptr + p * as[0];
    const T* bp = b_ptr + p * bs[0];
    T* cp = c_ptr + p * m * n;
    if (k == 1) {
      // An outer product: the backward (1+K, 1) x (1, D) of the product below.
      for (int64_t i = 0; i < m; ++i) {
        const T a_i = ap[i * as[1]];
        T* c_row = cp + i * n;
        if (bs[2] == 1)
          for (int64_t j = 0; j < n; ++j) c_row[j] = a_i * bp[j];
        else
          for (int64_t j = 0; j < n; ++j) c_row[j] = a_i * bp[j * bs[2]];
      }
    } else if (as[1] != 1 || as[2] == 1) {
      // Dot products along k: the forward of (1+K, D) x (D, 1).
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) cp[i * n + j] = strided_dot(ap + i * as[1], as[2], bp + j * bs[2], bs[1], k);
    } else {
      // a's columns are contiguous (a transposed view): accumulate a column at a time,
      // the backward (D, 1+K) x (1+K, 1) of the product above.
      std::fill(cp, cp + m * n, T(0));
      if (n == 1) {  // the common case, with a unit stride the compiler can see
        for (int64_t kk = 0; kk < k; ++kk) {
          const T b_k = bp[kk * bs[1]];
          const T* a_col = ap + kk * as[2];
          for (int64_t i = 0; i < m; ++i) cp[i] += a_col[i] * b_k;
        }
        continue;
      }
      for (int64_t kk = 0; kk < k; ++kk)
        for (int64_t j = 0; j < n; ++j) {
          const T b_kj = bp[kk * bs[1] + j * bs[2]];
          const T* a_col = ap + kk * as[2];
          T* c_col = cp + j;
          for (int64_t i = 0; i < m; ++i) c_col[i * n] += a_col[i] * b_kj;
        }
    }
  }
}

}  // namespace

void gemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, flag(transpose_a), flag(transpose_b), static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a, static_cast<blasint>(lda), b,
              static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

void gemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, flag(transpose_a), flag(transpose_b), static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a, static_cast<blasint>(lda), b,
              static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  const int64_t batch = a.size(0), m = a.size(1), n = b.size(2), k = a.size(2);
  // The integer loop accumulates into out, so it starts from zeros; so does an empty K.
  const bool floating = is_floating(a.dtype());
  Tensor out = make_tensor({batch, m, n}, a.dtype(), /*zero=*/!floating || k == 0);
  if (batch == 0 || m == 0 || n == 0 || k == 0) return out;
  const bool small = m * n * k <= kSmallProduct;
  if (a.dtype() == kFloat64) {
    if (small) bmm_small<double>(a, b, out);
    else bmm_blas<double>(a, b, out);
  } else if (a.dtype() == kFloat32) {
    if (small) bmm_small<float>(a, b, out);
    else bmm_blas<float>(a, b, out);
  } else if (a.dtype() == kInt64) {
    bmm_loop<int64_t>(a, b, out);
  } else {
    bmm_loop<int32_t>(a, b, out);
  }
  return out;
}

Tensor mm(const Tensor& a, const Tensor& b) {
  // A matrix is a batch of one: prepend a size-1 dim without copying.
  auto batch_of_one = [](const Tensor& t) {
    return as_strided(t, {1, t.size(0), t.size(1)}, {0, t.strides()[0], t.strides()[1]}, t.storage_offset());
  };
  const Tensor out = core::bmm(batch_of_one(a), batch_of_one(b));
  return with_shape(out, {a.size(0), b.size(1)});
}

}  // namespace tg::core

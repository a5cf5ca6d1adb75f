// Matrix products through OpenBLAS. Shapes: B batch, M rows, K contracted, N columns.
#include "blas.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <type_traits>

#include "layout.h"

// The vector helpers below are always inlined into the kernels that use them, so passing
// their 32- or 64-byte vectors by value has no ABI to change: GCC warns about it anyway.
#pragma GCC diagnostic ignored "-Wpsabi"

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

// Note [small products]
// Many tiny products (word2vec's (B, D) x (D, 1+K) per window, or B x (1+K, D) by
// (D, 1)) spend more time in one BLAS call's setup than in the arithmetic, so below this
// many multiply-adds per matrix the loops below are used instead. They read any strides,
// so nothing is copied, and pick their loop order from the strides:
//   rows:  b's rows are unit-stride: out row i = sum over k of a[i, k] * b row k, a
//          multiply-add of whole rows (vectorised along N);
//   dots:  a's rows and b's columns are unit-stride: out[i, j] = a row i . b column j,
//          four columns at a time so that four independent sums hide the add latency;
//   a matrix times a vector, a's columns unit-stride: a column of a at a time;
//   any other strides: plain loops.
// Each output element is summed in increasing k, whatever the path. On x86-64 the float
// kernels are also compiled for AVX2 + FMA and chosen at load time (target_clones).
constexpr int64_t kSmallProduct = 16384;

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__) && \
    !defined(__SANITIZE_ADDRESS__)
#define TG_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define TG_SIMD_CLONES
#endif

// Eight partial sums: a float reduction is not vectorised unless reassociated by hand;
// the compiler turns the inner loop into vector multiply-adds.
template <class T> [[gnu::always_inline]] inline T unit_dot(const T* a, const T* b, int64_t k) {
  T acc[8] = {};
  int64_t kk = 0;
  for (; kk + 8 <= k; kk += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[kk + l] * b[kk + l];
  T tail = 0;
  for (; kk < k; ++kk) tail += a[kk] * b[kk];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

// Eight lanes of T: GCC's vector extension, so the kernels below say which sums run side
// by side instead of hoping the loops vectorise (the default build targets SSE2, whose
// code for these is the same lanes split in halves).
typedef float LanesF [[gnu::vector_size(32)]];
typedef double LanesD [[gnu::vector_size(64)]];
template <class T> using Lanes = std::conditional_t<std::is_same_v<T, float>, LanesF, LanesD>;

template <class T> [[gnu::always_inline]] inline Lanes<T> load_lanes(const T* p) {
  Lanes<T> v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <class T> [[gnu::always_inline]] inline T sum_lanes(const Lanes<T>& v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

// Four dots of one a row with four unit-stride b columns, each summed as unit_dot sums it.
template <class T>
[[gnu::always_inline]] inline void unit_dot4(const T* a, const T* b, int64_t b_col, int64_t k, T* out) {
  Lanes<T> acc0 = {}, acc1 = {}, acc2 = {}, acc3 = {};
  const T *b0 = b, *b1 = b + b_col, *b2 = b + 2 * b_col, *b3 = b + 3 * b_col;
  int64_t kk = 0;
  for (; kk + 8 <= k; kk += 8) {
    const Lanes<T> x = load_lanes(a + kk);
    acc0 += x * load_lanes(b0 + kk);
    acc1 += x * load_lanes(b1 + kk);
    acc2 += x * load_lanes(b2 + kk);
    acc3 += x * load_lanes(b3 + kk);
  }
  T tail[4] = {};
  for (; kk < k; ++kk) {
    tail[0] += a[kk] * b0[kk];
    tail[1] += a[kk] * b1[kk];
    tail[2] += a[kk] * b2[kk];
    tail[3] += a[kk] * b3[kk];
  }
  out[0] = sum_lanes<T>(acc0) + tail[0];
  out[1] = sum_lanes<T>(acc1) + tail[1];
  out[2] = sum_lanes<T>(acc2) + tail[2];
  out[3] = sum_lanes<T>(acc3) + tail[3];
}

// c row (N) = sum over k of a_k[k * a_step] * b row k (unit-stride, row stride b_row), in
// increasing k; 32 columns at a time stay in registers while k runs.
template <class T>
[[gnu::always_inline]] inline void axpy_rows(int64_t n, int64_t k, const T* a, int64_t a_step, const T* b,
                                             int64_t b_row, T* c) {
  int64_t j = 0;
  for (; j + 32 <= n; j += 32) {
    const T a_0 = a[0];
    Lanes<T> c0 = a_0 * load_lanes(b + j), c1 = a_0 * load_lanes(b + j + 8);
    Lanes<T> c2 = a_0 * load_lanes(b + j + 16), c3 = a_0 * load_lanes(b + j + 24);
    for (int64_t kk = 1; kk < k; ++kk) {
      const T a_k = a[kk * a_step];
      const T* b_k = b + kk * b_row + j;
      c0 += a_k * load_lanes(b_k);
      c1 += a_k * load_lanes(b_k + 8);
      c2 += a_k * load_lanes(b_k + 16);
      c3 += a_k * load_lanes(b_k + 24);
    }
    std::memcpy(c + j, &c0, sizeof(c0));
    std::memcpy(c + j + 8, &c1, sizeof(c1));
    std::memcpy(c + j + 16, &c2, sizeof(c2));
    std::memcpy(c + j + 24, &c3, sizeof(c3));
  }
  for (; j + 8 <= n; j += 8) {
    Lanes<T> c0 = a[0] * load_lanes(b + j);
    for (int64_t kk = 1; kk < k; ++kk) c0 += a[kk * a_step] * load_lanes(b + kk * b_row + j);
    std::memcpy(c + j, &c0, sizeof(c0));
  }
  for (; j < n; ++j) {
    T sum = a[0] * b[j];
    for (int64_t kk = 1; kk < k; ++kk) sum += a[kk * a_step] * b[kk * b_row + j];
    c[j] = sum;
  }
}

// One matrix: c (M, N, contiguous) = a (M, K) b (K, N), a and b with the given strides.
template <class T>
[[gnu::always_inline]] inline void small_matrix(int64_t m, int64_t n, int64_t k, const T* a, int64_t a_row,
                                                int64_t a_col, const T* b, int64_t b_row, int64_t b_col, T* c) {
  const bool rows = b_col == 1 || n == 1;
  const bool dots = (a_col == 1 || k == 1) && (b_row == 1 || k == 1);
  if (dots && !(rows && n >= 16)) {
    for (int64_t i = 0; i < m; ++i) {
      const T* a_i = a + i * a_row;
      T* c_i = c + i * n;
      int64_t j = 0;
      for (; j + 4 <= n; j += 4) unit_dot4(a_i, b + j * b_col, b_col, k, c_i + j);
      for (; j < n; ++j) c_i[j] = unit_dot(a_i, b + j * b_col, k);
    }
  } else if (n == 1 && a_row == 1) {
    // A matrix-vector product with a's columns unit-stride (a transposed view): add a
    // column of a at a time, vectorised along M.
    const T b_0 = b[0];
    for (int64_t i = 0; i < m; ++i) c[i] = a[i] * b_0;
    for (int64_t kk = 1; kk < k; ++kk) {
      const T b_k = b[kk * b_row];
      const T* __restrict a_k = a + kk * a_col;
      for (int64_t i = 0; i < m; ++i) c[i] += a_k[i] * b_k;
    }
  } else if (rows) {
    for (int64_t i = 0; i < m; ++i) axpy_rows(n, k, a + i * a_row, a_col, b, b_row, c + i * n);
  } else {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        T sum = 0;
        for (int64_t kk = 0; kk < k; ++kk) sum += a[i * a_row + kk * a_col] * b[kk * b_row + j * b_col];
        c[i * n + j] = sum;
      }
  }
}

template <class T>
[[gnu::always_inline]] inline void small_batch(int64_t batch, int64_t m, int64_t n, int64_t k, const T* a,
                                               const int64_t* as, const T* b, const int64_t* bs, T* c) {
  for (int64_t p = 0; p < batch; ++p)
    small_matrix(m, n, k, a + p * as[0], as[1], as[2], b + p * bs[0], bs[1], bs[2], c + p * m * n);
}

TG_SIMD_CLONES void small_batch_f32(int64_t batch, int64_t m, int64_t n, int64_t k, const float* a,
                                    const int64_t* as, const float* b, const int64_t* bs, float* c) {
  small_batch(batch, m, n, k, a, as, b, bs, c);
}

TG_SIMD_CLONES void small_batch_f64(int64_t batch, int64_t m, int64_t n, int64_t k, const double* a,
                                    const int64_t* as, const double* b, const int64_t* bs, double* c) {
  small_batch(batch, m, n, k, a, as, b, bs, c);
}

// out (fresh, contiguous) = a @ b per batch entry, floating types, any strides.
template <class T> void bmm_small(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  const T* a_ptr = a.template data_ptr<T>();
  const T* b_ptr = b.template data_ptr<T>();
  T* c_ptr = out.template data_ptr<T>();
  if constexpr (std::is_same_v<T, float>)
    small_batch_f32(batch, m, n, k, a_ptr, a.strides().data(), b_ptr, b.strides().data(), c_ptr);
  else
    small_batch_f64(batch, m, n, k, a_ptr, a.strides().data(), b_ptr, b.strides().data(), c_ptr);
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

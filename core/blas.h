#pragma once
// Matrix products: thin wrappers over OpenBLAS's cblas_sgemm / cblas_dgemm, and the
// kernels behind tg::mm, tg::bmm and tg::matmul built on them.
//
//   tg::Tensor a = tg::randn({4, 3}), b = tg::randn({5, 3});
//   tg::Tensor c = tg::core::mm(a, b.t());   // b.t() goes to BLAS as "transposed": no copy
//
// Shapes: B batch, M rows of the result, K the contracted dim, N columns of the result.
// The wrappers keep <cblas.h> out of every header: OpenBLAS's include dir is private to
// the library.
#include <cstdint>

#include "tensor.h"

namespace tg::core {

// c (M, N, row stride ldc) = alpha * op(a) op(b) + beta * c, all row-major; op(x) is x
// or x transposed. With transpose_a, `a` is stored as (K, M) with row stride lda.
void gemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

// (B, M, K) x (B, K, N) -> fresh contiguous (B, M, N). Operands may have any strides,
// including 0 in the batch dim (an expanded operand is not copied); both share one
// dtype, checked by the caller. Float types go through gemm, integer types through a
// plain loop.
Tensor bmm(const Tensor& a, const Tensor& b);
// (M, K) x (K, N) -> fresh contiguous (M, N); the single-matrix case of bmm.
Tensor mm(const Tensor& a, const Tensor& b);

}  // namespace tg::core

// Sparse COO tensors: indices int64 (sparse_dim, nnz), values (nnz, dense dims...).
//
// Note [uncoalesced sparse gradients]
// Embedding's backward emits one (row, values) entry per lookup and keeps duplicates:
// merging them needs a sort, and SGD gives the same result without one (its update is
// linear in the gradient). Optimizers that square the gradient (Adagrad, SparseAdam)
// sum each row first. Adding two sparse tensors concatenates their entries for the same
// reason; only SummedRows (Note [summed rows]) sorts and merges, for coalesce() and
// for those optimizers.
#include "sparse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <numeric>

#include "checked.h"
#include "concat.h"
#include "elementwise.h"
#include "layout.h"
#include "prefetch.h"
#include "summed_rows.h"

namespace tg {

namespace {

const SparseParts& parts(const Tensor& t, const char* where) {
  if (!t.is_sparse())
    throw TypeError(fmt::format("{}: the tensor is dense; expected a sparse COO tensor", where));
  return *t.impl()->sparse;
}

}  // namespace

Tensor sparse_coo_tensor(const Tensor& indices, const Tensor& values, Shape size, bool is_coalesced) {
  core::check_dense("sparse_coo_tensor", indices);
  core::check_dense("sparse_coo_tensor", values);
  if (indices.dtype() != kInt64)
    throw TypeError(fmt::format("sparse_coo_tensor: indices have dtype {}; expected torch.int64",
                                dtype_name(indices.dtype())));
  if (indices.dim() != 2)
    throw ValueError(fmt::format("sparse_coo_tensor: indices have shape {}; expected 2-d (sparse_dim, nnz)",
                                 shape_string(indices.sizes())));
  const int64_t sparse_dim = indices.size(0), nnz = indices.size(1);
  if (values.dim() < 1 || values.size(0) != nnz)
    throw ValueError(fmt::format("sparse_coo_tensor: values have shape {}; expected its first dim to be nnz = {}",
                                 shape_string(values.sizes()), nnz));
  const int64_t dense_dim = values.dim() - 1;
  if (static_cast<int64_t>(size.size()) != sparse_dim + dense_dim)
    throw ValueError(fmt::format("sparse_coo_tensor: size {} has {} dims; expected sparse_dim + dense_dim = {} + {}",
                                 shape_string(size), size.size(), sparse_dim, dense_dim));
  for (int64_t d = 0; d < dense_dim; ++d)
    if (values.size(d + 1) != size[sparse_dim + d])
      throw ValueError(fmt::format("sparse_coo_tensor: values have shape {} but size is {}; expected the dense "
                                   "dims to match", shape_string(values.sizes()), shape_string(size)));
  core::checked_numel("sparse_coo_tensor", size, 1, values.dtype());  // Note [Checked sizes]: countable, >= 0
  const Tensor idx = core::contiguous(indices);
  const int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t d = 0; d < sparse_dim; ++d)
    for (int64_t k = 0; k < nnz; ++k)
      if (p[d * nnz + k] < 0 || p[d * nnz + k] >= size[d])
        throw IndexError(fmt::format("sparse_coo_tensor: indices[{}][{}] = {} is out of range; expected [0, {}) "
                                     "for size {}", d, k, p[d * nnz + k], size[d], shape_string(size)));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(0);
  impl->sizes = std::move(size);
  impl->dtype = values.dtype();
  impl->sparse = std::make_unique<SparseParts>();
  impl->sparse->indices = idx.impl_ptr();
  impl->sparse->values = core::contiguous(values).impl_ptr();
  // An empty tensor is trivially coalesced (PyTorch reports so).
  impl->sparse->coalesced = is_coalesced || nnz == 0;
  return Tensor(std::move(impl));
}

Tensor Tensor::indices() const { return Tensor(parts(*this, "indices").indices); }
Tensor Tensor::values() const { return Tensor(parts(*this, "values").values); }
int64_t Tensor::_nnz() const { return indices().size(1); }
int64_t Tensor::sparse_dim() const { return is_sparse() ? indices().size(0) : dim(); }
int64_t Tensor::dense_dim() const { return is_sparse() ? values().dim() - 1 : 0; }
bool Tensor::is_coalesced() const { return parts(*this, "is_coalesced").coalesced; }

Tensor Tensor::coalesce() const {
  if (parts(*this, "coalesce").coalesced) return *this;
  const core::SummedRows rows(*this, dtype());
  const int64_t n_unique = rows.rows(), sparse_dim = this->sparse_dim();
  Tensor new_idx = core::make_tensor({sparse_dim, n_unique}, kInt64);
  Shape value_shape = values().sizes();
  value_shape[0] = n_unique;
  Tensor new_vals = core::make_tensor(value_shape, dtype());
  int64_t* dst_idx = new_idx.data_ptr<int64_t>();
  // With one sparse dim the positions are the indices; otherwise they are unravelled.
  std::vector<int64_t> positions(sparse_dim == 1 ? 0 : n_unique);
  dispatch(dtype(), [&]<class T>() {
    rows.write_sums(sparse_dim == 1 ? dst_idx : positions.data(), static_cast<T*>(new_vals.raw_data()));
  });
  if (sparse_dim > 1) {
    const Shape& size = sizes();
    for (int64_t u = 0; u < n_unique; ++u) {
      int64_t position = positions[u];
      for (int64_t d = sparse_dim - 1; d >= 0; --d) {
        dst_idx[d * n_unique + u] = position % size[d];
        position /= size[d];
      }
    }
  }
  return sparse_coo_tensor(new_idx, new_vals, sizes(), /*is_coalesced=*/true);
}

Tensor Tensor::to_dense() const {
  if (!is_sparse()) return *this;
  Tensor out = zeros(sizes(), dtype());
  core::add_sparse_into(out, *this);
  return out;
}

namespace core {

std::vector<int64_t> linear_positions(const Tensor& indices, const Shape& size) {
  const int64_t sparse_dim = indices.size(0), nnz = indices.size(1);
  const int64_t* idx = indices.data_ptr<int64_t>();
  std::vector<int64_t> out(nnz, 0);
  for (int64_t d = 0; d < sparse_dim; ++d)
    for (int64_t k = 0; k < nnz; ++k) out[k] = out[k] * size[d] + idx[d * nnz + k];
  return out;
}

Tensor sparse_empty(Shape size, Dtype dtype) {
  Shape value_shape{0};
  value_shape.insert(value_shape.end(), size.begin() + 1, size.end());
  return sparse_coo_tensor(zeros({1, 0}, kInt64), zeros(value_shape, dtype), std::move(size));
}

Tensor sparse_add(const Tensor& a, const Tensor& b) {
  if (a.sizes() != b.sizes())
    throw ValueError(fmt::format("add: sparse tensors of sizes {} and {}; expected equal sizes",
                                 shape_string(a.sizes()), shape_string(b.sizes())));
  if (a._nnz() == 0) return b;
  if (b._nnz() == 0) return a;
  const Dtype dtype = promote_types(a.dtype(), b.dtype());
  return sparse_coo_tensor(core::cat({a.indices(), b.indices()}, 1),
                           core::cat({cast(a.values(), dtype), cast(b.values(), dtype)}, 0), a.sizes());
}

void add_sparse_into(const Tensor& dense, const Tensor& sparse, double alpha) {
  check_dense("add_", dense);
  if (dense.sizes() != sparse.sizes())
    throw ValueError(fmt::format("add_: a sparse tensor of size {} cannot be added to a dense one of size {}; "
                                 "expected equal sizes", shape_string(sparse.sizes()), shape_string(dense.sizes())));
  const Tensor idx = sparse.indices(), vals = cast(sparse.values(), dense.dtype());
  const int64_t nnz = idx.size(1);
  if (nnz == 0) return;
  const int64_t row = vals.numel() / nnz;
  // With one sparse dim (an embedding's gradient) the indices are the positions.
  const bool one_dim = idx.size(0) == 1;
  const std::vector<int64_t> positions = one_dim ? std::vector<int64_t>{} : linear_positions(idx, sparse.sizes());
  const int64_t* position = one_dim ? idx.data_ptr<int64_t>() : positions.data();
  // Rows of the dense tensor: its sparse dims flattened. A strided destination is
  // reached through a contiguous staging copy only when it must be.
  const Tensor target = contiguous(dense);
  dispatch(dense.dtype(), [&]<class T>() {
    T* out = static_cast<T*>(target.raw_data());
    const T* in = static_cast<const T*>(vals.raw_data());
    const T scale = static_cast<T>(alpha);
    for (int64_t k = 0; k < nnz; ++k) {
      // Scattered rows of a large table: ask for the row a few entries ahead so its
      // cache and TLB misses overlap this row's work (the SGD sparse step lives here).
      if (k + kPrefetchAhead < nnz) prefetch_bytes(out + position[k + kPrefetchAhead] * row, row * sizeof(T));
      T* out_row = out + position[k] * row;
      const T* in_row = in + k * row;
      if (alpha == 1.0) add_row(out_row, in_row, row);
      else add_scaled_row(out_row, in_row, scale, row);
    }
  });
  if (!target.is_same(dense)) copy_into(dense, target);
}

Tensor merge_coalesced(const Tensor& a, double alpha, const Tensor& b, double beta) {
  const Dtype dtype = promote_types(a.dtype(), b.dtype());
  const std::vector<int64_t> pa = linear_positions(a.indices(), a.sizes());
  const std::vector<int64_t> pb = linear_positions(b.indices(), b.sizes());
  const int64_t na = a._nnz(), nb = b._nnz(), sparse_dim = a.sparse_dim();
  // First pass counts the union of rows, so the result is allocated once at its size.
  int64_t total = 0;
  for (int64_t i = 0, j = 0; i < na || j < nb; ++total) {
    if (j == nb || (i < na && pa[i] < pb[j])) ++i;
    else if (i == na || pb[j] < pa[i]) ++j;
    else ++i, ++j;
  }
  Tensor indices = make_tensor({sparse_dim, total}, kInt64);
  Shape value_shape = a.values().sizes();
  value_shape[0] = total;
  Tensor values = make_tensor(value_shape, dtype);
  const int64_t width = total == 0 ? 0 : values.numel() / total;
  const Tensor va = cast(a.values(), dtype), vb = cast(b.values(), dtype);
  int64_t* out_idx = indices.data_ptr<int64_t>();
  const int64_t *a_idx = a.indices().data_ptr<int64_t>(), *b_idx = b.indices().data_ptr<int64_t>();
  dispatch_floating(dtype, [&]<class T>() {
    const T *ra = static_cast<const T*>(va.raw_data()), *rb = static_cast<const T*>(vb.raw_data());
    T* out = static_cast<T*>(values.raw_data());
    const T sa = static_cast<T>(alpha), sb = static_cast<T>(beta);
    int64_t i = 0, j = 0;
    for (int64_t u = 0; u < total; ++u) {
      const bool take_a = i < na && (j == nb || pa[i] <= pb[j]);
      const bool take_b = j < nb && (i == na || pb[j] <= pa[i]);
      for (int64_t d = 0; d < sparse_dim; ++d)
        out_idx[d * total + u] = take_a ? a_idx[d * na + i] : b_idx[d * nb + j];
      T* row = out + u * width;
      if (take_a && take_b)
        for (int64_t c = 0; c < width; ++c) row[c] = sa * ra[i * width + c] + sb * rb[j * width + c];
      else if (take_a)
        for (int64_t c = 0; c < width; ++c) row[c] = sa * ra[i * width + c];
      else
        for (int64_t c = 0; c < width; ++c) row[c] = sb * rb[j * width + c];
      i += take_a;
      j += take_b;
    }
  });
  return sparse_coo_tensor(indices, values, a.sizes(), /*is_coalesced=*/true);
}

void assign_sparse_(const Tensor& target, const Tensor& source) {
  parts(target, "assign_sparse_");
  const SparseParts& from = parts(source, "assign_sparse_");
  if (source.sizes() != target.sizes() || source.dtype() != target.dtype())
    throw ValueError(fmt::format("assign_sparse_: the new contents have size {} and dtype {}; expected the "
                                 "target's size {} and dtype {}", shape_string(source.sizes()),
                                 dtype_name(source.dtype()), shape_string(target.sizes()),
                                 dtype_name(target.dtype())));
  *target.impl()->sparse = from;
  target.bump_version();
}

Tensor sparse_mul_scalar(const Tensor& sparse, double scalar) {
  return sparse_coo_tensor(sparse.indices(), binary(BinaryOp::Mul, sparse.values(), wrapped_scalar(scalar)),
                           sparse.sizes(), sparse.is_coalesced());
}

}  // namespace core
}  // namespace tg

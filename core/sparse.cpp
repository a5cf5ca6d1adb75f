// Sparse COO tensors: indices int64 (sparse_dim, nnz), values (nnz, dense dims...).
//
// Note [uncoalesced sparse gradients]
// Embedding's backward emits one (row, values) entry per lookup and keeps duplicates:
// merging them needs a sort, and SGD gives the same result without one (its update is
// linear in the gradient). Optimizers that square the gradient (Adagrad, SparseAdam)
// coalesce first. Adding two sparse tensors concatenates their entries for the same
// reason; only coalesce() sorts and merges.
#include "sparse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <numeric>

#include "concat.h"
#include "elementwise.h"
#include "layout.h"
#include "prefetch.h"

namespace tg {

namespace {

const SparseParts& parts(const Tensor& t, const char* where) {
  if (!t.is_sparse())
    throw TypeError(fmt::format("{}: the tensor is dense; expected a sparse COO tensor", where));
  return *t.impl()->sparse;
}

// Row-major position of each entry over the sparse dims: one int64 per entry.
std::vector<int64_t> linear_positions(const Tensor& indices, const Shape& size) {
  const int64_t sparse_dim = indices.size(0), nnz = indices.size(1);
  const int64_t* idx = indices.data_ptr<int64_t>();
  std::vector<int64_t> out(nnz, 0);
  for (int64_t d = 0; d < sparse_dim; ++d)
    for (int64_t k = 0; k < nnz; ++k) out[k] = out[k] * size[d] + idx[d * nnz + k];
  return out;
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
  const SparseParts& sp = parts(*this, "coalesce");
  if (sp.coalesced) return *this;
  const Tensor idx = indices(), vals = values();
  const int64_t nnz = idx.size(1), sparse_dim = idx.size(0);
  const std::vector<int64_t> position = linear_positions(idx, sizes());
  std::vector<int64_t> order(nnz);
  std::iota(order.begin(), order.end(), 0);
  // Stable, so equal indices are summed in their original order: deterministic sums.
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return position[a] < position[b]; });
  std::vector<int64_t> unique_first;  // into `order`
  for (int64_t k = 0; k < nnz; ++k)
    if (k == 0 || position[order[k]] != position[order[k - 1]]) unique_first.push_back(k);
  const int64_t n_unique = static_cast<int64_t>(unique_first.size());
  Tensor new_idx = core::make_tensor({sparse_dim, n_unique}, kInt64);
  Shape value_shape = vals.sizes();
  value_shape[0] = n_unique;
  Tensor new_vals = core::make_tensor(value_shape, vals.dtype(), /*zero=*/true);
  const int64_t row = nnz == 0 ? 0 : vals.numel() / nnz;
  const int64_t* src_idx = idx.data_ptr<int64_t>();
  int64_t* dst_idx = new_idx.data_ptr<int64_t>();
  dispatch(vals.dtype(), [&]<class T>() {
    const T* src = static_cast<const T*>(vals.raw_data());
    T* dst = static_cast<T*>(new_vals.raw_data());
    for (int64_t u = 0; u < n_unique; ++u) {
      const int64_t end = u + 1 < n_unique ? unique_first[u + 1] : nnz;
      for (int64_t d = 0; d < sparse_dim; ++d) dst_idx[d * n_unique + u] = src_idx[d * nnz + order[unique_first[u]]];
      T* out_row = dst + u * row;
      for (int64_t k = unique_first[u]; k < end; ++k) {
        const T* in_row = src + order[k] * row;
        for (int64_t j = 0; j < row; ++j) out_row[j] = static_cast<T>(out_row[j] + in_row[j]);
      }
    }
  });
  return sparse_coo_tensor(new_idx, new_vals, sizes(), /*is_coalesced=*/true);
}

Tensor Tensor::to_dense() const {
  if (!is_sparse()) return *this;
  Tensor out = zeros(sizes(), dtype());
  core::add_sparse_into(out, *this);
  return out;
}

namespace core {

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
  const std::vector<int64_t> position = linear_positions(idx, sparse.sizes());
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
      if (alpha == 1.0)
        for (int64_t j = 0; j < row; ++j) out_row[j] = static_cast<T>(out_row[j] + in_row[j]);
      else
        for (int64_t j = 0; j < row; ++j) out_row[j] = static_cast<T>(out_row[j] + scale * in_row[j]);
    }
  });
  if (!target.is_same(dense)) copy_into(dense, target);
}

Tensor sparse_mul_scalar(const Tensor& sparse, double scalar) {
  return sparse_coo_tensor(sparse.indices(), binary(BinaryOp::Mul, sparse.values(), wrapped_scalar(scalar)),
                           sparse.sizes(), sparse.is_coalesced());
}

}  // namespace core
}  // namespace tg

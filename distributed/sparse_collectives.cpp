// Collectives on sparse COO tensors (embedding gradients): all_reduce and broadcast.
//
// Note [sparse all_reduce]
// Ranks hold different rows, and a different number of them, so there is no buffer
// to reduce elementwise. Each rank coalesces its tensor (an embedding gradient
// repeats a row once per lookup: merging first sends each row once), then:
//   1. MPI_Allgather of the nnz counts, so every rank knows every rank's share;
//   2. MPI_Allgatherv of the indices and of the values, in rank order, with a
//      datatype of one entry's row so that counts are in entries, not elements;
//   3. coalesce() of the concatenation: the sum of the rows with equal indices.
// coalesce() sorts stably, so equal rows are summed in rank order on every rank and
// every rank ends with the same bits. Avg then divides the values by world_size.
// A rank with nnz 0 sends nothing and receives everything; all ranks empty gives an
// empty tensor. Max and Min are refused: a row missing on one rank has no value
// there (0 for a sum, but not for a maximum). The bytes moved are the sum of every
// rank's (sparse_dim * 8 + row * element) * nnz, received by each rank, so this pays
// when the ranks' rows are few beside the table; a dense all_reduce of to_dense()
// is the alternative when they cover most of it (docs/distributed.md).
#include <fmt/format.h>

#include <climits>

#include "../core/kernels.h"
#include "../core/sparse.h"
#include "distributed.h"
#include "mpi_detail.h"

namespace tg::distributed::detail {

namespace {

// A committed contiguous datatype of `count` elements of `base`, freed on scope exit.
class RowType {
 public:
  RowType(int64_t count, MPI_Datatype base, const char* where) {
    check(MPI_Type_contiguous(static_cast<int>(count), base, &type_), "MPI_Type_contiguous", where);
    check(MPI_Type_commit(&type_), "MPI_Type_commit", where);
  }
  ~RowType() { MPI_Type_free(&type_); }
  RowType(const RowType&) = delete;
  RowType& operator=(const RowType&) = delete;
  MPI_Datatype get() const { return type_; }

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
};

// (sparse_dim, nnz) <-> (nnz, sparse_dim): MPI gathers whole entries, one after another.
Tensor transpose_indices(const Tensor& indices) {
  const int64_t rows = indices.size(0), cols = indices.size(1);
  const Tensor src = core::contiguous(indices);
  Tensor out = core::make_tensor({cols, rows}, kInt64);
  const int64_t* in = src.data_ptr<int64_t>();
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) o[c * rows + r] = in[r * cols + c];
  return out;
}

int64_t dense_row_length(const Tensor& t) {
  int64_t n = 1;
  for (int64_t d = t.sparse_dim(); d < t.dim(); ++d) n *= t.size(d);
  return n;
}

}  // namespace

void sparse_all_reduce(Tensor& t, ReduceOp op) {
  const char* where = "all_reduce";
  if (op == ReduceOp::Max || op == ReduceOp::Min)
    throw ValueError(fmt::format("{}: ReduceOp::{} on a sparse tensor is not supported (a row missing on one rank "
                                 "has no value there); expected Sum or Avg, or to_dense() first",
                                 where, op == ReduceOp::Max ? "Max" : "Min"));
  const MPI_Comm c = comm(where);
  const MPI_Datatype element = mpi_type(t.dtype(), where);
  const Tensor local = t.coalesce();
  const int64_t sparse_dim = t.sparse_dim(), row = dense_row_length(t);
  const int n = world_size();

  int64_t nnz = local._nnz();
  std::vector<int64_t> counts(n);
  check(MPI_Allgather(&nnz, 1, MPI_INT64_T, counts.data(), 1, MPI_INT64_T, c), "MPI_Allgather", where);
  int64_t total = 0;
  for (int64_t k : counts) total += k;
  if (total > INT_MAX)
    throw ValueError(fmt::format("{}: the ranks hold {} sparse entries in all; expected at most {} (one MPI count); "
                                 "coalesce or reduce in parts",
                                 where, total, INT_MAX));
  std::vector<int> entries(n), offsets(n, 0);
  for (int r = 0; r < n; ++r) entries[r] = static_cast<int>(counts[r]);
  for (int r = 1; r < n; ++r) offsets[r] = offsets[r - 1] + entries[r - 1];

  Tensor gathered_indices = core::make_tensor({total, sparse_dim}, kInt64);
  Shape value_shape = local.values().sizes();
  value_shape[0] = total;
  Tensor gathered_values = core::make_tensor(value_shape, t.dtype());
  if (total > 0) {
    const Tensor my_indices = transpose_indices(local.indices());
    const RowType index_entry(sparse_dim, MPI_INT64_T, where);
    check(MPI_Allgatherv(my_indices.raw_data(), entries[rank()], index_entry.get(), gathered_indices.raw_data(),
                         entries.data(), offsets.data(), index_entry.get(), c),
          "MPI_Allgatherv", where);
    if (row > 0) {
      const Tensor my_values = core::contiguous(local.values());
      const RowType value_entry(row, element, where);
      check(MPI_Allgatherv(my_values.raw_data(), entries[rank()], value_entry.get(), gathered_values.raw_data(),
                           entries.data(), offsets.data(), value_entry.get(), c),
            "MPI_Allgatherv", where);
    }
  }
  Tensor summed = sparse_coo_tensor(transpose_indices(gathered_indices), gathered_values, t.sizes()).coalesce();
  if (op == ReduceOp::Avg && summed._nnz() > 0)
    core::binary_into(core::BinaryOp::Div, summed.values(), core::wrapped_scalar(static_cast<double>(n)));
  core::assign_sparse_(t, summed);
}

void sparse_broadcast(Tensor& t, int src) {
  const char* where = "broadcast";
  const MPI_Comm c = comm(where);
  const MPI_Datatype element = mpi_type(t.dtype(), where);
  const bool root = rank() == src;
  const int64_t sparse_dim = t.sparse_dim(), row = dense_row_length(t);
  int64_t header[2] = {root ? t._nnz() : 0, root && t.is_coalesced() ? 1 : 0};
  check(MPI_Bcast(header, 2, MPI_INT64_T, src, c), "MPI_Bcast", where);
  const int64_t nnz = header[0];
  if (nnz > INT_MAX)
    throw ValueError(fmt::format("{}: rank {} holds {} sparse entries; expected at most {} (one MPI count)", where,
                                 src, nnz, INT_MAX));
  Tensor indices = root ? transpose_indices(t.indices()) : core::make_tensor({nnz, sparse_dim}, kInt64);
  Shape value_shape{nnz};
  for (int64_t d = sparse_dim; d < t.dim(); ++d) value_shape.push_back(t.size(d));
  Tensor values = root ? core::contiguous(t.values()) : core::make_tensor(value_shape, t.dtype());
  if (nnz > 0) {
    const RowType index_entry(sparse_dim, MPI_INT64_T, where);
    check(MPI_Bcast(indices.raw_data(), static_cast<int>(nnz), index_entry.get(), src, c), "MPI_Bcast", where);
    if (row > 0) {
      const RowType value_entry(row, element, where);
      check(MPI_Bcast(values.raw_data(), static_cast<int>(nnz), value_entry.get(), src, c), "MPI_Bcast", where);
    }
  }
  if (root) return;
  core::assign_sparse_(t, sparse_coo_tensor(transpose_indices(indices), values, t.sizes(), header[1] == 1));
}

}  // namespace tg::distributed::detail

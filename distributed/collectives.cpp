// Dense collectives: all_reduce, broadcast and all_gather, in place on any strides.
// A tensor that is not contiguous goes through a contiguous copy and is written back.
#include <fmt/format.h>

#include <algorithm>
#include <climits>

#include "../core/kernels.h"
#include "distributed.h"
#include "mpi_detail.h"

namespace tg::distributed {

namespace detail {
// In distributed/sparse_collectives.cpp.
void sparse_all_reduce(Tensor& t, ReduceOp op);
void sparse_broadcast(Tensor& t, int src);
}  // namespace detail

namespace {

const char* op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return "Sum";
    case ReduceOp::Avg: return "Avg";
    case ReduceOp::Max: return "Max";
    case ReduceOp::Min: return "Min";
  }
  return "?";
}

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::Max: return MPI_MAX;
    case ReduceOp::Min: return MPI_MIN;
    default: return MPI_SUM;  // Avg: the sum, divided afterwards
  }
}

std::string describe_with_op(int64_t op, const int64_t* details, size_t length) {
  return fmt::format("{} with ReduceOp::{}", detail::describe_tensor(details, length),
                     op_name(static_cast<ReduceOp>(op)));
}

// t itself when contiguous; else a contiguous copy, for copy_back once MPI has written it.
Tensor contiguous_buffer(const Tensor& t) { return t.is_contiguous() ? t : core::clone(t); }
void copy_back(const Tensor& t, const Tensor& buffer) {
  if (!buffer.is_same(t)) core::copy_into(t, buffer);
  t.bump_version();
}

// The dense path of all_reduce and broadcast: t's elements in a contiguous buffer, handed
// to call(data, count) in chunks whose count fits MPI's int. Returns the buffer, for
// copy_back; undefined for an empty t (MPI is not called).
template <class F> Tensor in_chunks(const char* where, const Tensor& t, F call) {
  core::check_no_internal_overlap(where, t);
  if (t.numel() == 0) return Tensor();
  const Tensor buffer = contiguous_buffer(t);
  char* data = static_cast<char*>(buffer.raw_data());
  const size_t element = element_size(t.dtype());
  for (int64_t start = 0; start < t.numel(); start += detail::kMaxChunk)
    call(data + start * element, static_cast<int>(std::min(detail::kMaxChunk, t.numel() - start)));
  return buffer;
}

}  // namespace

void all_reduce(Tensor& t, ReduceOp op) {
  const char* where = "all_reduce";
  detail::CallGuard guard(where);
  core::check_defined(where, t);
  // Agreement first, so that checks on what the ranks agreed on fail on all of them.
  detail::agree(detail::Call::AllReduce, static_cast<int64_t>(op), detail::tensor_details(t), describe_with_op,
                "the same ReduceOp and a tensor of the same shape, dtype and layout on every rank");
  const MPI_Datatype type = detail::mpi_type(t.dtype(), where);
  if (op == ReduceOp::Avg && !t.is_floating_point())
    throw TypeError(fmt::format("{}: ReduceOp::Avg on a tensor of dtype {} would truncate; expected a floating "
                                "tensor (reduce with Sum and divide, or convert with to())",
                                where, dtype_name(t.dtype())));
  if (t.is_sparse()) return detail::sparse_all_reduce(t, op);
  const Tensor buffer = in_chunks(where, t, [&](char* data, int count) {
    detail::check(MPI_Allreduce(MPI_IN_PLACE, data, count, type, mpi_op(op), detail::comm(where)), "MPI_Allreduce",
                  where);
  });
  if (!buffer.defined()) return;
  if (op == ReduceOp::Avg)
    core::binary_into(core::BinaryOp::Div, buffer, core::wrapped_scalar(static_cast<double>(detail::world_size())));
  copy_back(t, buffer);
}

void broadcast(Tensor& t, int src) {
  const char* where = "broadcast";
  detail::CallGuard guard(where);
  core::check_defined(where, t);
  if (src < 0 || src >= detail::world_size())
    throw IndexError(fmt::format("{}: src = {} is out of range; expected a rank in [0, {})", where, src,
                                 detail::world_size()));
  detail::agree(
      detail::Call::Broadcast, src, detail::tensor_details(t),
      [](int64_t source, const int64_t* details, size_t length) {
        return fmt::format("{} from src {}", detail::describe_tensor(details, length), source);
      },
      "the same src and a tensor of the same shape, dtype and layout on every rank");
  const MPI_Datatype type = detail::mpi_type(t.dtype(), where);
  if (t.is_sparse()) return detail::sparse_broadcast(t, src);
  const Tensor buffer = in_chunks(where, t, [&](char* data, int count) {
    detail::check(MPI_Bcast(data, count, type, src, detail::comm(where)), "MPI_Bcast", where);
  });
  if (buffer.defined() && detail::rank() != src) copy_back(t, buffer);
}

void all_gather(std::vector<Tensor>& out, const Tensor& t) {
  const char* where = "all_gather";
  detail::CallGuard guard(where);
  core::check_defined(where, t);
  detail::agree(
      detail::Call::AllGather, 0, detail::tensor_details(t),
      [](int64_t, const int64_t* details, size_t length) { return detail::describe_tensor(details, length); },
      "a tensor of the same shape and dtype on every rank");
  if (t.is_sparse())
    throw TypeError(fmt::format("{}: the tensor is sparse; expected a dense tensor", where));
  const MPI_Datatype type = detail::mpi_type(t.dtype(), where);
  if (t.numel() > INT_MAX)
    throw ValueError(fmt::format("{}: the tensor has {} elements; expected at most {} (one MPI count)", where,
                                 t.numel(), INT_MAX));
  const int n = detail::world_size();
  if (!out.empty()) {
    if (static_cast<int>(out.size()) != n)
      throw ValueError(fmt::format("{}: out holds {} tensors; expected world_size = {} (or none, to have them "
                                   "created)", where, out.size(), n));
    for (size_t r = 0; r < out.size(); ++r) {
      if (!out[r].defined() || out[r].is_sparse() || out[r].sizes() != t.sizes() || out[r].dtype() != t.dtype())
        throw ValueError(fmt::format("{}: out[{}] is {}; expected a dense {} tensor of shape {}", where, r,
                                     out[r].defined() ? fmt::format("{}{} {}", out[r].is_sparse() ? "sparse " : "",
                                                                    dtype_name(out[r].dtype()),
                                                                    shape_string(out[r].sizes()))
                                                      : std::string("undefined"),
                                     dtype_name(t.dtype()), shape_string(t.sizes())));
      core::check_no_internal_overlap(where, out[r]);
    }
  }
  const Tensor mine = core::contiguous(t);
  Shape gathered_shape{n};
  gathered_shape.insert(gathered_shape.end(), t.sizes().begin(), t.sizes().end());
  const Tensor gathered = core::make_tensor(gathered_shape, t.dtype());
  if (t.numel() > 0)
    detail::check(MPI_Allgather(mine.raw_data(), static_cast<int>(t.numel()), type, gathered.raw_data(),
                                static_cast<int>(t.numel()), type, detail::comm(where)),
                  "MPI_Allgather", where);
  const bool fill = out.empty();
  if (fill) out.resize(n);
  for (int r = 0; r < n; ++r) {
    const Tensor part = core::as_strided(gathered, t.sizes(), core::contiguous_strides(t.sizes()), r * t.numel());
    if (fill) {
      out[r] = core::clone(part);
    } else {
      core::copy_into(out[r], part);
      out[r].bump_version();
    }
  }
}

}  // namespace tg::distributed

// Data parallelism: averaging the parameters' gradients across ranks after backward.
//
// Note [averaging gradients]
// Every rank holds the same parameters, runs forward and backward on its own share of
// the batch and replaces each gradient by the mean over ranks; the optimizer step that
// follows is then the same on every rank. With a loss that is a mean over equal
// shares, the mean over ranks of the shares' gradients is the whole batch's gradient,
// so N ranks step as one process on the whole batch (up to rounding). The steps:
//   1. agree that every rank passes the same parameters (count, dtypes, shapes);
//   2. one MPI_Allreduce (bitwise or) of a flag per parameter: its gradient is
//      undefined, dense or sparse on some rank. Dense on one rank and sparse on
//      another is an error. Undefined here but defined elsewhere: this rank sets a
//      zero gradient of the others' kind (zeros, or an empty sparse tensor) and joins
//      the reduction, so it ends with the same mean as the others. Undefined
//      everywhere: the gradient stays undefined, and the optimizer skips it;
//   3. dense gradients: one flat buffer per dtype, in parameter order, reduced with
//      one all_reduce (a call per parameter would pay MPI's latency per parameter);
//   4. sparse gradients: all_reduce(Avg) each (Note [sparse all_reduce]).
#include <fmt/format.h>

#include "../core/kernels.h"
#include "../core/sparse.h"
#include "distributed.h"
#include "mpi_detail.h"

namespace tg::distributed {

namespace {

enum GradKind : int { kUndefined = 1, kDense = 2, kSparse = 4 };

// [count, then per parameter: dtype, dim, sizes...]
std::vector<int64_t> parameter_details(const std::vector<Tensor>& parameters) {
  std::vector<int64_t> out{static_cast<int64_t>(parameters.size())};
  for (const Tensor& p : parameters) {
    out.push_back(static_cast<int64_t>(p.dtype()));
    out.push_back(p.dim());
    out.insert(out.end(), p.sizes().begin(), p.sizes().end());
  }
  return out;
}

std::string describe_parameters(int64_t, const int64_t* details, size_t length) {
  if (length == 0) return "?";
  std::string text = fmt::format("{} parameters (", details[0]);
  size_t at = 1;
  for (int64_t i = 0; i < details[0] && at + 1 < length; ++i) {
    if (i == 4) {
      text += ", ...";
      break;
    }
    const auto dim = static_cast<size_t>(details[at + 1]);
    const Shape sizes(details + at + 2, details + std::min(length, at + 2 + dim));
    text += fmt::format("{}{} {}", i ? ", " : "", dtype_name(static_cast<Dtype>(details[at])), shape_string(sizes));
    at += 2 + dim;
  }
  return text + ")";
}

std::string parameter_label(const Tensor& p, size_t i) {
  return p.name().empty() ? fmt::format("parameters[{}]", i) : fmt::format("parameters[{}] ({})", i, p.name());
}

// One all_reduce(Avg) for all the dense gradients of one dtype.
void average_dense(const std::vector<Tensor>& grads, Dtype dtype) {
  int64_t total = 0;
  for (const Tensor& g : grads) total += g.numel();
  Tensor flat = core::make_tensor({total}, dtype);
  auto slice = [&](const Tensor& g, int64_t at) {
    return core::as_strided(flat, g.sizes(), core::contiguous_strides(g.sizes()), at);
  };
  int64_t at = 0;
  for (const Tensor& g : grads) {
    core::copy_into(slice(g, at), g);
    at += g.numel();
  }
  all_reduce(flat, ReduceOp::Avg);
  at = 0;
  for (const Tensor& g : grads) {
    core::copy_into(g, slice(g, at));
    g.bump_version();
    at += g.numel();
  }
}

}  // namespace

void average_gradients(const std::vector<Tensor>& parameters) {
  const char* where = "average_gradients";
  detail::CallGuard guard(where);
  for (size_t i = 0; i < parameters.size(); ++i)
    if (!parameters[i].defined())
      throw ValueError(fmt::format("{}: parameters[{}] is undefined; expected defined tensors", where, i));
  detail::agree(detail::Call::AverageGradients, 0, parameter_details(parameters), describe_parameters,
                "the same parameters (count, dtypes, shapes) on every rank");

  std::vector<int> kinds(parameters.size());
  for (size_t i = 0; i < parameters.size(); ++i) {
    const Tensor g = parameters[i].grad();
    kinds[i] = !g.defined() ? kUndefined : g.is_sparse() ? kSparse : kDense;
  }
  if (!kinds.empty())
    detail::check(MPI_Allreduce(MPI_IN_PLACE, kinds.data(), static_cast<int>(kinds.size()), MPI_INT, MPI_BOR,
                                detail::comm(where)),
                  "MPI_Allreduce", where);

  std::vector<Tensor> sparse;
  std::vector<std::vector<Tensor>> dense_by_dtype(static_cast<size_t>(Dtype::Bool) + 1);
  for (size_t i = 0; i < parameters.size(); ++i) {
    if ((kinds[i] & kDense) && (kinds[i] & kSparse))
      throw ValueError(fmt::format("{}: the gradient of {} is dense on some ranks and sparse on others; expected "
                                   "one layout on every rank",
                                   where, parameter_label(parameters[i], i)));
    if (kinds[i] == kUndefined) continue;  // undefined everywhere
    Tensor p = parameters[i];
    if (!p.grad().defined())
      p.mutable_grad() = (kinds[i] & kSparse) ? core::sparse_empty(p.sizes(), p.dtype()) : zeros_like(p.detach());
    const Tensor g = p.grad();
    if (g.is_sparse())
      sparse.push_back(g);
    else
      dense_by_dtype[static_cast<size_t>(g.dtype())].push_back(g);
  }
  for (size_t d = 0; d < dense_by_dtype.size(); ++d)
    if (!dense_by_dtype[d].empty()) average_dense(dense_by_dtype[d], static_cast<Dtype>(d));
  for (Tensor& g : sparse) all_reduce(g, ReduceOp::Avg);
}

}  // namespace tg::distributed

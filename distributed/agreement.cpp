// The check every collective runs first: are all ranks in the same call, with the
// same op and tensors of the same shape and dtype?
//
// Note [agreeing before a collective]
// MPI does not check that ranks pass matching buffers: a rank reducing 10 floats
// against one reducing 12 gets MPI_ERR_TRUNCATE at best, garbage or a hang at worst.
// So each call first reduces a fixed-length signature, [call, extra, length of the
// details, FNV-1a hash of the details], with MPI_MAX over the signature and its
// bitwise complement: max(~x) == ~min(x), so one MPI_Allreduce of 8 int64s yields
// both the largest and the smallest value of every field, and they are equal on
// every rank exactly when all ranks agree. Every rank sees the same result, so all
// of them either go on or raise together; only then are the full details gathered
// for the message. The cost is one small allreduce per collective (docs/distributed.md).
#include <fmt/format.h>

#include <algorithm>

#include "mpi_detail.h"

namespace tg::distributed::detail {

namespace {

int64_t fnv1a(const std::vector<int64_t>& values) {
  uint64_t hash = 14695981039346656037ull;
  for (int64_t v : values)
    for (int byte = 0; byte < 8; ++byte) {
      hash ^= (static_cast<uint64_t>(v) >> (8 * byte)) & 0xff;
      hash *= 1099511628211ull;
    }
  return static_cast<int64_t>(hash);
}

}  // namespace

const char* call_name(Call call) {
  switch (call) {
    case Call::AllReduce: return "all_reduce";
    case Call::Broadcast: return "broadcast";
    case Call::AllGather: return "all_gather";
    case Call::AverageGradients: return "average_gradients";
  }
  return "?";
}

void agree(Call call, int64_t extra, const std::vector<int64_t>& details, const Describe& describe,
           const char* expected) {
  const char* where = call_name(call);
  const MPI_Comm c = comm(where);
  const int64_t signature[4] = {static_cast<int64_t>(call), extra, static_cast<int64_t>(details.size()),
                                fnv1a(details)};
  int64_t both[8];
  for (int i = 0; i < 4; ++i) {
    both[i] = signature[i];
    both[4 + i] = ~signature[i];
  }
  check(MPI_Allreduce(MPI_IN_PLACE, both, 8, MPI_INT64_T, MPI_MAX, c), "MPI_Allreduce", where);
  bool same = true;
  for (int i = 0; i < 4; ++i) same = same && both[i] == ~both[4 + i];
  if (same) return;

  // Every rank is here (they all saw the same maxima), so these collectives match.
  std::vector<int64_t> mine{static_cast<int64_t>(call), extra};
  mine.insert(mine.end(), details.begin(), details.end());
  const int n = world_size();
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(n), offsets(n, 0);
  check(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, c), "MPI_Allgather", where);
  for (int r = 1; r < n; ++r) offsets[r] = offsets[r - 1] + lengths[r - 1];
  std::vector<int64_t> all(static_cast<size_t>(offsets[n - 1] + lengths[n - 1]));
  check(MPI_Allgatherv(mine.data(), length, MPI_INT64_T, all.data(), lengths.data(), offsets.data(), MPI_INT64_T, c),
        "MPI_Allgatherv", where);

  // Rank 0, then every rank that differs from it (at most 8, so a big job stays readable).
  auto text = [&](int r) {
    const int64_t* d = all.data() + offsets[r];
    const Call theirs = static_cast<Call>(d[0]);
    if (theirs != call) return fmt::format("rank {} called {}", r, call_name(theirs));
    return fmt::format("rank {} has {}", r, describe(d[1], d + 2, static_cast<size_t>(lengths[r] - 2)));
  };
  std::string listing = text(0);
  int shown = 0;
  for (int r = 1; r < n; ++r) {
    const bool differs = lengths[r] != lengths[0] ||
                         !std::equal(all.begin() + offsets[r], all.begin() + offsets[r] + lengths[r],
                                     all.begin() + offsets[0]);
    if (!differs) continue;
    if (++shown > 8) {
      listing += ", ...";
      break;
    }
    listing += ", " + text(r);
  }
  throw ValueError(fmt::format("{} on rank {}: the ranks disagree: {}; expected {}", where, rank(), listing,
                               expected));
}

std::vector<int64_t> tensor_details(const Tensor& t) {
  std::vector<int64_t> out{t.is_sparse() ? 1 : 0, static_cast<int64_t>(t.dtype()), t.sparse_dim()};
  out.insert(out.end(), t.sizes().begin(), t.sizes().end());
  return out;
}

std::string describe_tensor(const int64_t* details, size_t length) {
  if (length < 3) return "?";
  const Shape sizes(details + 3, details + length);
  return fmt::format("{}{} {}", details[0] ? "sparse " : "", dtype_name(static_cast<Dtype>(details[1])),
                     shape_string(sizes));
}

}  // namespace tg::distributed::detail

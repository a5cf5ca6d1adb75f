#pragma once
// Internal to distributed/: the group's communicator, checked MPI calls, and the
// agreement check that every collective runs first. Users include distributed.h.
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../core/tensor.h"

namespace tg::distributed::detail {

// The group's communicator (a duplicate of MPI_COMM_WORLD whose errors return
// instead of aborting). Raises tg::Error naming `where` if the group is not up.
MPI_Comm comm(const char* where);
int rank();
int world_size();
// rc != MPI_SUCCESS -> tg::Error "<where>: <call> failed: <MPI's message>".
void check(int rc, const char* call, const char* where);
// The MPI type of one element; tg::TypeError for dtypes the collectives do not carry.
MPI_Datatype mpi_type(Dtype dtype, const char* where);

// Held for the length of one collective. MPI needs the calls of one communicator to
// come one at a time (and, under MPI_THREAD_FUNNELED, from the thread that started
// MPI): a second thread entering meanwhile gets a tg::Error instead of a hang.
class CallGuard {
 public:
  explicit CallGuard(const char* where);
  ~CallGuard();
  CallGuard(const CallGuard&) = delete;
  CallGuard& operator=(const CallGuard&) = delete;
};

// The collectives, for the agreement check's messages.
enum class Call : int64_t { AllReduce, Broadcast, AllGather, AverageGradients };
const char* call_name(Call call);

// Checks, with one small MPI_Allreduce, that every rank is in the same call with the
// same `extra` (the op, the source rank) and the same `details` (a tensor's dtype and
// sizes). On a mismatch every rank gathers every rank's details and raises
// tg::ValueError "<call>: the ranks disagree: rank 0 has <describe(...)>, rank 1 has
// ...; expected <expected>", so no rank waits in a collective the others never join.
using Describe = std::function<std::string(int64_t extra, const int64_t* details, size_t length)>;
void agree(Call call, int64_t extra, const std::vector<int64_t>& details, const Describe& describe,
           const char* expected);

// A tensor's kind, dtype and sizes as int64s: [sparse, dtype, sparse_dim, sizes...],
// and "float32 [3, 4]" / "sparse float32 [10, 4]" back from that.
std::vector<int64_t> tensor_details(const Tensor& t);
std::string describe_tensor(const int64_t* details, size_t length);

// Elements per MPI call: counts are C ints, so big buffers go in chunks.
inline constexpr int64_t kMaxChunk = int64_t{1} << 30;

}  // namespace tg::distributed::detail

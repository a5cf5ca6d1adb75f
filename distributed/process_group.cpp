// The process group: starting and ending MPI, the communicator, checked calls.
//
// Note [one MPI thread at a time]
// tapegrad's collectives are called by one thread at a time: a trainer's compute
// threads never call MPI, and a sync may run on whichever thread the trainer picks.
// That is MPI_THREAD_SERIALIZED, which init_process_group requests. If MPI provides
// less (or the program started MPI itself with less), only the thread that started
// MPI may call the collectives, and the others get a tg::Error. CallGuard turns two
// threads entering at once into a tg::Error too: their calls would interleave
// differently on different ranks and the job would hang or mix up buffers.
//
// Note [exit with the process group up]
// A program that returns from main without destroy_process_group() still finalizes
// MPI: a handler runs at exit. It sees the exit status (glibc's on_exit), and that
// matters. When one rank fails (a bad file, a tg::Error it reports and exits 1 on)
// while the others wait in a collective, MPI_Finalize on the failing rank would wait
// for them too, and the job would hang. So a non-zero status calls MPI_Abort
// instead, which makes mpirun end every rank and exit non-zero; status 0 finalizes.
// A rank killed by a signal or by std::terminate never reaches the handler, and
// mpirun ends the job for that on its own.
#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "distributed.h"
#include "mpi_detail.h"

namespace tg::distributed {

namespace {

struct GroupState {
  MPI_Comm comm = MPI_COMM_NULL;
  bool owns_mpi = false;  // init_process_group called MPI_Init_thread, so it finalizes
  int provided = MPI_THREAD_SINGLE;
  int rank = 0;
  int size = 1;
};
GroupState state;

std::atomic<std::thread::id> owner{};  // the thread inside a collective, if any
thread_local int depth = 0;            // collectives nest: average_gradients calls all_reduce

void exit_handler(int status, void*) {
  if (state.comm == MPI_COMM_NULL) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (status == 0) {
    try {
      destroy_process_group();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tapegrad: at exit: %s\n", e.what());
    }
    return;
  }
  std::fprintf(stderr,
               "tapegrad: rank %d of %d is exiting with status %d while its process group is up; calling "
               "MPI_Abort so that the other ranks stop instead of waiting for it\n",
               state.rank, state.size, status);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, status);
}

void register_exit_handler() {
  static bool registered = false;
  if (registered) return;
  registered = true;
#ifdef __GLIBC__
  on_exit(exit_handler, nullptr);
#else
  std::atexit([] { exit_handler(0, nullptr); });  // no exit status here: always finalize
#endif
}

const char* thread_level_name(int level) {
  switch (level) {
    case MPI_THREAD_SINGLE: return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED: return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED: return "MPI_THREAD_SERIALIZED";
    default: return "MPI_THREAD_MULTIPLE";
  }
}

}  // namespace

namespace detail {

void check(int rc, const char* call, const char* where) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(rc, text, &length) != MPI_SUCCESS) length = 0;
  throw Error(fmt::format("{}: {} failed on rank {}: {} (MPI error {})", where, call, state.rank,
                          std::string(text, static_cast<size_t>(length)), rc));
}

MPI_Comm comm(const char* where) {
  if (state.comm == MPI_COMM_NULL)
    throw Error(fmt::format("{}: the process group is not initialized; expected a call to "
                            "tg::distributed::init_process_group(\"mpi\") first",
                            where));
  return state.comm;
}

int rank() { return state.rank; }
int world_size() { return state.size; }

MPI_Datatype mpi_type(Dtype dtype, const char* where) {
  switch (dtype) {
    case Dtype::Float32: return MPI_FLOAT;
    case Dtype::Float64: return MPI_DOUBLE;
    case Dtype::Int32: return MPI_INT32_T;
    case Dtype::Int64: return MPI_INT64_T;
    case Dtype::Bool: break;
  }
  throw TypeError(fmt::format("{}: dtype {} is not supported; expected torch.float32, torch.float64, "
                              "torch.int32 or torch.int64",
                              where, dtype_name(dtype)));
}

CallGuard::CallGuard(const char* where) {
  comm(where);
  if (depth > 0) {
    ++depth;
    return;
  }
  if (state.provided < MPI_THREAD_SERIALIZED) {
    int is_main = 0;
    check(MPI_Is_thread_main(&is_main), "MPI_Is_thread_main", where);
    if (!is_main)
      throw Error(fmt::format("{}: called from a thread that did not start MPI, which provides only {}; "
                              "expected calls from the thread that called init_process_group",
                              where, thread_level_name(state.provided)));
  }
  std::thread::id none{};
  if (!owner.compare_exchange_strong(none, std::this_thread::get_id()))
    throw Error(fmt::format("{}: another thread is inside a tg::distributed call; expected one call at a "
                            "time (see docs/distributed.md)",
                            where));
  depth = 1;
}

CallGuard::~CallGuard() {
  if (--depth == 0) owner.store(std::thread::id{});
}

}  // namespace detail

void init_process_group(const std::string& backend, int* argc, char*** argv) {
  const char* where = "init_process_group";
  if (backend != "mpi")
    throw ValueError(fmt::format("{}: backend = \"{}\" is not available; expected \"mpi\"", where, backend));
  if (state.comm != MPI_COMM_NULL)
    throw Error(fmt::format("{}: the process group is already initialized; expected one call (or "
                            "destroy_process_group() before the next)",
                            where));
  int finalized = 0, initialized = 0;
  detail::check(MPI_Finalized(&finalized), "MPI_Finalized", where);
  if (finalized)
    throw Error(fmt::format("{}: MPI was already finalized (by destroy_process_group or the program), and "
                            "MPI cannot start twice in one process; expected one process group per run",
                            where));
  detail::check(MPI_Initialized(&initialized), "MPI_Initialized", where);
  if (initialized) {
    detail::check(MPI_Query_thread(&state.provided), "MPI_Query_thread", where);
    state.owns_mpi = false;
  } else {
    detail::check(MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &state.provided), "MPI_Init_thread", where);
    state.owns_mpi = true;
  }
  MPI_Comm comm = MPI_COMM_NULL;
  detail::check(MPI_Comm_dup(MPI_COMM_WORLD, &comm), "MPI_Comm_dup", where);
  detail::check(MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler", where);
  detail::check(MPI_Comm_rank(comm, &state.rank), "MPI_Comm_rank", where);
  detail::check(MPI_Comm_size(comm, &state.size), "MPI_Comm_size", where);
  state.comm = comm;
  register_exit_handler();
}

void init_process_group(const std::string& backend) { init_process_group(backend, nullptr, nullptr); }

bool is_initialized() { return state.comm != MPI_COMM_NULL; }

int get_rank() {
  detail::comm("get_rank");
  return state.rank;
}

int get_world_size() {
  detail::comm("get_world_size");
  return state.size;
}

void barrier() {
  const char* where = "barrier";
  detail::CallGuard guard(where);
  detail::check(MPI_Barrier(state.comm), "MPI_Barrier", where);
}

void destroy_process_group() {
  const char* where = "destroy_process_group";
  detail::CallGuard guard(where);
  MPI_Comm comm = state.comm;
  state.comm = MPI_COMM_NULL;
  detail::check(MPI_Comm_free(&comm), "MPI_Comm_free", where);
  if (state.owns_mpi) {
    state.owns_mpi = false;
    detail::check(MPI_Finalize(), "MPI_Finalize", where);
  }
}

}  // namespace tg::distributed

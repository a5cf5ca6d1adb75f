// A rank that fails between collectives must end the whole job, with a non-zero
// status, while the others wait in the next collective; tests/distributed/lost_rank.sh
// runs it under mpirun with a timeout. Modes (argv[1]):
//   exit    rank 1 returns 3 from main: the exit handler calls MPI_Abort
//   throw   rank 1 lets a tg::Error escape main: std::terminate, then SIGABRT
//   finish  no rank fails, and none calls destroy_process_group: the exit handler
//           finalizes MPI and the job ends with status 0
#include <cstdio>
#include <cstring>

#include <tapegrad/tapegrad.h>

int main(int argc, char** argv) {
  namespace dist = tg::distributed;
  dist::init_process_group("mpi", &argc, &argv);
  const char* mode = argc > 1 ? argv[1] : "exit";
  tg::Tensor t = tg::ones({4});
  dist::all_reduce(t);  // one collective that every rank completes
  if (dist::get_rank() == 1 && std::strcmp(mode, "finish") != 0) {
    std::fprintf(stderr, "lost_rank: rank 1 fails after the first all_reduce\n");
    if (std::strcmp(mode, "throw") == 0) throw tg::Error("lost_rank: rank 1 gives up");
    return 3;
  }
  dist::all_reduce(t);  // in the failing modes, the other ranks wait here for rank 1
  std::printf("lost_rank: rank %d finished with t[0] = %g\n", dist::get_rank(), t[0].item<float>());
  return 0;  // no destroy_process_group(): the exit handler finalizes
}

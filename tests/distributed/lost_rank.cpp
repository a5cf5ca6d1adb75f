// A rank that fails between collectives must end the whole job, with a non-zero
// status, while the others wait in the next collective; tests/distributed/lost_rank.sh
// runs it under mpirun with a timeout. Modes (argv[1]):
//   exit    rank 1 returns 3 from main: the exit handler calls MPI_Abort
//   throw   rank 1 lets a tg::Error escape main: std::terminate, then SIGABRT
#include <cstdio>
#include <cstring>

#include <tapegrad/tapegrad.h>

int main(int argc, char** argv) {
  namespace dist = tg::distributed;
  dist::init_process_group("mpi", &argc, &argv);
  const bool throw_mode = argc > 1 && std::strcmp(argv[1], "throw") == 0;
  tg::Tensor t = tg::ones({4});
  dist::all_reduce(t);  // one collective that every rank completes
  if (dist::get_rank() == 1) {
    std::fprintf(stderr, "lost_rank: rank 1 fails after the first all_reduce\n");
    if (throw_mode) throw tg::Error("lost_rank: rank 1 gives up");
    return 3;
  }
  dist::all_reduce(t);  // the other ranks wait here for rank 1
  std::printf("lost_rank: rank %d finished the second all_reduce, which should not happen\n", dist::get_rank());
  return 0;
}

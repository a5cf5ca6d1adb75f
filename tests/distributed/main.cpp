// The distributed tests' main: every rank runs every test case, under mpirun. The
// cases call collectives, so every rank must reach each one (CHECK, not REQUIRE,
// unless a failure would desynchronise the ranks anyway: the ctest timeout then ends
// the hang). The job's status is the worst rank's.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

int main(int argc, char** argv) {
  namespace dist = tg::distributed;
  dist::init_process_group("mpi", &argc, &argv);
  doctest::Context context(argc, argv);
  // Rank 0 prints the summary; the others print only their failures.
  if (dist::get_rank() != 0) context.setOption("minimal", true);
  const int status = context.run();
  tg::Tensor worst = tg::scalar_tensor(status, tg::kInt64);
  dist::all_reduce(worst, dist::ReduceOp::Max);
  dist::destroy_process_group();
  return static_cast<int>(worst.item<int64_t>());
}

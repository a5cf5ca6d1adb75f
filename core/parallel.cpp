// The intra-op thread count. OpenBLAS is the only consumer today: its matmuls are the
// one place where splitting one op over cores pays for itself at these sizes.
#include <fmt/format.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "tensor.h"

extern "C" void openblas_set_num_threads(int);

namespace tg {

namespace {
int initial_threads() {
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}
std::atomic<int> num_threads{initial_threads()};
}  // namespace

void set_num_threads(int n) {
  if (n < 1) throw ValueError(fmt::format("set_num_threads: num_threads = {} is invalid; expected >= 1", n));
  num_threads = n;
  openblas_set_num_threads(n);
}

int get_num_threads() { return num_threads; }

}  // namespace tg

// The intra-op thread count and the one pool that runs parallel regions (Note [one pool]
// in parallel.h). OpenBLAS's threads are sized by the same count.
#include "parallel.h"

#include <fmt/format.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
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

namespace core {

namespace {

// True on the process's main thread (its thread id is the process id) while no region
// is running on it; false on every other thread, the pool's included.
thread_local bool may_split = static_cast<pid_t>(syscall(SYS_gettid)) == getpid();

class Pool {
 public:
  void run(int parts, int64_t begin, int64_t end, void (*body)(void*, int64_t, int64_t), void* ctx) {
    start_workers(parts - 1);
    Job job{body, ctx, begin, end, parts};
    uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = job;
      next_part_ = 0;
      done_ = 0;
      error_ = nullptr;
      generation = ++generation_;
    }
    wake_.notify_all();
    may_split = false;
    work(job, generation);
    may_split = true;
    std::unique_lock<std::mutex> lock(mutex_);
    finished_.wait(lock, [&] { return done_ == parts; });
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  struct Job {
    void (*body)(void*, int64_t, int64_t) = nullptr;
    void* ctx = nullptr;
    int64_t begin = 0, end = 0;
    int parts = 0;
  };

  // Claims and runs parts of region `generation` until none is left. Claims are made
  // under the lock and checked against the generation: a worker that woke late must
  // not take a part of the next region for the one it copied.
  void work(const Job& job, uint64_t generation) {
    const int64_t n = job.end - job.begin;
    for (;;) {
      int p;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (generation_ != generation || next_part_ >= job.parts) return;
        p = next_part_++;
      }
      std::exception_ptr error;
      try {
        job.body(job.ctx, job.begin + n * p / job.parts, job.begin + n * (p + 1) / job.parts);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (error && !error_) error_ = error;
      if (++done_ == job.parts) finished_.notify_one();
    }
  }

  void start_workers(int wanted) {
    // Only the main thread starts regions, so no lock is needed to grow the pool.
    while (workers_ < wanted) {
      std::thread([this] {
        uint64_t seen = 0;
        for (;;) {
          Job job;
          {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return generation_ != seen; });
            seen = generation_;
            job = job_;
          }
          work(job, seen);
        }
      }).detach();  // never joined: the workers wait for work until the process exits
      ++workers_;
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  Job job_;
  int next_part_ = 0;
  int done_ = 0;
  uint64_t generation_ = 0;
  std::exception_ptr error_;
  int workers_ = 0;
};

// Never destroyed: detached workers may still be waiting on its members at exit.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

}  // namespace

int parallel_parts(int64_t work_bytes) {
  if (!may_split) return 1;
  const int64_t threads = get_num_threads();
  if (threads <= 1) return 1;
  return static_cast<int>(std::clamp<int64_t>(work_bytes / kParallelMinBytes, 1, threads));
}

void parallel_run(int parts, int64_t begin, int64_t end, void (*body)(void*, int64_t, int64_t), void* ctx) {
  pool().run(parts, begin, end, body, ctx);
}

}  // namespace core

}  // namespace tg

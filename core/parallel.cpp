// The intra-op thread count and the one pool that runs parallel regions (Note [one pool]
// in parallel.h). OpenBLAS's threads are sized by the same count.
#include "parallel.h"

#include <fmt/format.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

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

// Note [spin before sleeping]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~
// A thread blocked on a condition variable sleeps in the kernel, and waking it is a
// futex call plus the time the scheduler takes to put it back on a core. A pool whose
// workers slept after every region (one voluntary context switch per region, measured)
// paid that on every call: on this 2-core VM a 2^20-element gather (~220 us on one
// thread) ran slower on 2 threads than on 1 (bench/README.md). So, as OpenMP's and
// PyTorch's pools do, a thread that waits spins first: a worker polls for the next
// region, and the calling thread for the last part to finish, for up to kSpin before
// blocking. Back-to-back regions (a training step's kernels) then find the worker
// awake, and a worker that is asleep costs one wake-up, as before. The spin is
// bounded, so an idle pool sleeps and costs no CPU.
constexpr auto kSpin = std::chrono::microseconds(100);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls ready() for up to kSpin; true once it held.
template <class P> bool spin_until(P ready) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (unsigned i = 1;; ++i) {
    if (ready()) return true;
    cpu_relax();
    if (i % 64 == 0 && std::chrono::steady_clock::now() > deadline) return false;
  }
}

class Pool {
 public:
  void run(int threads, int parts, int64_t begin, int64_t end, void (*body)(void*, int64_t, int64_t), void* ctx) {
    start_workers(threads - 1);
    Job job{body, ctx, begin, end, parts, threads};
    uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = job;
      claimed_.assign(static_cast<size_t>(parts), 0);
      done_.store(0, std::memory_order_relaxed);
      error_ = nullptr;
      generation = generation_.load(std::memory_order_relaxed) + 1;
      generation_.store(generation, std::memory_order_release);
    }
    wake_.notify_all();  // no system call when every worker is spinning
    may_split = false;
    work(job, generation, 0);
    may_split = true;
    if (!spin_until([&] { return done_.load(std::memory_order_acquire) == parts; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      finished_.wait(lock, [&] { return done_.load(std::memory_order_relaxed) == parts; });
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  struct Job {
    void (*body)(void*, int64_t, int64_t) = nullptr;
    void* ctx = nullptr;
    int64_t begin = 0, end = 0;
    int parts = 0;
    int threads = 0;
  };

  // Note [home parts]
  // ~~~~~~~~~~~~~~~~~
  // Thread t (the caller is 0, pool worker k is k) claims the parts of its home share
  // first, parts [t * parts / threads, (t + 1) * parts / threads), and only then any part
  // left. So when every thread arrives in time, a loop over the same rows runs each range
  // on the same core call after call, and the rows a scatter-add writes stay in that
  // core's caches: with parts claimed first-come, the two cores took each other's halves
  // on alternate calls, and a 2-thread index_add_ into a 25 MB table took as long as on
  // one thread with each thread as busy as that one (bench_parallel --case). A thread
  // that comes late still finds what the others left.
  int claim(const Job& job, int t) {
    const int home_begin = t < job.threads ? t * job.parts / job.threads : 0;
    const int home_end = t < job.threads ? (t + 1) * job.parts / job.threads : 0;
    for (int p = home_begin; p < home_end; ++p)
      if (!claimed_[static_cast<size_t>(p)]) return claimed_[static_cast<size_t>(p)] = 1, p;
    for (int p = 0; p < job.parts; ++p)
      if (!claimed_[static_cast<size_t>(p)]) return claimed_[static_cast<size_t>(p)] = 1, p;
    return -1;
  }

  // Claims and runs parts of region `generation` on thread t until none is left. Claims
  // are made under the lock and checked against the generation: a worker that woke late
  // must not take a part of the next region for the one it copied.
  void work(const Job& job, uint64_t generation, int t) {
    const int64_t n = job.end - job.begin;
    for (;;) {
      int p;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (generation_.load(std::memory_order_relaxed) != generation) return;
        p = claim(job, t);
        if (p < 0) return;
      }
      std::exception_ptr error;
      try {
        job.body(job.ctx, job.begin + n * p / job.parts, job.begin + n * (p + 1) / job.parts);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (error && !error_) error_ = error;
      if (done_.fetch_add(1, std::memory_order_release) + 1 == job.parts) finished_.notify_one();
    }
  }

  void start_workers(int wanted) {
    // Only the main thread starts regions, so no lock is needed to grow the pool.
    while (workers_ < wanted) {
      std::thread([this, t = workers_ + 1] {
        uint64_t seen = 0;
        for (;;) {
          // Note [spin before sleeping]: the next region usually follows within kSpin.
          spin_until([&] { return generation_.load(std::memory_order_relaxed) != seen; });
          Job job;
          {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
            seen = generation_.load(std::memory_order_relaxed);
            job = job_;
          }
          work(job, seen, t);
        }
      }).detach();  // never joined: the workers wait for work until the process exits
      ++workers_;
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  Job job_;
  std::vector<char> claimed_;  // per part of the current region (Note [home parts])
  std::exception_ptr error_;
  int workers_ = 0;
  // Written under mutex_; read without it by spinning threads. Each on its own cache
  // line: the main thread polls done_ while a worker polls generation_.
  alignas(64) std::atomic<uint64_t> generation_{0};
  alignas(64) std::atomic<int> done_{0};
};

// Never destroyed: detached workers may still be waiting on its members at exit.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

}  // namespace

int parallel_threads(int64_t work_bytes) {
  if (!may_split) return 1;
  const int64_t threads = get_num_threads();
  if (threads <= 1) return 1;
  return static_cast<int>(std::clamp<int64_t>(work_bytes / kParallelMinBytes, 1, threads));
}

void parallel_run(int threads, int parts, int64_t begin, int64_t end, void (*body)(void*, int64_t, int64_t),
                  void* ctx) {
  pool().run(threads, parts, begin, end, body, ctx);
}

}  // namespace core

}  // namespace tg

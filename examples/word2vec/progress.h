#pragma once
// The progress line on stderr and the CSV log. Training threads only add to atomic
// counters; a monitor thread reads them, so printing never slows a training step. The
// log is a tg::AtomicFile: it replaces a previous log only when commit_log() is called
// after a successful run, and a write error (a full disk) fails the run.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <tapegrad/tapegrad.h>
#include <thread>

namespace w2v {

struct Counters {
  std::atomic<int64_t> tokens{0};  // corpus tokens read, all threads, this run and resumed ones
  std::atomic<double> loss_sum{0};
  std::atomic<int64_t> pairs{0};   // (center, context) pairs the loss was summed over
};

class Progress {
 public:
  // total: tokens to read over the whole training; start: tokens already read (resume).
  // lr(): the optimizer's current learning rate.
  Progress(const Counters& counters, int64_t total, int64_t start, int threads, bool quiet,
           const std::string& log_path, std::function<double()> lr);
  ~Progress();
  void start();
  // Stops the monitor and prints the totals (words/sec/thread too if print_rate);
  // returns words/sec/thread.
  double finish(bool print_rate = true);
  double seconds() const { return seconds_; }  // from start() to finish()
  // Puts the --log file in place (after the vectors are written); a tg::Error if any
  // write to it failed.
  void commit_log();

 private:
  void run();
  void report(bool last);

  const Counters& counters_;
  int64_t total_, start_tokens_;
  int threads_;
  bool quiet_, tty_;
  std::function<double()> lr_;
  std::unique_ptr<tg::AtomicFile> log_;
  std::exception_ptr log_error_;  // the first failed write, reported by commit_log
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::chrono::steady_clock::time_point begin_, last_print_;
  double avg_loss_ = 0;
  bool have_loss_ = false;
  int64_t last_pairs_ = 0;
  double last_loss_sum_ = 0;
  double seconds_ = 0;
};

}  // namespace w2v

// Progress: fastText's line ("Progress: 42.0% words/sec/thread: ... lr: ... avg.loss:
// ... ETA: ..."), rewritten in place on a terminal and printed every few seconds
// otherwise (a log file should not fill with carriage returns).
#include "progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <system_error>

namespace w2v {

namespace {
std::string eta_string(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "--";
  const auto s = static_cast<int64_t>(seconds);
  return fmt::format("{}h{:2}m{:2}s", s / 3600, (s / 60) % 60, s % 60);
}
}  // namespace

Progress::Progress(const Counters& counters, int64_t total, int64_t start, int threads, bool quiet,
                   const std::string& log_path, std::function<double()> lr)
    : counters_(counters), total_(total), start_tokens_(start), threads_(threads), quiet_(quiet),
      tty_(isatty(STDERR_FILENO) != 0), lr_(std::move(lr)) {
  if (!log_path.empty()) {
    log_ = std::make_unique<tg::AtomicFile>(log_path, "train: --log");
    log_->write("tokens,loss,lr,words_per_sec\n");
  }
}

Progress::~Progress() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
}

void Progress::start() {
  begin_ = last_print_ = std::chrono::steady_clock::now();
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error& e) {
    throw tg::Error(fmt::format("train: could not start the progress thread ({}); expected the system to allow "
                                "a process a few threads", e.what()));
  }
}

void Progress::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(tty_ ? 200 : 1000));
    if (!stop_) report(false);
  }
}

void Progress::report(bool last) {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - begin_).count();
  const int64_t tokens = counters_.tokens.load(std::memory_order_relaxed);
  const int64_t pairs = counters_.pairs.load(std::memory_order_relaxed);
  const double loss_sum = counters_.loss_sum.load(std::memory_order_relaxed);
  // Moving average over the pairs since the last report, smoothed like fastText's.
  if (pairs > last_pairs_) {
    const double recent = (loss_sum - last_loss_sum_) / static_cast<double>(pairs - last_pairs_);
    avg_loss_ = have_loss_ ? 0.9 * avg_loss_ + 0.1 * recent : recent;
    have_loss_ = true;
    last_pairs_ = pairs;
    last_loss_sum_ = loss_sum;
  }
  const double done = static_cast<double>(tokens - start_tokens_);
  const double wps = elapsed > 0 ? done / elapsed / threads_ : 0;
  const double fraction = total_ > 0 ? static_cast<double>(tokens) / static_cast<double>(total_) : 1;
  const double eta = wps > 0 ? static_cast<double>(total_ - tokens) / (wps * threads_) : -1;
  const double lr = lr_();
  if (log_ && !log_error_) {
    // This runs on the monitor thread: an error waits for commit_log.
    try {
      log_->write(fmt::format("{},{:.6f},{:.6g},{:.0f}\n", tokens, avg_loss_, lr, wps * threads_));
    } catch (const tg::Error&) {
      log_error_ = std::current_exception();
    }
  }
  if (quiet_) return;
  const std::string line = fmt::format("Progress: {:5.1f}% words/sec/thread: {:7.0f} lr: {:9.6f} avg.loss: {:9.6f} ETA: {}",
                                       100.0 * std::min(fraction, 1.0), wps, lr, avg_loss_, eta_string(eta));
  if (tty_) {
    fmt::print(stderr, "\r{}\x1b[K", line);
    if (last) fmt::print(stderr, "\n");
  } else if (last || std::chrono::duration<double>(now - last_print_).count() >= 5.0) {
    fmt::print(stderr, "{}\n", line);
    last_print_ = now;
  }
  std::fflush(stderr);
}

double Progress::finish(bool print_rate) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  report(true);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_).count();
  seconds_ = elapsed;
  const int64_t done = counters_.tokens.load() - start_tokens_;
  const double wps = elapsed > 0 ? static_cast<double>(done) / elapsed / threads_ : 0;
  if (!quiet_) {
    fmt::print(stderr, "tokens read: {} in {:.1f} s with {} thread{}\n", done, elapsed, threads_,
               threads_ == 1 ? "" : "s");
    fmt::print(stderr, "average loss: {:.6f}\n", avg_loss_);
  }
  if (print_rate) fmt::print(stderr, "words/sec/thread: {:.0f}\n", wps);
  return wps;
}

void Progress::commit_log() {
  if (!log_) return;
  if (log_error_) std::rethrow_exception(log_error_);
  log_->commit();
}

}  // namespace w2v

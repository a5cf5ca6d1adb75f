#pragma once
// The trainer's settings and every check on them, run before the corpus is read, so
// that a bad flag or an unwritable output fails at once instead of after training.
//
//   w2v::TrainOptions o;  o.input = "corpus.txt";  o.output = "v.vec";
//   w2v::check_options(o);   // tg::ValueError naming the flag, its value and the range
//   w2v::check_paths(o);     // tg::Error naming the path and what is wrong with it
#include <cstdint>
#include <optional>
#include <string>

namespace w2v {

struct TrainOptions {
  std::string input, output;
  int64_t dim = 100, window = 5, negative = 5, min_count = 5, epochs = 5;
  double sample = 1e-4;
  std::optional<double> lr;  // unset: the optimizer's default (default_lr)
  int threads = 1;
  std::string optimizer = "sgd";  // sgd | sparse_adam | adagrad
  std::string step = "window";    // window | pair (trainer.cpp, Note [Window step])
  int64_t batch = 64;             // (center, context) pairs per step
  int64_t sync_tokens = 200'000;  // under mpirun: tokens of a process between row syncs
  uint64_t seed = 1;
  std::string log;                // CSV: tokens,loss,lr,words_per_sec
  std::string checkpoint;         // checkpoint written after every epoch
  std::string save_model;         // model file (model_file.h): vocabulary, input table, settings
  bool binary = false;            // --output in word2vec's binary format
  std::string model = "skipgram"; // skipgram | cbow
  int64_t minn = 0, maxn = 0;     // character n-gram lengths; maxn 0: words only
  int64_t bucket = 2'000'000;     // n-gram rows (used when maxn > 0)
  std::string resume;             // checkpoint to continue from
  bool quiet = false;             // no progress line
};

// The ranges check_options enforces (examples/word2vec/README.md, "Bad input"). They
// are far above any useful setting and low enough that no size derived from them
// overflows: batch * (1 + negative) * dim stays below 2^63 by many orders.
struct Limits {
  static constexpr int64_t max_dim = 10'000;
  static constexpr int64_t max_window = 1'000;
  static constexpr int64_t max_negative = 1'000;
  static constexpr int64_t max_epochs = 10'000;
  static constexpr int64_t max_batch = 1'000'000;
  static constexpr int64_t max_sync_tokens = int64_t{1} << 40;
  static constexpr int max_threads = 1'024;
  static constexpr int64_t max_ngram = 100;               // --minn, --maxn
  static constexpr int64_t max_bucket = int64_t{1} << 31;  // a 32-bit hash modulo the buckets
  // One step's lookups, batch * (1 + negative) * dim floats: 1 GiB.
  static constexpr int64_t max_step_floats = int64_t{1} << 28;
  // Tokens read over the whole run (corpus tokens * epochs): the lr schedule's tick
  // arithmetic (tokens * 10000) must stay far inside int64.
  static constexpr int64_t max_total_tokens = int64_t{1} << 48;
};

// The learning rate each optimizer trains well with, for a loss summed over pairs.
double default_lr(const std::string& optimizer);
// opts.lr if set, else default_lr(opts.optimizer).
double start_lr(const TrainOptions& opts);

// Every numeric flag in its range, lr finite and > 0, a known optimizer: tg::ValueError
// "train: --dim = 0 is out of range; expected 1 to 10000" otherwise.
void check_options(const TrainOptions& opts);

// --input and --resume are readable regular files; --output, --log and --checkpoint can
// be written (their folder exists and is writable; an existing file there is a regular,
// writable file); no file is both read and written, and no two outputs are one file
// (compared by device and inode, so links and "./x" vs "x" are caught). tg::Error naming
// the flag, the path and the reason otherwise.
void check_paths(const TrainOptions& opts);

}  // namespace w2v

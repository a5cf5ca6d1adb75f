#include "train_options.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <tapegrad/tapegrad.h>
#include <vector>

namespace w2v {

namespace {

void check_range(const char* flag, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi)
    throw tg::ValueError(fmt::format("train: {} = {} is out of range; expected {} to {}", flag, value, lo, hi));
}

[[noreturn]] void path_error(const char* flag, const std::string& path, const std::string& problem,
                             const std::string& expected) {
  throw tg::Error(fmt::format("train: {} '{}' {}; expected {}", flag, path, problem, expected));
}

// A file the trainer reads: it exists, is regular (a FIFO or /dev/zero would block or
// never end) and is readable.
void check_readable(const char* flag, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    path_error(flag, path, fmt::format("cannot be opened ({})", std::strerror(errno)), "an existing file");
  if (!S_ISREG(st.st_mode)) path_error(flag, path, "is " + tg::describe_file_type(st.st_mode), "a regular file");
  if (::access(path.c_str(), R_OK) != 0)
    path_error(flag, path, fmt::format("cannot be read ({})", std::strerror(errno)), "a readable file");
}

// A file the trainer writes (through tg::AtomicFile: a temporary beside it, renamed
// over it at the end). The folder is checked here, for a message that says what is
// missing; then an AtomicFile is opened and discarded, which refuses what the library
// will not replace (a FIFO, a device, a directory, a read-only file) and proves that a
// temporary can be created in the folder.
void check_writable(const char* flag, const std::string& path) {
  if (path.empty()) path_error(flag, path, "is empty", "a file name");
  namespace fs = std::filesystem;
  // (A symlink's target folder is AtomicFile's to check: it writes through the link.)
  const fs::path given = path;
  const fs::path folder = given.has_parent_path() ? given.parent_path() : fs::path(".");
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0)
    path_error(flag, path, fmt::format("cannot be created: folder '{}' {}", folder.string(),
                                       errno == ENOENT ? "does not exist" : std::strerror(errno)),
               "a path in an existing folder");
  if (!S_ISDIR(st.st_mode))
    path_error(flag, path, fmt::format("cannot be created: '{}' is {}", folder.string(),
                                       tg::describe_file_type(st.st_mode)),
               "a path in an existing folder");
  tg::AtomicFile probe(path, fmt::format("train: {}", flag));
}

// What identifies a file: device and inode when it exists, else its absolute path with
// the existing part resolved.
struct FileId {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string path;
  bool same(const FileId& other) const {
    if (exists && other.exists) return dev == other.dev && ino == other.ino;
    return !exists && !other.exists && path == other.path;
  }
};

FileId file_id(const std::string& path) {
  FileId id;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    id.exists = true;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
  } else {
    std::error_code ec;
    id.path = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec).string();
    if (ec) id.path = path;
  }
  return id;
}

}  // namespace

double default_lr(const std::string& optimizer) {
  if (optimizer == "sparse_adam") return 0.01;
  if (optimizer == "adagrad") return 0.2;
  return 0.05;  // word2vec's and fastText's skip-gram rate for plain SGD
}

double start_lr(const TrainOptions& opts) { return opts.lr ? *opts.lr : default_lr(opts.optimizer); }

void check_options(const TrainOptions& opts) {
  check_range("--dim", opts.dim, 1, Limits::max_dim);
  check_range("--window", opts.window, 1, Limits::max_window);
  check_range("--negative", opts.negative, 1, Limits::max_negative);
  check_range("--epochs", opts.epochs, 1, Limits::max_epochs);
  check_range("--batch", opts.batch, 1, Limits::max_batch);
  check_range("--sync-every", opts.sync_tokens, 1, Limits::max_sync_tokens);
  check_range("--threads", opts.threads, 1, Limits::max_threads);
  if (opts.min_count < 0)
    throw tg::ValueError(fmt::format("train: --min-count = {} is negative; expected 0 or more (0 and 1 keep every "
                                     "word)", opts.min_count));
  if (!(opts.sample >= 0 && opts.sample <= 1))
    throw tg::ValueError(fmt::format("train: --sample = {} is out of range; expected 0 (off) to 1, e.g. 1e-4",
                                     opts.sample));
  if (opts.lr && !(std::isfinite(*opts.lr) && *opts.lr > 0))
    throw tg::ValueError(fmt::format("train: --lr = {} is not a finite number > 0; expected e.g. {}", *opts.lr,
                                     default_lr(opts.optimizer)));
  if (opts.optimizer != "sgd" && opts.optimizer != "sparse_adam" && opts.optimizer != "adagrad")
    throw tg::ValueError(fmt::format("train: --optimizer = '{}' is unknown; expected sgd, sparse_adam or adagrad",
                                     opts.optimizer));
  if (opts.step != "window" && opts.step != "pair")
    throw tg::ValueError(fmt::format("train: --step = '{}' is unknown; expected window or pair", opts.step));
  if (opts.model != "skipgram" && opts.model != "cbow")
    throw tg::ValueError(fmt::format("train: --model = '{}' is unknown; expected skipgram or cbow", opts.model));
  check_range("--minn", opts.minn, 0, Limits::max_ngram);
  check_range("--maxn", opts.maxn, 0, Limits::max_ngram);
  if (opts.maxn > 0 && (opts.minn < 1 || opts.minn > opts.maxn))
    throw tg::ValueError(fmt::format("train: --minn = {} with --maxn = {}; expected 1 <= --minn <= --maxn "
                                     "(fastText's 3 and 6), or --minn 0 --maxn 0 for words only",
                                     opts.minn, opts.maxn));
  if (opts.maxn == 0 && opts.minn != 0)
    throw tg::ValueError(fmt::format("train: --minn = {} with --maxn = 0; expected --minn <= --maxn (e.g. --minn {} "
                                     "--maxn 6), or --minn 0 for words only", opts.minn, opts.minn));
  if (opts.maxn > 0) check_range("--bucket", opts.bucket, 1, Limits::max_bucket);
  const int64_t step_floats = opts.batch * (1 + opts.negative) * opts.dim;  // < 2^44 within the ranges above
  if (step_floats > Limits::max_step_floats)
    throw tg::ValueError(fmt::format("train: --batch * (1 + --negative) * --dim = {} * {} * {} = {} floats per step "
                                     "is too large; expected at most {} (lower --batch)",
                                     opts.batch, 1 + opts.negative, opts.dim, step_floats, Limits::max_step_floats));
}

void check_paths(const TrainOptions& opts) {
  check_readable("--input", opts.input);
  if (!opts.resume.empty()) check_readable("--resume", opts.resume);
  struct Named {
    const char* flag;
    const std::string& path;
  };
  std::vector<Named> written{{"--output", opts.output}};
  if (!opts.log.empty()) written.push_back({"--log", opts.log});
  if (!opts.checkpoint.empty()) written.push_back({"--checkpoint", opts.checkpoint});
  if (!opts.save_model.empty()) written.push_back({"--save-model", opts.save_model});
  for (const Named& w : written) check_writable(w.flag, w.path);

  // --checkpoint may name the --resume file: continuing a checkpoint in place is the
  // usual way to resume, and the checkpoint is replaced atomically after each epoch.
  std::vector<Named> read{{"--input", opts.input}};
  if (!opts.resume.empty()) read.push_back({"--resume", opts.resume});
  for (size_t i = 0; i < written.size(); ++i) {
    const FileId id = file_id(written[i].path);
    for (const Named& r : read)
      if (id.same(file_id(r.path)) && !(r.flag == std::string("--resume") && written[i].flag == std::string("--checkpoint")))
        throw tg::Error(fmt::format("train: {} '{}' is the {} file '{}'; expected another file (it would be "
                                    "overwritten)", written[i].flag, written[i].path, r.flag, r.path));
    for (size_t j = 0; j < i; ++j)
      if (id.same(file_id(written[j].path)))
        throw tg::Error(fmt::format("train: {} '{}' and {} '{}' are one file; expected distinct files",
                                    written[j].flag, written[j].path, written[i].flag, written[i].path));
  }
}

}  // namespace w2v

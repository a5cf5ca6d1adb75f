// The word2vec trainer against hostile and careless input (examples/word2vec/README.md,
// "Bad input"): every option range, every path check, the corpus reader's limits, the
// learning-rate floor with resuming, the one-file checkpoint and divergence. Each case
// reproduces a defect: what used to crash, hang, or train and then lose the result.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "corpus.h"
#include "text_input.h"
#include "trainer.h"

namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / ("tapegrad_w2v_train_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return file(name);
  }
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string kCorpus = std::string(TAPEGRAD_TEST_DATA_DIR) + "/tiny_corpus.txt";

// Small and quick on the tiny corpus: a few hundred milliseconds per run.
w2v::TrainOptions tiny_options(const TempDir& dir) {
  w2v::TrainOptions o;
  o.input = kCorpus;
  o.output = dir.file("v.vec");
  o.dim = 8;
  o.min_count = 2;
  o.epochs = 1;
  o.sample = 0;
  o.threads = 1;
  o.quiet = true;
  return o;
}

// The message of the tg::Error that f throws (fails the test if it throws none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const tg::Error& e) {
    return e.what();
  }
  FAIL("no tg::Error was thrown");
  return {};
}

}  // namespace

TEST_CASE("check_options refuses every out-of-range number with a short message naming flag, value and range") {
  TempDir dir;
  const w2v::TrainOptions good = tiny_options(dir);
  CHECK_NOTHROW(w2v::check_options(good));
  auto message = [&](auto&& change) {
    w2v::TrainOptions o = good;
    change(o);
    return error_of([&] { w2v::check_options(o); });
  };
  // Was: "Value 0 not in range 0.000000 to 1797693134862315708145274237317043567981..." (309 digits).
  CHECK(message([](auto& o) { o.dim = 0; }) == "train: --dim = 0 is out of range; expected 1 to 10000");
  // Was: signal 11 (the table's byte count wrapped).
  CHECK(message([](auto& o) { o.dim = 72057594037927936; }) ==
        "train: --dim = 72057594037927936 is out of range; expected 1 to 10000");
  CHECK(message([](auto& o) { o.window = -1; }) == "train: --window = -1 is out of range; expected 1 to 1000");
  CHECK(message([](auto& o) { o.negative = 0; }) == "train: --negative = 0 is out of range; expected 1 to 1000");
  // Was accepted: the token count times epochs overflowed.
  CHECK(message([](auto& o) { o.epochs = std::numeric_limits<int64_t>::max(); }) ==
        "train: --epochs = 9223372036854775807 is out of range; expected 1 to 10000");
  CHECK(message([](auto& o) { o.threads = 5000; }) == "train: --threads = 5000 is out of range; expected 1 to 1024");
  CHECK(message([](auto& o) { o.batch = 0; }) == "train: --batch = 0 is out of range; expected 1 to 1000000");
  CHECK(message([](auto& o) { o.min_count = -3; }) ==
        "train: --min-count = -3 is negative; expected 0 or more (0 and 1 keep every word)");
  CHECK(message([](auto& o) { o.sample = -1; }) == "train: --sample = -1 is out of range; expected 0 (off) to 1, e.g. 1e-4");
  CHECK(message([](auto& o) { o.sample = std::nan(""); }).find("--sample = nan is out of range") != std::string::npos);
  // Was: -1, 0 and nan silently meant the default; inf trained fully, then failed.
  for (const double lr : {-1.0, 0.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    const std::string m = message([&](auto& o) { o.lr = lr; });
    CHECK(m.find("train: --lr = ") == 0);
    CHECK(m.find("is not a finite number > 0; expected e.g. 0.05") != std::string::npos);
  }
  CHECK(message([](auto& o) { o.optimizer = "adam"; }) ==
        "train: --optimizer = 'adam' is unknown; expected sgd, sparse_adam or adagrad");
  CHECK(message([](auto& o) {
          o.batch = 1000000;
          o.dim = 1000;
        }).find("floats per step is too large") != std::string::npos);
}

TEST_CASE("check_paths: outputs writable, inputs regular, nothing read is overwritten, checked before training") {
  TempDir dir;
  const w2v::TrainOptions good = tiny_options(dir);
  CHECK_NOTHROW(w2v::check_paths(good));
  auto message = [&](auto&& change) {
    w2v::TrainOptions o = good;
    change(o);
    return error_of([&] { w2v::check_paths(o); });
  };
  // Was: trained all epochs, then failed without the reason.
  const std::string nodir = dir.file("nodir/o.vec");
  CHECK(message([&](auto& o) { o.output = nodir; }) ==
        "train: --output '" + nodir + "' cannot be created: folder '" + dir.file("nodir") +
            "' does not exist; expected a path in an existing folder");
  CHECK(message([&](auto& o) { o.output = dir.path.string(); }).find("is a directory") != std::string::npos);
  // Was: the corpus was overwritten by the vectors. Another spelling and a hard link
  // of the input are the same file too.
  const std::string corpus = dir.write("corpus.txt", "a b c\n");
  fs::create_hard_link(corpus, dir.file("link.txt"));
  for (const std::string& same : {corpus, dir.file("./corpus.txt"), dir.file("link.txt")}) {
    CHECK(message([&](auto& o) {
            o.input = corpus;
            o.output = same;
          }).find("is the --input file") != std::string::npos);
  }
  CHECK(message([&](auto& o) {
          o.input = corpus;
          o.log = corpus;
        }).find("train: --log '") == 0);
  CHECK(message([&](auto& o) { o.checkpoint = o.output; }).find("are one file; expected distinct files") !=
        std::string::npos);
  CHECK(message([&](auto& o) { o.log = dir.file("nodir/log.csv"); }).find("train: --log") == 0);
  // Continuing a checkpoint in place is allowed; writing the vectors over it is not.
  const std::string ckpt = dir.write("ckpt.tg", "x");
  w2v::TrainOptions resume_in_place = good;
  resume_in_place.resume = resume_in_place.checkpoint = ckpt;
  CHECK_NOTHROW(w2v::check_paths(resume_in_place));
  CHECK(message([&](auto& o) {
          o.resume = ckpt;
          o.output = ckpt;
        }).find("is the --resume file") != std::string::npos);
  // Non-regular inputs: a directory, a device that never ends, a FIFO (which would block).
  CHECK(message([&](auto& o) { o.input = dir.path.string(); }).find("is a directory; expected a regular file") !=
        std::string::npos);
  CHECK(message([](auto& o) { o.input = "/dev/zero"; }) ==
        "train: --input '/dev/zero' is a character device; expected a regular file");
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
  CHECK(message([&](auto& o) { o.input = dir.file("fifo"); }).find("is a FIFO") != std::string::npos);
  CHECK(message([&](auto& o) { o.output = dir.file("fifo"); }).find("is a FIFO") != std::string::npos);
  // A read-only file is refused, as root too (root passes access(W_OK)).
  const std::string read_only = dir.write("ro.vec", "1 1\nold 1\n");
  fs::permissions(read_only, fs::perms::owner_read);
  CHECK(message([&](auto& o) { o.output = read_only; }).find("is read-only") != std::string::npos);
  CHECK(read_text(read_only) == "1 1\nold 1\n");
  CHECK(message([&](auto& o) { o.input = dir.file("missing.txt"); }).find("No such file") != std::string::npos);
}

TEST_CASE("train fails on a bad path before reading the corpus, leaving an existing output intact") {
  TempDir dir;
  w2v::TrainOptions o = tiny_options(dir);
  const std::string previous = dir.write("v.vec", "1 1\nold 1\n");
  o.output = previous;
  o.log = dir.file("nodir/log.csv");
  CHECK(error_of([&] { w2v::train(o); }).find("--log") != std::string::npos);
  CHECK(read_text(previous) == "1 1\nold 1\n");
}

TEST_CASE("read_corpus cuts tokens at 100 bytes on a character boundary and reports read errors") {
  TempDir dir;
  // 99 ASCII bytes and a 2-byte 'é' straddle the limit: the partial character is dropped.
  const std::string straddling = std::string(99, 'x') + "\xC3\xA9" + "tail";
  const std::string huge(1 << 20, 'y');  // was: ~5 bytes of memory per byte of the token
  const std::string path = dir.write("c.txt", straddling + " a " + huge + "\n a " + huge.substr(0, 200) + "\n");
  const w2v::Corpus corpus = w2v::read_corpus(path, 1);
  CHECK(corpus.truncated_tokens == 3);
  CHECK(corpus.num_tokens() == 5);
  CHECK(corpus.num_sentences() == 2);
  CHECK(corpus.vocab.index.count(std::string(99, 'x')) == 1);
  CHECK(corpus.vocab.index.count(std::string(100, 'y')) == 1);
  CHECK(corpus.vocab.counts[corpus.vocab.index.at(std::string(100, 'y'))] == 2);
  for (const std::string& w : corpus.vocab.words) CHECK(w.size() <= w2v::kMaxTokenBytes);

  // A read that fails is an error, not the end of the corpus (was: training on what had
  // been read, exit 0). A file cut short while it is read stands for any read error.
  const std::string cut = dir.write("cut.txt", std::string(200000, 'a') + "\n");
  w2v::TextInput input(cut, "train: --input");
  fs::resize_file(cut, 1000);
  std::string line;
  CHECK(error_of([&] { input.getline(line); }).find("ended early") != std::string::npos);
  CHECK(error_of([&] { w2v::read_corpus(dir.path.string(), 1); }).find("is a directory") != std::string::npos);
}

TEST_CASE("the learning rate decays to a floor every optimizer accepts, and sparse_adam resumes from its checkpoint") {
  CHECK(w2v::lr_factor(0) == 1.0);
  CHECK(w2v::lr_factor(w2v::kLrTicks / 2) == doctest::Approx(0.5));
  CHECK(w2v::lr_factor(w2v::kLrTicks) == w2v::kLrFloor);
  CHECK(w2v::lr_factor(w2v::kLrTicks - 1) == w2v::kLrFloor);  // 1 - 9999/10000 = 1e-4 too
  for (const char* name : {"sgd", "sparse_adam", "adagrad"}) {
    // Was: sparse_adam reached lr = 0, failed at the last step, and wrote no vectors; its
    // last checkpoint held lr = 0, so --resume failed too.
    CAPTURE(std::string(name));
    TempDir dir;
    w2v::TrainOptions o = tiny_options(dir);
    o.optimizer = name;
    o.epochs = 2;
    o.checkpoint = dir.file("ckpt.tg");
    REQUIRE_NOTHROW(w2v::train(o));
    CHECK(fs::exists(o.output));
    CHECK(!fs::exists(dir.file("ckpt.tg.optim")));  // one file holds the model and the optimizer
    // One file: the model, the optimizer (its lr at the floor, not 0) and the epochs done.
    double saved_lr = 0;
    int64_t epochs_done = -1;
    for (const auto& [group, entries] : tg::load_groups(o.checkpoint))
      for (const auto& [key, t] : entries) {
        if (group.rfind("optimizer:", 0) == 0 && key == "param_groups.0.lr") saved_lr = t.item<double>();
        if (group == "extra" && key == "epochs_done") epochs_done = t.item<int64_t>();
      }
    CHECK(epochs_done == 2);
    CHECK(saved_lr == doctest::Approx(w2v::default_lr(name) * w2v::kLrFloor));
    o.epochs = 3;
    o.resume = o.checkpoint;  // and saved in place again
    o.output = dir.file("v2.vec");
    REQUIRE_NOTHROW(w2v::train(o));
    CHECK(fs::exists(o.output));
    for (const auto& [group, entries] : tg::load_groups(o.checkpoint))
      for (const auto& [key, t] : entries)
        if (key == "epochs_done") CHECK(t.item<int64_t>() == 3);
  }
}

TEST_CASE("a checkpoint is refused when its optimizer, vocabulary or shape does not match the run") {
  TempDir dir;
  w2v::TrainOptions o = tiny_options(dir);
  o.checkpoint = dir.file("ckpt.tg");
  o.optimizer = "adagrad";
  REQUIRE_NOTHROW(w2v::train(o));
  o.resume = o.checkpoint;
  o.checkpoint.clear();
  o.optimizer = "sparse_adam";
  const std::string same_run = "expected the same --input, --min-count, --dim and --optimizer as the run that saved it";
  std::string m = error_of([&] { w2v::train(o); });
  CHECK(m.find("train: --resume '" + o.resume + "' does not fit this run (") == 0);
  CHECK(m.find("saved by Adagrad; expected state saved by SparseAdam") != std::string::npos);
  CHECK(m.find(same_run) != std::string::npos);
  o.optimizer = "adagrad";
  o.dim = 9;
  m = error_of([&] { w2v::train(o); });
  CHECK(m.find("has shape [502, 8]; expected a dense tensor of the target's shape [502, 9]") != std::string::npos);
  CHECK(m.find(same_run) != std::string::npos);
  // Another corpus with as many words: the tables fit, the counts do not.
  o.dim = 8;
  o.min_count = 1;
  o.input = dir.write("c1.txt", "a a a b c\n");
  o.checkpoint = dir.file("c1.tg");
  o.resume.clear();
  REQUIRE_NOTHROW(w2v::train(o));
  o.input = dir.write("c2.txt", "a a b b c\n");
  o.resume = o.checkpoint;
  o.checkpoint.clear();
  CHECK(error_of([&] { w2v::train(o); }) ==
        "train: --resume '" + o.resume + "' was trained on another vocabulary; " + same_run);
  // A file of the tables alone is not a checkpoint.
  tg::save(dir.file("tables.tg"), tg::NamedTensors{{"in", tg::zeros({3, 8})}});
  o.resume = dir.file("tables.tg");
  CHECK(error_of([&] { w2v::train(o); }).find("does not fit this run") != std::string::npos);
}

TEST_CASE("training that diverges stops with a message to lower --lr and writes nothing") {
  TempDir dir;
  w2v::TrainOptions o = tiny_options(dir);
  o.lr = 1e30;  // was: NaN vectors written, exit 0
  o.epochs = 2;
  o.threads = 2;
  o.checkpoint = dir.file("ckpt.tg");
  const std::string previous = dir.write("v.vec", "1 1\nold 1\n");
  const std::string m = error_of([&] { w2v::train(o); });
  CHECK(m.find("train: training diverged: ") == 0);
  CHECK(m.find("expected a smaller --lr (this run started at 1e+30; try a tenth of it)") != std::string::npos);
  CHECK(read_text(previous) == "1 1\nold 1\n");
  CHECK(!fs::exists(o.checkpoint));
}

TEST_CASE("--step picks the window or the pair step; both train through the framework, with Hogwild threads") {
  TempDir dir;
  w2v::TrainOptions o = tiny_options(dir);
  o.step = "windows";
  CHECK(error_of([&] { w2v::check_options(o); }) == "train: --step = 'windows' is unknown; expected window or pair");
  for (const char* step : {"window", "pair"}) {
    for (const int threads : {1, 2}) {
      CAPTURE(step);
      CAPTURE(threads);
      o.step = step;
      o.threads = threads;
      o.epochs = 2;
      CHECK(w2v::train(o) > 0);
      // Every word of the vocabulary, each with --dim finite numbers.
      std::istringstream vec(read_text(o.output));
      int64_t words = 0, dim = 0;
      vec >> words >> dim;
      CHECK(dim == 8);
      int64_t rows = 0;
      bool finite = true;
      for (std::string word; vec >> word; ++rows)
        for (int64_t j = 0; j < dim; ++j) {
          double x = 0;
          vec >> x;
          finite = finite && std::isfinite(x);
        }
      CHECK(rows == words);
      CHECK(finite);
    }
  }
}

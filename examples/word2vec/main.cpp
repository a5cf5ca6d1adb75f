// tapegrad-word2vec: skip-gram embeddings trained with tapegrad, and tools to query them.
//
//   tapegrad-word2vec train --input data/corpus.txt --output vectors.vec --threads 2
//   tapegrad-word2vec neighbors vectors.vec king
//   tapegrad-word2vec analogy vectors.vec man king woman
//   tapegrad-word2vec eval vectors.vec --analogies data/eval/analogies.txt --similarity data/eval/similarity.txt
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <thread>

#include "cluster.h"
#include "eval_commands.h"
#include "trainer.h"

namespace {

// Numbers are range-checked by w2v::check_options and paths by w2v::check_paths (both
// run by train before anything is read), so the library and the program share one set
// of rules and messages.
void add_train_command(CLI::App& app, w2v::TrainOptions& o) {
  CLI::App* train = app.add_subcommand("train", "train skip-gram or CBOW vectors (optionally with n-gram subwords) with negative sampling");
  train->add_option("--input", o.input, "corpus: whitespace-separated tokens, one sentence per line")->required();
  train->add_option("--output", o.output, "vectors in word2vec text format (.vec), or binary with --binary")->required();
  train->add_option("--dim", o.dim, "vector dimension")->capture_default_str();
  train->add_option("--window", o.window, "largest context window (each side)")->capture_default_str();
  train->add_option("--negative", o.negative, "negatives per context word")->capture_default_str();
  train->add_option("--min-count", o.min_count, "ignore words seen fewer times")->capture_default_str();
  train->add_option("--epochs", o.epochs, "passes over the corpus")->capture_default_str();
  train->add_option("--sample", o.sample, "subsampling threshold for frequent words (0: off)")->capture_default_str();
  train->add_option("--lr", o.lr, "initial learning rate, decaying linearly to 1e-4 of it "
                                  "(default: 0.05 sgd, 0.01 sparse_adam, 0.2 adagrad)");
  train->add_option("--threads", o.threads, "Hogwild training threads")->capture_default_str();
  train->add_option("--optimizer", o.optimizer, "sgd, sparse_adam or adagrad")->capture_default_str();
  train->add_option("--step", o.step, "window: one block product per window, negatives shared by its "
                                      "context words (word-only skip-gram; CBOW and subword models step by "
                                      "pairs); pair: K negatives per (center, context) pair")
      ->capture_default_str();
  train->add_option("--batch", o.batch, "(center, context) pairs per step")->capture_default_str();
  train->add_option("--seed", o.seed, "random seed")->capture_default_str();
  train->add_option("--sync-every", o.sync_tokens, "under mpirun: tokens each process reads between two "
                                                   "averagings of the most frequent rows")->capture_default_str();
  train->add_option("--log", o.log, "write a CSV of progress: tokens,loss,lr,words_per_sec");
  train->add_option("--checkpoint", o.checkpoint, "checkpoint file, written after every epoch");
  train->add_option("--save-model", o.save_model, "model file (vocabulary, word and n-gram vectors, settings) "
                                                 "for neighbors, analogy, eval and vector");
  train->add_flag("--binary", o.binary, "write --output in word2vec's binary format");
  train->add_option("--model", o.model, "skipgram or cbow")->capture_default_str();
  train->add_option("--minn", o.minn, "shortest character n-gram (0: words only; fastText: 3)")->capture_default_str();
  train->add_option("--maxn", o.maxn, "longest character n-gram (0: words only; fastText: 6)")->capture_default_str();
  train->add_option("--bucket", o.bucket, "n-gram hash buckets (with --maxn > 0)")->capture_default_str();
  train->add_option("--resume", o.resume, "continue from a --checkpoint file (same input and settings)");
  train->add_flag("--quiet", o.quiet, "no progress line");
  train->callback([&o] { w2v::train(o); });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tapegrad-word2vec: skip-gram word vectors trained with tapegrad"};
  app.require_subcommand(1);
  w2v::TrainOptions train_options;
  train_options.threads = static_cast<int>(
      std::clamp(std::thread::hardware_concurrency(), 1u, static_cast<unsigned>(w2v::Limits::max_threads)));
  add_train_command(app, train_options);
  add_eval_commands(app);
  try {
    w2v::join_processes(&argc, &argv);  // under mpirun: one process of several
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "\nerror: {}\n", e.what());
    return 1;
  }
  return 0;
}

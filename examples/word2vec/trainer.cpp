// The training loop. Threads take chunks of the sentences (Note [threads take chunks]) and run one tapegrad
// step per batch. Two steps (--step):
//
// window (default; Note [Window step]): for each center word, the B context words of its
// window are the input rows and one set of K negatives, plus the center word, the output
// rows. Windows with the same B are stacked, G of them per step:
//
//   u      = in(contexts)                        [G, B, D]      sparse Embedding lookups
//   v      = out(targets)                        [G, 1+K, D]    (targets: center, then negatives)
//   scores = bmm(u, v.transpose(1, 2))           [G, B, 1+K]
//   loss   = binary_cross_entropy_with_logits(scores, labels, sum)   labels: 1 center, 0 negatives
//
// pair: each (center, context) pair draws its own K negatives:
//
//   u      = in(centers)                         [P, D]
//   v      = out(targets)                        [P, 1+K, D]    (targets: context, then negatives)
//   scores = bmm(v, u.unsqueeze(2)).squeeze(2)   [P, 1+K]
//   loss   = binary_cross_entropy_with_logits(scores, labels, sum)
//
// then, for both:
//
//   grads  = tg::autograd::grad({loss}, {in.weight, out.weight})
//   optimizer.step_with(grads)
//
// The loss is summed, not averaged: every pair moves the tables as much as one
// word2vec update does, whatever the batch size. grad() leaves .grad alone, so the
// threads share the tables and the optimizer with no lock (Note [Hogwild steps] in
// optim/optimizer.cpp).
//
// Note [Window step]
// pWord2Vec's scheme (Ji et al. 2016, "Parallelizing Word2Vec in Shared and Distributed
// Memory"): the K negatives of a window are shared by its B context words, so a window
// costs one (B, D) x (D, 1+K) product and touches 1+K output rows instead of B x (1+K).
// Which table row is the input follows word2vec.c's skip-gram (the context word's input
// vector predicts the center word's output vector), so the --output vectors, the input
// table, see every context word of every kept window, as with the pair step. Windows are
// grouped by B so that one bmm covers G of them without padding; a group is stepped once
// it holds --batch pairs (G = ceil(batch / B)), and every group left at the end of an
// epoch is stepped then. The wait changes only the order of updates, as any batching does.
#include "trainer.h"

#include <fmt/format.h>

#include <unistd.h>

#include <barrier>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <system_error>
#include <tapegrad/tapegrad.h>
#include <thread>

#include "bag_input.h"
#include "checkpoint.h"
#include "cluster.h"
#include "corpus.h"
#include "model_file.h"
#include "progress.h"
#include "vectors_io.h"

namespace w2v {

namespace {

std::unique_ptr<tg::optim::Optimizer> make_optimizer(const std::string& name, std::vector<tg::Tensor> params,
                                                     double lr) {
  if (name == "sgd") return std::make_unique<tg::optim::SGD>(std::move(params), tg::optim::SGDOptions(lr));
  if (name == "sparse_adam")
    return std::make_unique<tg::optim::SparseAdam>(std::move(params), tg::optim::SparseAdamOptions(lr));
  if (name == "adagrad") return std::make_unique<tg::optim::Adagrad>(std::move(params), tg::optim::AdagradOptions(lr));
  throw tg::ValueError("train: --optimizer = '" + name + "' is unknown; expected sgd, sparse_adam or adagrad");
}

// Tensors the optimizer keeps per table: Adagrad's sum, SparseAdam's two moments.
int64_t state_tables(const std::string& optimizer) {
  return optimizer == "sparse_adam" ? 2 : optimizer == "adagrad" ? 1 : 0;
}

// The two tables and the optimizer's state, refused with their size when they cannot fit
// in this machine's memory (rather than a bad_alloc, or a swap storm, mid-training).
void check_table_memory(const TrainOptions& opts, int64_t vocab_size) {
  // vocab and bucket < 2^31 and dim <= 10^4: the product stays below 2^53.
  const int64_t rows = 2 * vocab_size + (opts.maxn > 0 ? opts.bucket : 0);
  const int64_t bytes = rows * opts.dim * 4 * (1 + state_tables(opts.optimizer));
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  const double physical = pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) : 0;
  if (physical > 0 && static_cast<double>(bytes) > physical)
    throw tg::Error(fmt::format("train: {} words x --dim {} need {:.1f} GB for the tables and the {} state; "
                                "expected at most this machine's {:.1f} GB (lower --dim or raise --min-count)",
                                vocab_size, opts.dim, static_cast<double>(bytes) / 1e9, opts.optimizer,
                                physical / 1e9));
}

[[noreturn]] void diverged(const TrainOptions& opts, const std::string& what) {
  throw tg::Error(fmt::format("train: training diverged: {}; expected a smaller --lr (this run started at {:g}; "
                              "try a tenth of it)", what, start_lr(opts)));
}

// A NaN or infinite value in a table means the run has diverged: nothing is written.
void check_finite(const TrainOptions& opts, const tg::Tensor& table, const char* name) {
  const tg::Tensor t = table.detach().contiguous();
  const float* data = t.data_ptr<float>();
  for (int64_t i = 0, n = t.numel(); i < n; ++i)
    if (!std::isfinite(data[i]))
      diverged(opts, fmt::format("the {} table holds {} at row {}", name, data[i], i / t.size(1)));
}

// Everything the threads share.
struct Shared {
  const Corpus& corpus;
  const TrainOptions& opts;
  std::vector<float> keep;
  NegativeSampler negatives;  // Note [negative sampling by alias table]
  tg::nn::Embedding& in;   // V rows, then the n-gram buckets (subwords.h)
  tg::nn::Embedding& out;
  const Bags* bags;        // every word's input rows; null for word-only skip-gram (one lookup per word)
  tg::optim::Optimizer& optimizer;
  tg::optim::LambdaLR& schedule;
  Counters& counters;
  RowSync& sync;          // averages the tables with other processes (cluster.h)
  int64_t total_tokens;   // over all epochs
  std::mutex schedule_mutex;
  std::atomic<int64_t> ticks_done{0};
  std::atomic<bool> stop{false};  // a thread failed: the others return at their next sentence
  // This epoch's work: the next chunk of sentences to take, and the tokens read so far by
  // every thread (Note [threads take chunks]). Reset between epochs at the barrier.
  std::atomic<int64_t> next_sentence{0};
  std::atomic<int64_t> epoch_tokens{0};
};

// Note [threads take chunks]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~
// Threads take the process's sentences in chunks of kChunkSentences from one shared
// cursor, not as fixed contiguous shares: subsampling and window sizes make equal token
// counts unequal work, and with fixed shares the thread that finished first waited at
// the end of every epoch (about 1 s of a 7 s epoch on 2 threads, measured). One atomic
// add per chunk costs nothing beside the chunk's thousands of steps. With one thread the
// order of sentences, and so every result, is the one of a single pass.
constexpr int64_t kChunkSentences = 64;

class Worker {
 public:
  Worker(Shared& shared, int id)
      : s_(shared), rng_(shared.opts.seed * 1000003ULL + static_cast<uint64_t>(id) + 1 +
                         static_cast<uint64_t>(place().rank) * 7919ULL),
        k1_(shared.opts.negative + 1), window_step_(shared.opts.step == "window" && shared.bags == nullptr), syncs_(id == 0) {
    if (window_step_) {
      groups_.resize(static_cast<size_t>(2 * s_.opts.window + 1));
    } else {
      centers_.reserve(static_cast<size_t>(s_.opts.batch));
      targets_.reserve(static_cast<size_t>(s_.opts.batch * k1_));
    }
  }

  // This epoch's chunks, until the process's sentences run out.
  void run_epoch() {
    const int64_t sentences = s_.corpus.num_sentences();
    int64_t unreported = 0;
    for (;;) {
      const int64_t first = s_.next_sentence.fetch_add(kChunkSentences, std::memory_order_relaxed);
      if (first >= sentences) break;
      const int64_t last = std::min(sentences, first + kChunkSentences);
      for (int64_t sentence = first; sentence < last; ++sentence) {
        if (s_.stop.load(std::memory_order_relaxed)) return;
        const int64_t begin = s_.corpus.sentence_starts[sentence], end = s_.corpus.sentence_starts[sentence + 1];
        add_sentence(begin, end);
        unreported += end - begin;
        if (unreported >= 10000) {
          report(unreported);
          unreported = 0;
        }
      }
    }
    flush_pairs();
    for (size_t b = 1; b < groups_.size(); ++b) flush_group(static_cast<int64_t>(b));
    report(unreported);
  }

 private:
  // Windows of B context words waiting for their step: contexts (G, B), targets (G, 1+K).
  struct Group {
    std::vector<int64_t> contexts, targets;
  };

  void add_sentence(int64_t begin, int64_t end) {
    kept_.clear();
    for (int64_t i = begin; i < end; ++i) {
      const int32_t w = s_.corpus.ids[i];
      if (w >= 0 && s_.keep[w] > rng_.uniform()) kept_.push_back(w);
    }
    const auto n = static_cast<int64_t>(kept_.size());
    for (int64_t i = 0; i < n; ++i) {
      // Dynamic window: a random b in [1, window] on both sides, so near words count more.
      const int64_t b = 1 + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(s_.opts.window)));
      const int64_t first = std::max<int64_t>(0, i - b), last = std::min(n - 1, i + b);
      if (s_.opts.model == "cbow") {
        add_cbow(kept_[i], first, last, i);
        continue;
      }
      if (window_step_) {
        if (last > first) add_window(i, first, last);
        continue;
      }
      for (int64_t j = first; j <= last; ++j)
        if (j != i) add_pair(kept_[i], kept_[j]);
    }
  }

  // A negative: an entry of the table other than `positive` (unless it is the only word).
  int32_t draw_negative(int32_t positive) {
    int32_t neg;
    do neg = s_.negatives.draw(rng_);
    while (neg == positive && s_.corpus.vocab.size() > 1);
    return neg;
  }

  // The window of kept_[center]: kept_[first .. last] but the center itself.
  void add_window(int64_t center, int64_t first, int64_t last) {
    const int64_t b = last - first;
    Group& group = groups_[static_cast<size_t>(b)];
    for (int64_t j = first; j <= last; ++j)
      if (j != center) group.contexts.push_back(kept_[j]);
    const int32_t word = kept_[center];
    group.targets.push_back(word);
    for (int64_t k = 0; k < s_.opts.negative; ++k) group.targets.push_back(draw_negative(word));
    if (static_cast<int64_t>(group.contexts.size()) >= s_.opts.batch) flush_group(b);
  }

  // CBOW: the mean of the bags of kept_[first..last] but `center_pos` predicts the center.
  void add_cbow(int32_t center, int64_t first, int64_t last, int64_t center_pos) {
    if (last == first) return;  // a sentence of one word has no context
    bag_batch_.start();
    for (int64_t j = first; j <= last; ++j)
      if (j != center_pos) bag_batch_.add(*s_.bags, kept_[j]);
    add_targets(center, center);
  }

  void add_pair(int32_t center, int32_t context) {
    if (s_.bags) {
      bag_batch_.start();
      bag_batch_.add(*s_.bags, center);
    }
    add_targets(center, context);
  }

  // The example's positive target and its negatives; a full batch is a step.
  void add_targets(int32_t center, int32_t context) {
    centers_.push_back(center);
    targets_.push_back(context);
    for (int64_t k = 0; k < s_.opts.negative; ++k) targets_.push_back(draw_negative(context));
    if (static_cast<int64_t>(centers_.size()) == s_.opts.batch) flush_pairs();
  }

  // One window step on the group of windows with b context words.
  void flush_group(int64_t b) {
    Group& group = groups_[static_cast<size_t>(b)];
    const auto g = static_cast<int64_t>(group.targets.size()) / k1_;
    if (g == 0) return;
    const tg::Tensor u = s_.in(tg::from_vector(group.contexts, {g, b}));
    const tg::Tensor v = s_.out(tg::from_vector(group.targets, {g, k1_}));
    const tg::Tensor scores = tg::bmm(u, v.transpose(1, 2));
    step(tg::nn::functional::binary_cross_entropy_with_logits(scores, labels(g * b).view({g, b, k1_}),
                                                              tg::nn::Reduction::Sum),
         g * b);
    group.contexts.clear();
    group.targets.clear();
  }

  // One pair step on the batch built so far.
  void flush_pairs() {
    const auto b = static_cast<int64_t>(centers_.size());
    if (b == 0) return;
    const tg::Tensor u = s_.bags ? bag_batch_.hidden(s_.in.weight) : s_.in(tg::from_vector(centers_, {b}));
    const tg::Tensor v = s_.out(tg::from_vector(targets_, {b, k1_}));
    const tg::Tensor scores = tg::bmm(v, u.unsqueeze(2)).squeeze(2);
    step(tg::nn::functional::binary_cross_entropy_with_logits(scores, labels(b), tg::nn::Reduction::Sum), b);
    centers_.clear();
    targets_.clear();
    bag_batch_.clear();
  }

  void step(const tg::Tensor& loss, int64_t pairs) {
    const auto value = loss.item<float>();
    if (!std::isfinite(value))
      diverged(s_.opts, fmt::format("the loss of a batch became {} after {} tokens, at lr {:g}", value,
                                    s_.counters.tokens.load(std::memory_order_relaxed),
                                    s_.optimizer.param_groups()[0].lr()));
    const std::vector<tg::Tensor> grads = tg::autograd::grad({loss}, {s_.in.weight, s_.out.weight});
    s_.optimizer.step_with(grads);
    loss_sum_ += value;
    pairs_ += pairs;
  }

  // (rows, 1+K): 1 in the first column (the positive), 0 in the others; the first rows
  // of one tensor, made again only when a step needs more rows than it has.
  tg::Tensor labels(int64_t rows) {
    if (!labels_.defined() || labels_.size(0) < rows) {
      std::vector<float> label(static_cast<size_t>(rows * k1_), 0.0f);
      for (int64_t i = 0; i < rows; ++i) label[static_cast<size_t>(i * k1_)] = 1.0f;
      labels_ = tg::from_vector(label, {rows, k1_});
    }
    return labels_.narrow(0, 0, rows);
  }

  void report(int64_t tokens) {
    const int64_t epoch_done = s_.epoch_tokens.fetch_add(tokens, std::memory_order_relaxed) + tokens;
    if (syncs_) s_.sync.progress(epoch_done, s_.corpus.num_tokens());
    const int64_t now = s_.counters.tokens.fetch_add(tokens, std::memory_order_relaxed) + tokens;
    s_.counters.loss_sum.fetch_add(loss_sum_, std::memory_order_relaxed);
    s_.counters.pairs.fetch_add(pairs_, std::memory_order_relaxed);
    loss_sum_ = 0;
    pairs_ = 0;
    // Advance the linear decay to where the whole run stands.
    const int64_t target = std::min(kLrTicks, now * kLrTicks / std::max<int64_t>(1, s_.total_tokens));
    if (target > s_.ticks_done.load(std::memory_order_relaxed)) {
      std::lock_guard<std::mutex> lock(s_.schedule_mutex);
      while (s_.ticks_done.load(std::memory_order_relaxed) < target) {
        s_.schedule.step();
        s_.ticks_done.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }

  Shared& s_;
  Rng rng_;
  int64_t k1_;
  bool window_step_;
  bool syncs_;                      // this thread runs the process's row syncs
  std::vector<int32_t> kept_;
  std::vector<int64_t> centers_, targets_;  // the pair step's batch (and CBOW's)
  BagBatch bag_batch_;                      // their input bags, with subwords or CBOW
  std::vector<Group> groups_;               // the window step's, by context count
  tg::Tensor labels_;
  double loss_sum_ = 0;
  int64_t pairs_ = 0;
};

// Runs body(0) ... body(threads - 1), each on a new thread, and joins them. The threads
// wait at a gate until all of them exist: when the system refuses one (std::system_error
// from std::thread, e.g. under a process or memory limit), the ones started are released
// to return without running body, never left waiting at a barrier for threads that do not
// exist, and the refusal becomes a tg::Error.
void run_threads(int threads, const std::function<void(int)>& body) {
  std::mutex gate_mutex;
  std::condition_variable gate;
  bool opened = false, cancelled = false;
  auto open_gate = [&](bool cancel) {
    {
      std::lock_guard<std::mutex> lock(gate_mutex);
      opened = true;
      cancelled = cancel;
    }
    gate.notify_all();
  };
  std::vector<std::thread> pool;
  try {
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        {
          std::unique_lock<std::mutex> lock(gate_mutex);
          gate.wait(lock, [&] { return opened; });
          if (cancelled) return;
        }
        body(t);
      });
  } catch (const std::system_error& e) {
    open_gate(/*cancel=*/true);
    for (std::thread& t : pool) t.join();
    throw tg::Error(fmt::format("train: could not start thread {} of --threads {} ({}); expected at most as many "
                                "threads as this system allows a process (try --threads {})", pool.size() + 1,
                                threads, e.what(), std::max(1u, std::thread::hardware_concurrency())));
  }
  open_gate(/*cancel=*/false);
  for (std::thread& t : pool) t.join();
}

}  // namespace

double lr_factor(int64_t tick) {
  return std::max(kLrFloor, 1.0 - static_cast<double>(tick) / static_cast<double>(kLrTicks));
}

double train(const TrainOptions& opts) {
  check_options(opts);
  check_paths(opts);
  tg::manual_seed(opts.seed);
  const Place where = place();
  const bool speaks = where.rank == 0 && !opts.quiet;  // rank 0 prints for every process
  const Corpus corpus = read_corpus(opts.input, opts.min_count);
  const int64_t vocab_size = corpus.vocab.size();
  if (speaks)
    fmt::print(stderr, "Read {} tokens{}; vocabulary: {} words (min-count {}), {} tokens in it\n", corpus.all_tokens,
               where.processes > 1 ? fmt::format(" over {} processes", where.processes)
                                   : fmt::format(" in {} sentences", corpus.num_sentences()),
               vocab_size, opts.min_count, corpus.all_in_vocab_tokens);
  if (corpus.truncated_tokens > 0 && speaks)
    fmt::print(stderr, "note: {} tokens longer than {} bytes were cut to their first {} bytes\n",
               corpus.truncated_tokens, kMaxTokenBytes, kMaxTokenBytes);
  if (corpus.num_tokens() > Limits::max_total_tokens / opts.epochs)
    throw tg::ValueError(fmt::format("train: {} tokens x --epochs {} is too much work; expected at most {} tokens "
                                     "over the run", corpus.num_tokens(), opts.epochs, Limits::max_total_tokens));
  if (vocab_size < 2)
    throw tg::ValueError(fmt::format("train: the vocabulary of '{}' has {} word (min-count {}); expected at least 2: "
                                     "negatives are drawn among the other words", opts.input, vocab_size,
                                     opts.min_count));
  check_table_memory(opts, vocab_size);

  const Subwords subwords{opts.minn, opts.maxn, opts.maxn > 0 ? opts.bucket : 0};
  const int64_t in_rows = vocab_size + subwords.bucket;
  const double lr = start_lr(opts);
  std::unique_ptr<tg::nn::Embedding> in_table, out_table;
  try {
    // The tables are made here and handed over (_weight), not drawn by Embedding's own
    // N(0, 1) init and then overwritten: that init's temporary would add a table's size
    // to the peak memory of a 2M-bucket run. Input vectors uniform in +-0.5/dim, output
    // vectors zero: word2vec's initialisation.
    tg::Tensor in_weight = tg::empty({in_rows, opts.dim}), out_weight = tg::zeros({vocab_size, opts.dim});
    // uniform_ draws into temporaries of its tensor's size: a block of rows at a time
    // keeps them small (the same draws, in the same order, as one call).
    for (int64_t row = 0; row < in_rows; row += 8192)
      tg::nn::init::uniform_(in_weight.narrow(0, row, std::min<int64_t>(8192, in_rows - row)),
                             -0.5 / static_cast<double>(opts.dim), 0.5 / static_cast<double>(opts.dim));
    in_table = std::make_unique<tg::nn::Embedding>(
        tg::nn::EmbeddingOptions(in_rows, opts.dim).sparse(true)._weight(in_weight));
    out_table = std::make_unique<tg::nn::Embedding>(
        tg::nn::EmbeddingOptions(vocab_size, opts.dim).sparse(true)._weight(out_weight));
  } catch (const std::bad_alloc&) {
    throw tg::Error(fmt::format("train: out of memory allocating two tables of {} words x --dim {} ({} bytes "
                                "each); expected a smaller --dim or a larger --min-count", vocab_size, opts.dim,
                                vocab_size * opts.dim * 4));
  }
  tg::nn::Embedding& in = *in_table;
  tg::nn::Embedding& out = *out_table;
  auto optimizer = make_optimizer(opts.optimizer, {in.weight, out.weight}, lr);

  int64_t start_epoch = 0;
  if (!opts.resume.empty()) {
    start_epoch = load_checkpoint(opts.resume, corpus.vocab, in, out, *optimizer, where.processes);
    // The checkpoint holds the decayed lr; the schedule below starts from the start lr
    // and fast-forwards to where the saved run stood.
    for (tg::optim::ParamGroup& group : optimizer->param_groups()) group.set_lr(lr);
  }
  if (start_epoch >= opts.epochs && speaks)
    fmt::print(stderr, "The checkpoint has already trained {} epochs; --epochs = {}: nothing left to train\n",
               start_epoch, opts.epochs);

  const int64_t total = corpus.num_tokens() * opts.epochs;
  tg::optim::LambdaLR schedule(*optimizer, lr_factor);
  Counters counters;
  counters.tokens = corpus.num_tokens() * std::min(start_epoch, opts.epochs);
  // Under mpirun the averaged rows are the words' (the first V of both tables); each
  // process keeps its own n-gram buckets.
  RowSync sync(in.weight.narrow(0, 0, vocab_size), out.weight, corpus.num_tokens(), opts.sync_tokens);
  const bool uses_bags = opts.model == "cbow" || subwords.enabled();
  const Bags bags = uses_bags ? vocabulary_bags(corpus.vocab.words, subwords) : Bags{};
  Shared shared{corpus, opts, keep_probabilities(corpus.vocab, corpus.all_in_vocab_tokens, opts.sample),
                NegativeSampler(corpus.vocab.counts), in, out, uses_bags ? &bags : nullptr, *optimizer, schedule, counters,
                sync, total, {}, {}, {}};
  const int64_t shared_start_tokens = counters.tokens.load();
  const int64_t start_ticks = std::min(kLrTicks, counters.tokens.load() * kLrTicks / std::max<int64_t>(1, total));
  for (int64_t t = 0; t < start_ticks; ++t) schedule.step();
  shared.ticks_done = start_ticks;

  const int threads = opts.threads;
  Progress progress(counters, total, counters.tokens.load(), threads, !speaks, where.rank == 0 ? opts.log : "",
                    [&] { return optimizer->param_groups()[0].lr(); });
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto fail = [&](std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(failure_mutex);
    if (!failure) failure = std::move(e);
    shared.stop = true;
  };
  int64_t epoch = start_epoch;
  // At the end of every epoch, all threads wait while one saves the checkpoint, unless
  // the run has failed: a diverged model is not worth resuming from.
  std::barrier epoch_end(threads, [&]() noexcept {
    ++epoch;
    shared.next_sentence = 0;
    shared.epoch_tokens = 0;
    if (shared.stop) return;
    try {
      sync.end_epoch();  // every process now holds the same tables
      if (opts.checkpoint.empty() || where.rank != 0) return;
      check_finite(opts, in.weight, "input");
      check_finite(opts, out.weight, "output");
      save_checkpoint(opts.checkpoint, corpus.vocab, in, out, *optimizer, epoch, where.processes);
    } catch (...) {
      fail(std::current_exception());
    }
  });

  progress.start();
  run_threads(threads, [&](int t) {
    try {
      Worker worker(shared, t);
      for (int64_t e = start_epoch; e < opts.epochs; ++e) {
        worker.run_epoch();
        epoch_end.arrive_and_wait();
      }
    } catch (...) {
      fail(std::current_exception());
      epoch_end.arrive_and_drop();  // the others finish their epochs without it
    }
  });
  if (failure) std::rethrow_exception(failure);  // ~Progress stops the monitor; no totals for a failed run
  double wps = progress.finish(where.processes == 1);
  if (where.processes > 1) {
    // words/sec/thread over the run: every process's tokens over the slowest one's time.
    const int64_t tokens = sum_over_processes(counters.tokens.load() - shared_start_tokens);
    const double seconds = max_over_processes(progress.seconds());
    wps = seconds > 0 ? static_cast<double>(tokens) / seconds / (where.processes * threads) : 0;
    if (where.rank == 0)
      fmt::print(stderr, "{} processes x {} threads; {} row syncs, {:.1f} MB summed per process\n"
                         "words/sec/thread: {:.0f}\n", where.processes, threads, sync.syncs(),
                 static_cast<double>(sync.bytes_moved()) / 1e6, wps);
  }
  check_finite(opts, in.weight, "input");
  if (where.rank != 0) return wps;
  // A word's vector is the mean of its bag (its row alone without n-grams).
  const tg::Tensor vectors = subwords.enabled() ? bag_means(bags, in.weight) : in.weight.narrow(0, 0, vocab_size);
  if (opts.binary)
    save_vectors_binary(opts.output, corpus.vocab.words, vectors);
  else
    save_vectors(opts.output, corpus.vocab.words, vectors);
  if (!opts.save_model.empty())
    save_model(opts.save_model, ModelFile{opts.model, subwords, corpus.vocab.words, corpus.vocab.counts, in.weight});
  progress.commit_log();
  if (!opts.quiet) fmt::print(stderr, "Wrote {} vectors of dimension {} to {}\n", vocab_size, opts.dim, opts.output);
  return wps;
}

}  // namespace w2v

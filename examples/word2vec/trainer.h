#pragma once
// Skip-gram with negative sampling, trained through tapegrad: two sparse
// nn::Embedding tables, a loss built from tensor ops, tg::autograd::grad and an
// optimizer's step_with, run by several Hogwild threads on the shared tables.
#include <cstdint>
#include <string>

namespace w2v {

struct TrainOptions {
  std::string input, output;
  int64_t dim = 100, window = 5, negative = 5, min_count = 5, epochs = 5;
  double sample = 1e-4;
  double lr = -1;  // < 0: the optimizer's default (default_lr)
  int threads = 1;
  std::string optimizer = "sgd";  // sgd | sparse_adam | adagrad
  int64_t batch = 64;             // (center, context) pairs per step
  uint64_t seed = 1;
  std::string log;                // CSV: tokens,loss,lr,words_per_sec
  std::string save_model;         // checkpoint written after every epoch
  std::string resume;             // checkpoint to continue from
  bool quiet = false;             // no progress line
};

// The learning rate each optimizer trains well with, for a loss summed over pairs.
double default_lr(const std::string& optimizer);

// Trains and writes opts.output; returns the words/sec/thread it measured.
double train(const TrainOptions& opts);

}  // namespace w2v

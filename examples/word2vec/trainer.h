#pragma once
// Skip-gram with negative sampling, trained through tapegrad: two sparse
// nn::Embedding tables, a loss built from tensor ops, tg::autograd::grad and an
// optimizer's step_with, run by several Hogwild threads on the shared tables.
#include <cstdint>
#include <string>

#include "train_options.h"

namespace w2v {

// Note [Learning-rate floor]: the learning rate falls linearly over kLrTicks ticks of
// the whole run (each a LambdaLR step taken by whichever thread crosses it) from the
// start lr to start * kLrFloor, never to 0: SparseAdam (like PyTorch's) refuses lr = 0,
// and a checkpoint saved at the end must hold an lr its optimizer accepts on --resume.
// word2vec.c floors its alpha at the same starting_alpha * 0.0001.
inline constexpr int64_t kLrTicks = 10000;
inline constexpr double kLrFloor = 1e-4;
// The factor of the start lr after `tick` ticks: max(kLrFloor, 1 - tick / kLrTicks).
double lr_factor(int64_t tick);

// Checks the options and paths (train_options.h) before reading the corpus, trains, and
// writes opts.output; returns the words/sec/thread it measured. Training that diverges
// (a loss or table value that is NaN or infinite) stops with a tg::Error saying to lower
// --lr, and writes neither vectors nor a checkpoint.
double train(const TrainOptions& opts);

}  // namespace w2v

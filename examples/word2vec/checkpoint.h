#pragma once
// Checkpoints to resume training from: written by --save-model, read by --resume.
// (The .vec output is vectors_io.h's.)
#include <cstdint>
#include <string>
#include <tapegrad/tapegrad.h>

#include "corpus.h"

namespace w2v {

// A checkpoint is two tapegrad files: PATH holds both tables, the vocabulary's counts
// (to refuse a checkpoint made from another corpus or min-count) and the epochs done;
// PATH.optim holds the optimizer's state (Adagrad's sums, SparseAdam's moments).
void save_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                     const tg::optim::Optimizer& optimizer, int64_t epochs_done);
// Loads into the tables and the optimizer; returns the epochs done.
int64_t load_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                        tg::optim::Optimizer& optimizer);

}  // namespace w2v

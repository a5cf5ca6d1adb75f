#pragma once
// Checkpoints to resume training from: written by --checkpoint, read by --resume.
// (The .vec output is vectors_io.h's.)
#include <cstdint>
#include <string>
#include <tapegrad/tapegrad.h>

#include "corpus.h"

namespace w2v {

// A checkpoint is one tg::save_checkpoint file, written atomically, so a model of one
// epoch can never meet optimizer state of another: the model group holds both tables
// ("in", "out"), the optimizer group its state, and the extra group the vocabulary's
// counts (to refuse a checkpoint made from another corpus or min-count) and the epochs
// done (0-d int64), and the number of processes that trained it (cluster.h: a run of N
// processes resumes with N, as each holds its own shard of the corpus).
void save_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                     const tg::optim::Optimizer& optimizer, int64_t epochs_done, int processes = 1);
// Loads into the tables and the optimizer; returns the epochs done. A tg::Error naming
// the file and the mismatch when it is not a checkpoint of this run (another --dim,
// --optimizer, --input or --min-count).
int64_t load_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                        tg::optim::Optimizer& optimizer, int processes = 1);

}  // namespace w2v

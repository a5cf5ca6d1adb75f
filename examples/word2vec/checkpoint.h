#pragma once
// Checkpoints to resume training from: written by --save-model, read by --resume.
// (The .vec output is vectors_io.h's.)
#include <cstdint>
#include <string>
#include <tapegrad/tapegrad.h>

#include "corpus.h"

namespace w2v {

// A checkpoint is one tapegrad file of named tensors, so that the atomic save covers
// the model and the optimizer together (a model of one epoch can never meet optimizer
// state of another):
//   model.in, model.out          both tables
//   vocab_counts                 to refuse a checkpoint made from another corpus or min-count
//   epochs_done                  0-d int64
//   optim.<Name>.<entry>         the optimizer's state dict (optim::to_named), <Name> its
//                                kind (SGD, SparseAdam, Adagrad)
void save_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                     const tg::optim::Optimizer& optimizer, int64_t epochs_done);
// Checks everything (vocabulary, shapes, optimizer kind) before loading into the tables
// and the optimizer; returns the epochs done. tg::Error naming the file and the mismatch.
int64_t load_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                        tg::optim::Optimizer& optimizer);

}  // namespace w2v

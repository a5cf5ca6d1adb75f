#pragma once
// Files the trainer writes: the .vec output and checkpoints to resume from.
#include <cstdint>
#include <string>
#include <tapegrad/tapegrad.h>

#include "corpus.h"

namespace w2v {

// word2vec's text format: "count dim", then one "word v1 ... vdim" line per word,
// most frequent first; gensim's KeyedVectors.load_word2vec_format and fastText read it.
void write_vec(const std::string& path, const Vocab& vocab, const tg::Tensor& vectors);

// A checkpoint is two tapegrad files: PATH holds both tables, the vocabulary's counts
// (to refuse a checkpoint made from another corpus or min-count) and the epochs done;
// PATH.optim holds the optimizer's state (Adagrad's sums, SparseAdam's moments).
void save_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                     const tg::optim::Optimizer& optimizer, int64_t epochs_done);
// Loads into the tables and the optimizer; returns the epochs done.
int64_t load_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                        tg::optim::Optimizer& optimizer);

}  // namespace w2v

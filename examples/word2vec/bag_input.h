#pragma once
// The input side of the models whose input vector is a bag of rows: CBOW (the context
// words) and subword skip-gram (a word and its n-grams, subwords.h). A batch collects
// one bag per example; hidden() averages each bag through F::embedding_bag (mean mode,
// sparse gradient), so the step still goes through a lookup, autograd and the optimizer.
//
//   w2v::BagBatch batch;
//   batch.start();  batch.add(bags, w1);  batch.add(bags, w2);   // example 0: mean of w1's and w2's rows
//   tg::Tensor u = batch.hidden(in.weight);                        // (examples, D)
#include <cstdint>
#include <vector>

#include <tapegrad/tapegrad.h>

#include "subwords.h"

namespace w2v {

class BagBatch {
 public:
  void start() { starts_.push_back(static_cast<int64_t>(indices_.size())); }
  // Appends word w's rows to the current example's bag.
  void add(const Bags& bags, int32_t w) {
    indices_.insert(indices_.end(), bags.indices.begin() + bags.offsets[w], bags.indices.begin() + bags.offsets[w + 1]);
  }
  int64_t examples() const { return static_cast<int64_t>(starts_.size()); }
  void clear() {
    starts_.clear();
    indices_.clear();
  }

  // (examples, D): each bag's mean, differentiable into `weight` with a sparse gradient.
  // Note [Bag update rule]: word2vec, gensim and fastText move every row of a mean bag
  // by the whole gradient of the mean, not by its 1/n share; the value returned is the
  // mean m, built as m * n - (m * (n - 1)).detach() so that autograd gives each row the
  // gradient word2vec gives it. The learning rates then mean what they mean there.
  tg::Tensor hidden(const tg::Tensor& weight) const;

 private:
  std::vector<int64_t> starts_, indices_;
};

// (V, D) float32: row w the mean of word w's bag, the vector written for it.
tg::Tensor bag_means(const Bags& bags, const tg::Tensor& weight);

}  // namespace w2v

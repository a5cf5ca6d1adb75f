// libFuzzer target: the word2vec example's corpus reader (w2v::read_corpus) and the two
// sampling tables built from it, on any bytes. The reader's promises are checked on
// every corpus that loads: ids in range, sentences in order and non-empty, no token
// longer than kMaxTokenBytes, counts that add up.
#include <tapegrad/tapegrad.h>

#include <cstdlib>

#include "corpus.h"
#include "fuzz_input.h"

namespace {
void check(const w2v::Corpus& corpus) {
  const w2v::Vocab& vocab = corpus.vocab;
  if (vocab.words.empty() || vocab.counts.size() != vocab.words.size()) std::abort();
  int64_t in_vocab = 0;
  for (const int32_t id : corpus.ids) {
    if (id < -1 || id >= vocab.size()) std::abort();
    in_vocab += id >= 0;
  }
  if (in_vocab != corpus.in_vocab_tokens) std::abort();
  if (corpus.sentence_starts.front() != 0 || corpus.sentence_starts.back() != corpus.num_tokens()) std::abort();
  for (size_t i = 1; i < corpus.sentence_starts.size(); ++i)
    if (corpus.sentence_starts[i] <= corpus.sentence_starts[i - 1]) std::abort();
  for (size_t w = 0; w < vocab.words.size(); ++w) {
    if (vocab.words[w].empty() || vocab.words[w].size() > w2v::kMaxTokenBytes) std::abort();
    if (w > 0 && vocab.counts[w] > vocab.counts[w - 1]) std::abort();  // most frequent first
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::as_file(data, size);
  for (const int64_t min_count : {1, 2}) {
    try {
      const w2v::Corpus corpus = w2v::read_corpus(path, min_count);
      check(corpus);
      const std::vector<float> keep = w2v::keep_probabilities(corpus.vocab, corpus.in_vocab_tokens, 1e-3);
      for (const float p : keep)
        if (!(p > 0 && p <= 1)) std::abort();
      if (corpus.vocab.size() > 0) {
        const w2v::NegativeSampler sampler(corpus.vocab.counts);
        w2v::Rng rng(1);
        for (int i = 0; i < 1000; ++i) {
          const int32_t w = sampler.draw(rng);
          if (w < 0 || w >= corpus.vocab.size()) std::abort();
        }
      }
    } catch (const tg::Error&) {
    }
  }
  return 0;
}

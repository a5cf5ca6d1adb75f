#pragma once
// The corpus as word2vec reads it: whitespace-separated tokens, one sentence per line.
// It is read once into memory as word ids (10 million tokens take 40 MB), so that
// every epoch and every thread walks an array instead of re-parsing text. Memory is
// bounded by the file's size: a token is at most kMaxTokenBytes long (longer ones are
// truncated, as word2vec.c does), and the ids take at most twice the file's bytes.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace w2v {

// Words seen at least min_count times, most frequent first (ties: first seen first),
// the order word2vec and fastText write their .vec files in.
struct Vocab {
  std::vector<std::string> words;
  std::vector<int64_t> counts;
  std::unordered_map<std::string, int32_t> index;
  int64_t size() const { return static_cast<int64_t>(words.size()); }
};

struct Corpus {
  Vocab vocab;
  // Every token of the file in order, its vocabulary id or -1 when it is rarer than
  // min_count. Out-of-vocabulary tokens stay so that "tokens read" counts them, as
  // gensim's and fastText's words/sec do for raw words.
  std::vector<int32_t> ids;
  std::vector<int64_t> sentence_starts;  // one per sentence, then ids.size()
  int64_t num_sentences() const { return static_cast<int64_t>(sentence_starts.size()) - 1; }
  int64_t num_tokens() const { return static_cast<int64_t>(ids.size()); }
  int64_t in_vocab_tokens = 0;
  int64_t truncated_tokens = 0;  // tokens cut to kMaxTokenBytes
  // Over every process's shard (cluster.h); the same as the two above with one process.
  int64_t all_tokens = 0, all_in_vocab_tokens = 0;
};

// word2vec.c's MAX_STRING: a token is cut to its first 100 bytes (at a UTF-8 character
// boundary), so one enormous "word" costs no more than an ordinary one.
inline constexpr size_t kMaxTokenBytes = 100;

// Reads a regular file through to its end: this process's shard of it when the run has
// several (cluster.h), with the vocabulary counted over every shard. tg::Error when it cannot be opened, is not a
// regular file (a FIFO or /dev/zero would block or never end), a read fails midway (the
// error, not a silent end of the corpus), memory runs out (naming the tokens read so
// far), or no word reaches min_count.
Corpus read_corpus(const std::string& path, int64_t min_count);

// Probability of keeping each occurrence of a word (word2vec's subsampling of frequent
// words, threshold t): min(1, (sqrt(f / (t N)) + 1) (t N) / f) for a word seen f times
// among N. t <= 0 keeps everything.
std::vector<float> keep_probabilities(const Vocab& vocab, int64_t total, double sample);

// Words repeated in proportion to count^0.75: drawing a uniform entry draws a negative
// from the smoothed unigram distribution.
std::vector<int32_t> negative_table(const Vocab& vocab, int64_t table_size = 10'000'000);

// A tiny, fast generator per thread (xorshift64*): std::mt19937 is the bottleneck of a
// sampler that draws millions of numbers a second.
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL) {
    if (state == 0) state = 1;
  }
  uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
  }
  uint64_t below(uint64_t n) { return next() % n; }
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
};

}  // namespace w2v

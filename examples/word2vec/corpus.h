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

// Note [negative sampling by alias table]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// A negative is word w with probability count(w)^0.75 / sum over words of count^0.75,
// as in word2vec.c, gensim and fastText. word2vec.c and fastText fill a table of 1e8 or
// 1e7 word ids in proportion and pick a random entry: the distribution is rounded to the
// table, which takes 40-400 MB and misses the cache on nearly every draw. Walker's alias
// method draws the exact distribution from one entry per word (8 bytes): pick a word i
// uniformly, keep it with probability keep_i, else take its alias. Built by Vose's
// method: every word starts with n * p_i of mass; a word below 1 is topped up from one
// above 1, which becomes its alias and keeps the rest.
class NegativeSampler {
 public:
  // Throws tg::ValueError for an empty vocabulary or one whose counts are all zero.
  explicit NegativeSampler(const std::vector<int64_t>& counts);

  // One 64-bit draw: its high 32 bits pick the entry (multiply-shift, no modulo bias
  // beyond 2^-32), 24 bits below them toss the coin.
  int32_t draw(Rng& rng) const {
    const uint64_t r = rng.next();
    const Entry& e = entries_[static_cast<size_t>(((r >> 32) * entries_.size()) >> 32)];
    const float coin = static_cast<float>((r >> 8) & 0xFFFFFF) * (1.0f / 16777216.0f);
    return coin < e.keep ? e.word : e.alias;
  }
  // The exact probability of drawing `word`, summed over the entries (O(vocabulary)).
  double probability(int32_t word) const;
  int64_t size() const { return static_cast<int64_t>(entries_.size()); }

 private:
  struct Entry {
    float keep;  // probability of keeping `word` when this entry is picked
    int32_t word, alias;
  };
  std::vector<Entry> entries_;
};

}  // namespace w2v

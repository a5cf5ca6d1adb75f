// Reading the corpus, building the vocabulary, and the two sampling tables.
#include "corpus.h"

#include "cluster.h"
#include "text_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <numeric>
#include <tapegrad/tapegrad.h>

namespace w2v {

namespace {

bool is_space(unsigned char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// A token cut at kMaxTokenBytes may end inside a UTF-8 character: drop the partial one.
void trim_partial_character(std::string& token) {
  size_t lead = token.size();
  while (lead > 0 && (static_cast<unsigned char>(token[lead - 1]) & 0xC0) == 0x80) --lead;
  if (lead == 0) return;
  const auto c = static_cast<unsigned char>(token[lead - 1]);
  const size_t length = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (lead - 1 + length > token.size()) token.resize(lead - 1);
}

// Splits bytes into tokens and sentences as they arrive, so no line is ever held whole.
class Tokenizer {
 public:
  explicit Tokenizer(Corpus& corpus) : corpus_(corpus) { corpus_.sentence_starts.push_back(0); }

  void feed(const char* data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      const auto c = static_cast<unsigned char>(data[i]);
      if (is_space(c)) {
        end_token();
        if (c == '\n') end_sentence();
      } else if (token_.size() < kMaxTokenBytes) {
        token_.push_back(static_cast<char>(c));
      } else {
        truncated_ = true;
      }
    }
  }
  void finish() {
    end_token();
    end_sentence();
  }

  std::vector<std::string> seen_words;
  std::vector<int64_t> seen_counts;

 private:
  void end_token() {
    if (token_.empty()) return;
    if (truncated_) {
      trim_partial_character(token_);
      ++corpus_.truncated_tokens;
      truncated_ = false;
    }
    // Provisional ids in order of first appearance, renumbered by frequency at the end.
    auto [it, fresh] = first_seen_.try_emplace(token_, static_cast<int32_t>(seen_words.size()));
    if (fresh) {
      if (seen_words.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        throw tg::Error("train: --input holds more than 2^31 - 1 distinct words; expected fewer (ids are int32)");
      seen_words.push_back(token_);
      seen_counts.push_back(0);
    }
    ++seen_counts[it->second];
    corpus_.ids.push_back(it->second);
    token_.clear();
  }
  void end_sentence() {
    const auto size = static_cast<int64_t>(corpus_.ids.size());
    if (size > corpus_.sentence_starts.back()) corpus_.sentence_starts.push_back(size);
  }

  Corpus& corpus_;
  std::unordered_map<std::string, int32_t> first_seen_;
  std::string token_;
  bool truncated_ = false;
};

// Feeds the tokenizer this process's lines (Note [Corpus shards] in cluster.h): from the
// first line starting at or after range.begin, through the line holding byte
// range.end - 1. One process gets [0, size): the whole file.
void read_shard(TextInput& in, ByteRange range, Tokenizer& tokenizer) {
  if (range.begin >= range.end) return;
  std::vector<char> buffer(static_cast<size_t>(std::clamp<uint64_t>(in.size(), 1, uint64_t{1} << 20)));
  uint64_t offset = 0;  // of buffer[0] in the file
  bool started = range.begin == 0;
  if (!started) {
    in.seek(range.begin - 1);  // a line starts at range.begin if the byte before it is '\n'
    offset = range.begin - 1;
  }
  while (const size_t n = in.read_some(buffer.data(), buffer.size())) {
    const char* data = buffer.data();
    size_t from = 0, to = n;
    if (!started) {
      const auto* newline = static_cast<const char*>(std::memchr(data, '\n', n));
      if (newline == nullptr) {
        offset += n;
        continue;
      }
      from = static_cast<size_t>(newline - data) + 1;
      started = true;
      if (offset + from >= range.end) return;  // the first line of ours would start past the range
    }
    bool last = false;
    if (offset + n > range.end - 1) {
      const size_t search = static_cast<size_t>(std::max<uint64_t>(from, range.end - 1 - std::min(offset, range.end - 1)));
      const auto* newline = static_cast<const char*>(std::memchr(data + search, '\n', n - search));
      if (newline != nullptr) {
        to = static_cast<size_t>(newline - data) + 1;
        last = true;
      }
    }
    tokenizer.feed(data + from, to - from);
    offset += n;
    if (last) return;
  }
}

// With several processes, the provisional ids index this process's first-seen list;
// after the merge they index the merged list, the same on every process.
void merge_with_other_processes(Corpus& corpus, std::vector<std::string>& seen_words, std::vector<int64_t>& seen_counts) {
  if (place().processes == 1) return;
  const std::vector<std::string> local = seen_words;
  merge_word_counts(seen_words, seen_counts);
  if (seen_words.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    throw tg::Error("train: --input holds more than 2^31 - 1 distinct words; expected fewer (ids are int32)");
  std::unordered_map<std::string, int32_t> merged;
  for (size_t i = 0; i < seen_words.size(); ++i) merged.emplace(seen_words[i], static_cast<int32_t>(i));
  std::vector<int32_t> to_merged(local.size());
  for (size_t i = 0; i < local.size(); ++i) to_merged[i] = merged.at(local[i]);
  for (int32_t& id : corpus.ids) id = to_merged[static_cast<size_t>(id)];
}

}  // namespace

Corpus read_corpus(const std::string& path, int64_t min_count) {
  Corpus corpus;
  Tokenizer tokenizer(corpus);
  try {
    TextInput in(path, "train: --input");
    // Blocks of 1 MB, or the whole file when it is smaller.
    read_shard(in, shard_bytes(in.size(), place()), tokenizer);
    tokenizer.finish();
  } catch (const std::bad_alloc&) {
    throw tg::Error(fmt::format("train: out of memory reading --input '{}' after {} tokens ({} distinct); expected "
                                "a corpus that fits in memory as 4 bytes per token", path, corpus.ids.size(),
                                tokenizer.seen_words.size()));
  }
  std::vector<std::string>& seen_words = tokenizer.seen_words;
  std::vector<int64_t>& seen_counts = tokenizer.seen_counts;
  merge_with_other_processes(corpus, seen_words, seen_counts);
  std::vector<int32_t> order(seen_words.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return seen_counts[a] > seen_counts[b]; });
  std::vector<int32_t> remap(seen_words.size(), -1);
  Vocab& vocab = corpus.vocab;
  for (const int32_t old : order) {
    if (seen_counts[old] < min_count) break;
    remap[old] = static_cast<int32_t>(vocab.words.size());
    vocab.index.emplace(seen_words[old], remap[old]);
    vocab.words.push_back(std::move(seen_words[old]));
    vocab.counts.push_back(seen_counts[old]);
  }
  if (vocab.words.empty())
    throw tg::ValueError(fmt::format("train: no word of '{}' occurs at least --min-count = {} times; expected a "
                                     "larger corpus or a smaller --min-count", path, min_count));
  for (int32_t& id : corpus.ids) {
    id = remap[id];
    if (id >= 0) ++corpus.in_vocab_tokens;
  }
  corpus.all_tokens = sum_over_processes(corpus.num_tokens());
  corpus.all_in_vocab_tokens = sum_over_processes(corpus.in_vocab_tokens);
  return corpus;
}

std::vector<float> keep_probabilities(const Vocab& vocab, int64_t total, double sample) {
  std::vector<float> keep(vocab.words.size(), 1.0f);
  if (sample <= 0) return keep;
  const double threshold = sample * static_cast<double>(total);
  for (size_t i = 0; i < keep.size(); ++i) {
    const double f = static_cast<double>(vocab.counts[i]);
    keep[i] = static_cast<float>(std::min(1.0, (std::sqrt(f / threshold) + 1.0) * threshold / f));
  }
  return keep;
}

NegativeSampler::NegativeSampler(const std::vector<int64_t>& counts) {
  const size_t n = counts.size();
  std::vector<double> mass(n);  // count^0.75, then n * p_i
  double norm = 0;
  for (size_t i = 0; i < n; ++i) {
    mass[i] = std::pow(static_cast<double>(std::max<int64_t>(counts[i], 0)), 0.75);
    norm += mass[i];
  }
  if (n == 0 || !(norm > 0))
    throw tg::ValueError(fmt::format("NegativeSampler: a vocabulary of {} words whose counts sum to 0; expected "
                                     "at least one word with a positive count", n));
  // mass[i] = n * p_i: an entry holds mass 1, so the words below 1 are topped up.
  std::vector<int32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    mass[i] = mass[i] / norm * static_cast<double>(n);
    (mass[i] < 1.0 ? small : large).push_back(static_cast<int32_t>(i));
  }
  entries_.resize(n);
  while (!small.empty() && !large.empty()) {
    const int32_t s = small.back(), l = large.back();
    small.pop_back();
    entries_[static_cast<size_t>(s)] = Entry{static_cast<float>(mass[static_cast<size_t>(s)]), s, l};
    mass[static_cast<size_t>(l)] -= 1.0 - mass[static_cast<size_t>(s)];
    if (mass[static_cast<size_t>(l)] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What is left holds mass 1 up to rounding: kept whole.
  for (const int32_t w : small) entries_[static_cast<size_t>(w)] = Entry{1.0f, w, w};
  for (const int32_t w : large) entries_[static_cast<size_t>(w)] = Entry{1.0f, w, w};
}

double NegativeSampler::probability(int32_t word) const {
  double p = 0;
  for (const Entry& e : entries_) {
    if (e.word == word) p += e.keep;
    if (e.alias == word) p += 1.0 - e.keep;
  }
  return p / static_cast<double>(entries_.size());
}

}  // namespace w2v

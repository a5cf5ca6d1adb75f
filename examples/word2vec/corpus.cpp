// Reading the corpus, building the vocabulary, and the two sampling tables.
#include "corpus.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <numeric>
#include <stdexcept>

namespace w2v {

Corpus read_corpus(const std::string& path, int64_t min_count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("train: cannot open --input '" + path + "'");
  // One pass: tokens get provisional ids in order of first appearance, which are
  // renumbered by frequency once all counts are known.
  std::unordered_map<std::string, int32_t> first_seen;
  std::vector<std::string> seen_words;
  std::vector<int64_t> seen_counts;
  Corpus corpus;
  std::string line, token;
  corpus.sentence_starts.push_back(0);
  while (std::getline(in, line)) {
    size_t pos = 0;
    const size_t before = corpus.ids.size();
    while (pos < line.size()) {
      while (pos < line.size() && std::isspace(static_cast<unsigned char>(line[pos]))) ++pos;
      const size_t start = pos;
      while (pos < line.size() && !std::isspace(static_cast<unsigned char>(line[pos]))) ++pos;
      if (pos == start) break;
      token.assign(line, start, pos - start);
      auto [it, fresh] = first_seen.try_emplace(token, static_cast<int32_t>(seen_words.size()));
      if (fresh) {
        seen_words.push_back(token);
        seen_counts.push_back(0);
      }
      ++seen_counts[it->second];
      corpus.ids.push_back(it->second);
    }
    if (corpus.ids.size() > before) corpus.sentence_starts.push_back(static_cast<int64_t>(corpus.ids.size()));
  }
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
    throw std::runtime_error("train: no word of '" + path + "' occurs at least --min-count = " +
                             std::to_string(min_count) + " times; expected a larger corpus or a smaller --min-count");
  for (int32_t& id : corpus.ids) {
    id = remap[id];
    if (id >= 0) ++corpus.in_vocab_tokens;
  }
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

std::vector<int32_t> negative_table(const Vocab& vocab, int64_t table_size) {
  double norm = 0;
  for (const int64_t c : vocab.counts) norm += std::pow(static_cast<double>(c), 0.75);
  std::vector<int32_t> table;
  table.reserve(static_cast<size_t>(table_size));
  double cumulative = 0;
  for (size_t w = 0; w < vocab.counts.size(); ++w) {
    cumulative += std::pow(static_cast<double>(vocab.counts[w]), 0.75) / norm;
    const auto until = static_cast<int64_t>(std::llround(cumulative * static_cast<double>(table_size)));
    // Every word gets at least one entry, so even the rarest can be drawn.
    do table.push_back(static_cast<int32_t>(w));
    while (static_cast<int64_t>(table.size()) < until);
  }
  return table;
}

}  // namespace w2v

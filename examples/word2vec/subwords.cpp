#include "subwords.h"

namespace w2v {

uint32_t fnv1a(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (char c : bytes) {
    h ^= static_cast<uint32_t>(static_cast<int8_t>(c));
    h *= 16777619u;
  }
  return h;
}

void Subwords::rows_of(const std::string& word, int64_t word_row, int64_t vocab_size,
                       std::vector<int64_t>& rows) const {
  if (word_row >= 0) rows.push_back(word_row);
  if (!enabled()) return;
  const std::string marked = "<" + word + ">";
  const size_t size = marked.size();
  auto continuation = [&](size_t i) { return (static_cast<unsigned char>(marked[i]) & 0xC0) == 0x80; };
  std::string ngram;
  for (size_t i = 0; i < size; ++i) {
    if (continuation(i)) continue;
    ngram.clear();
    size_t j = i;
    for (int64_t n = 1; j < size && n <= maxn; ++n) {
      ngram.push_back(marked[j++]);
      while (j < size && continuation(j)) ngram.push_back(marked[j++]);
      if (n >= minn && !(n == 1 && (i == 0 || j == size)))
        rows.push_back(vocab_size + static_cast<int64_t>(fnv1a(ngram) % static_cast<uint64_t>(bucket)));
    }
  }
}

Bags vocabulary_bags(const std::vector<std::string>& words, const Subwords& subwords) {
  Bags bags;
  const auto v = static_cast<int64_t>(words.size());
  bags.offsets.reserve(static_cast<size_t>(v + 1));
  bags.offsets.push_back(0);
  for (int64_t w = 0; w < v; ++w) {
    subwords.rows_of(words[w], w, v, bags.indices);
    bags.offsets.push_back(static_cast<int64_t>(bags.indices.size()));
  }
  return bags;
}

}  // namespace w2v

#pragma once
// fastText's character n-grams: a word's input vector is the mean of its own row and
// the rows of its n-grams, hashed into buckets that follow the vocabulary's rows.
//
//   w2v::Subwords sub{3, 6, 2'000'000};
//   std::vector<int64_t> rows;
//   sub.rows_of("where", /*word_row=*/17, /*vocab_size=*/V, rows);  // {17, V + h("<wh"), ...}
//   w2v::Bags bags = w2v::vocabulary_bags(vocab.words, sub);        // every word's list, once
//
// Note [fastText n-grams]: the word is marked "<word>"; every n-gram of the marked word
// of n = minn..maxn UTF-8 characters (a character starts at a byte that is not
// 10xxxxxx) is kept, except the one-character n-grams "<" and ">" alone. An n-gram's
// row is V + fnv1a(ngram) % bucket, with fastText's FNV-1a: each byte is sign-extended
// (as int8) before the xor, so bytes >= 0x80 hash as fastText hashes them and its
// models and ours agree on which bucket an n-gram uses.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace w2v {

// fastText's 32-bit FNV-1a (Note [fastText n-grams]).
uint32_t fnv1a(std::string_view bytes);

struct Subwords {
  int64_t minn = 0, maxn = 0, bucket = 0;
  bool enabled() const { return maxn > 0; }
  // Appends the word's row (when word_row >= 0: an out-of-vocabulary word has none),
  // then one row V + hash per n-gram (duplicates kept, as fastText keeps them).
  void rows_of(const std::string& word, int64_t word_row, int64_t vocab_size, std::vector<int64_t>& rows) const;
};

// Every vocabulary word's rows as EmbeddingBag input: word w's rows are
// indices[offsets[w] .. offsets[w + 1]). Without n-grams, word w's bag is {w}.
struct Bags {
  std::vector<int64_t> offsets, indices;
  int64_t size(int64_t w) const { return offsets[w + 1] - offsets[w]; }
};
Bags vocabulary_bags(const std::vector<std::string>& words, const Subwords& subwords);

}  // namespace w2v

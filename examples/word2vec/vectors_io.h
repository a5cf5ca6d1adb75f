#pragma once
// Word vectors in the word2vec text format: written by save_vectors (the trainer's
// --output), read into a tg::nn::Embedding by load_vectors (the eval commands).
//
//   w2v::save_vectors("vectors.vec", vocab.words, in.weight);
//   w2v::WordVectors vectors = w2v::load_vectors("vectors.vec");
//   int64_t row = vectors.row_of("king", "neighbors");        // tg::Error if unknown
//   tg::Tensor king = vectors.table(tg::tensor({row}));       // (1, D), an embedding lookup
//
// The format: a first line "count dim", then one line per word, "word v1 ... vdim",
// fields separated by spaces (a trailing space, as the original word2vec C tool
// writes, is allowed). A word that appears twice keeps its first vector, as gensim's
// and the reference scorer's loaders do; the count in the header counts lines.
// gensim's KeyedVectors.load_word2vec_format and fastText read the files written here.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <tapegrad/tapegrad.h>

namespace w2v {

struct WordVectors {
  std::string path;                                // for messages and the eval header line
  std::vector<std::string> words;                  // row order = file order
  std::unordered_map<std::string, int64_t> index;  // word -> row
  tg::nn::Embedding table;                         // weight (V, D) float64, frozen

  int64_t size() const { return static_cast<int64_t>(words.size()); }
  int64_t dim() const { return table.weight.size(1); }
  std::optional<int64_t> find(const std::string& word) const;
  // The row of `word`, or a tg::ValueError naming the command, the word and the file.
  int64_t row_of(const std::string& word, const char* where) const;
};

// Reads a .vec file into an Embedding (through Embedding::from_pretrained). Values
// are kept in float64, as the reference scorer (scripts/eval_vectors.py) keeps them,
// so that both rank words identically. Throws tg::Error (tg::ValueError for bad
// contents) naming the file and line.
WordVectors load_vectors(const std::string& path);

// Writes words[i] and row i of vectors (V, D), float32 or float64, one line each in
// the given order, every value with 6 significant digits. tg::ValueError when the
// shapes disagree, tg::Error when the file cannot be written.
void save_vectors(const std::string& path, const std::vector<std::string>& words, const tg::Tensor& vectors);

// word2vec's binary format (-binary 1): the header line "count dim\n", then per word
// the word, a space, dim little-endian float32 and "\n". load_vectors reads it too: a
// file whose first vector line is not `dim` numbers is read as binary
// (vectors_binary.cpp), and a header that announces more than the file holds, a
// truncated record or bytes past the last one are tg::ValueErrors naming the file.
void save_vectors_binary(const std::string& path, const std::vector<std::string>& words, const tg::Tensor& vectors);
WordVectors load_binary_vectors(const std::string& path, int64_t count, int64_t dim, uint64_t body_offset);

// Words and (V, D) float64 rows as WordVectors (duplicates: the first row wins).
WordVectors make_word_vectors(const std::string& path, std::vector<std::string> words, std::vector<double> values,
                              int64_t dim);

}  // namespace w2v

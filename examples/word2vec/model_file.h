#pragma once
// The trained model (--save-model): the vocabulary with its counts, the whole input
// table (V word rows, then the n-gram buckets) and the settings that say how a word's
// vector is made from it, so that a word never seen in training gets a vector from its
// n-grams (subwords.h).
//
//   w2v::save_model("m.tgw2v", w2v::ModelFile{"skipgram", subwords, words, counts, in.weight});
//   w2v::ModelFile m = w2v::load_model("m.tgw2v");
//   tg::Tensor v = m.vectors({"king", "kingliness"});   // (2, D): OOV words from their n-grams
//
// Layout (little-endian): the 8 bytes "TGW2VMOD", uint32 version (kModelVersion),
// uint32 model (0 skipgram, 1 cbow), int64 dim, minn, maxn, bucket, V; V records of
// uint32 length, the word's bytes and int64 count; (V + bucket) * dim float32. Written
// atomically; a file of another version, truncated or with bytes past the table is a
// tg::ValueError naming the file and what was expected.
#include <cstdint>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.h>

#include "subwords.h"

namespace w2v {

inline constexpr uint32_t kModelVersion = 1;
inline constexpr char kModelMagic[8] = {'T', 'G', 'W', '2', 'V', 'M', 'O', 'D'};

struct ModelFile {
  std::string model;  // skipgram | cbow
  Subwords subwords;
  std::vector<std::string> words;
  std::vector<int64_t> counts;
  tg::Tensor input;  // (V + bucket, dim) float32

  // (N, D) float32: each word's bag mean (its row, if in the vocabulary, and its
  // n-grams). A word with no row and no n-gram (a words-only model) is a tg::ValueError
  // naming it and `where`.
  tg::Tensor vectors(const std::vector<std::string>& query, const char* where) const;
};

void save_model(const std::string& path, const ModelFile& model);
ModelFile load_model(const std::string& path);
// True when the file starts with the model magic (else: a .vec or word2vec .bin).
bool is_model_file(const std::string& path);

}  // namespace w2v

// word2vec's binary vectors (vectors_io.h), and the WordVectors built from any loader.
#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "text_input.h"
#include "vectors_io.h"

namespace w2v {

WordVectors make_word_vectors(const std::string& path, std::vector<std::string> words, std::vector<double> values,
                              int64_t dim) {
  std::vector<std::string> kept;
  std::vector<double> kept_values;
  std::unordered_map<std::string, int64_t> index;
  for (size_t w = 0; w < words.size(); ++w) {
    if (!index.emplace(words[w], static_cast<int64_t>(kept.size())).second) continue;  // the first vector wins
    kept.push_back(std::move(words[w]));
    kept_values.insert(kept_values.end(), values.begin() + static_cast<int64_t>(w) * dim,
                       values.begin() + static_cast<int64_t>(w + 1) * dim);
  }
  const auto n = static_cast<int64_t>(kept.size());
  tg::Tensor weight = tg::from_vector(kept_values, {n, dim});
  return WordVectors{path, std::move(kept), std::move(index), tg::nn::Embedding::from_pretrained(weight)};
}

WordVectors load_binary_vectors(const std::string& path, int64_t count, int64_t dim, uint64_t body_offset) {
  tg::InputFile file(path, "load_vectors");
  const uint64_t size = file.size();
  const uint64_t body = size > body_offset ? size - body_offset : 0;
  // A record is at least a 1-byte word, a space and dim floats.
  const double least = static_cast<double>(count) * (2.0 + 4.0 * static_cast<double>(dim));
  if (least > static_cast<double>(body))
    throw tg::ValueError(fmt::format("{}: the binary header announces {} vectors of dim {} (at least {:.0f} bytes) "
                                     "but {} bytes follow it; expected a header that counts the records of the "
                                     "file (is it truncated?)", path, count, dim, least, body));
  std::vector<char> bytes(static_cast<size_t>(body));
  file.seek(body_offset);
  file.read(bytes.data(), bytes.size());
  std::vector<std::string> words;
  std::vector<double> values;
  words.reserve(static_cast<size_t>(count));
  values.reserve(static_cast<size_t>(count * dim));
  size_t pos = 0;
  const auto d = static_cast<size_t>(dim);
  for (int64_t w = 0; w < count; ++w) {
    while (pos < bytes.size() && bytes[pos] == '\n') ++pos;  // word2vec ends records with "\n", gensim does not
    const size_t start = pos;
    while (pos < bytes.size() && bytes[pos] != ' ') ++pos;
    if (pos == bytes.size() || pos == start || bytes.size() - pos - 1 < 4 * d)
      throw tg::ValueError(fmt::format("{}: binary record {} of {} is truncated at byte {}; expected a word, a space "
                                       "and {} float32 values", path, w + 1, count, body_offset + start, dim));
    words.emplace_back(bytes.data() + start, pos - start);
    ++pos;
    for (size_t i = 0; i < d; ++i, pos += 4) {
      float v;
      std::memcpy(&v, bytes.data() + pos, 4);
      if (!std::isfinite(v))
        throw tg::ValueError(fmt::format("{}: value {} of '{}' (record {}) is {}; expected a finite float32", path,
                                         i + 1, excerpt(words.back()), w + 1, v));
      values.push_back(v);
    }
  }
  while (pos < bytes.size() && (bytes[pos] == '\n' || bytes[pos] == ' ')) ++pos;
  if (pos != bytes.size())
    throw tg::ValueError(fmt::format("{}: {} bytes follow the {} binary records the header announces; expected the "
                                     "header's count to be the number of records", path, bytes.size() - pos, count));
  return make_word_vectors(path, std::move(words), std::move(values), dim);
}

void save_vectors_binary(const std::string& path, const std::vector<std::string>& words, const tg::Tensor& vectors) {
  const auto num_words = static_cast<int64_t>(words.size());
  if (!vectors.defined() || vectors.dim() != 2 || vectors.size(0) != num_words)
    throw tg::ValueError(fmt::format("save_vectors_binary: vectors of shape {} for {} words; expected ({}, dim)",
                                     vectors.defined() ? tg::shape_string(vectors.sizes()) : "undefined",
                                     num_words, num_words));
  const tg::Tensor table = vectors.detach().to(tg::kFloat32).contiguous();
  const int64_t dim = table.size(1);
  const float* data = table.data_ptr<float>();
  static_assert(std::endian::native == std::endian::little, "the binary format is little-endian float32");
  tg::write_file_atomically(path, [&](std::FILE* f) {
    fmt::print(f, "{} {}\n", num_words, dim);
    for (int64_t w = 0; w < num_words; ++w) {
      std::fwrite(words[w].data(), 1, words[w].size(), f);
      std::fputc(' ', f);
      std::fwrite(data + w * dim, sizeof(float), static_cast<size_t>(dim), f);
      std::fputc('\n', f);
    }
  }, "save_vectors_binary");
}

}  // namespace w2v

#include "vectors_io.h"

#include "text_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace w2v {
namespace {

// Splits at runs of spaces and tabs; a trailing '\r' (a file written on Windows) is
// whitespace too.
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t' || line[pos] == '\r')) ++pos;
    size_t end = pos;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r') ++end;
    if (end > pos) fields.push_back(line.substr(pos, end - pos));
    pos = end;
  }
  return fields;
}

// A whole field must be one number: "0.5x" or "1,5" is an error, not 0.5 or 1.
template <class T>
std::optional<T> parse_number(std::string_view field) {
  T value{};
  auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (error != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<int64_t> WordVectors::find(const std::string& word) const {
  auto it = index.find(word);
  if (it == index.end()) return std::nullopt;
  return it->second;
}

int64_t WordVectors::row_of(const std::string& word, const char* where) const {
  if (auto row = find(word)) return *row;
  throw tg::ValueError(fmt::format("{}: word '{}' is not in {}; expected one of its {} words", where, excerpt(word),
                                   path, words.size()));
}

WordVectors load_vectors(const std::string& path) {
  TextInput in(path, "load_vectors");
  std::string line;
  if (!in.getline(line))
    throw tg::ValueError(fmt::format("{}: the file is empty; expected a first line 'count dim'", path));
  const auto header = split_fields(line);
  const auto count = header.size() == 2 ? parse_number<int64_t>(header[0]) : std::nullopt;
  const auto dim = header.size() == 2 ? parse_number<int64_t>(header[1]) : std::nullopt;
  if (!count || !dim || *count < 0 || *dim < 1)
    throw tg::ValueError(fmt::format("{}:1: header = '{}' is not a word2vec header; expected 'count dim' "
                                     "with count >= 0 and dim >= 1", path, excerpt(line)));
  // Every vector takes at least 2 * dim bytes (" 0" per value): a claim beyond the file's
  // size is corrupt, and refusing it keeps count * dim far from overflow.
  const auto file_size = static_cast<int64_t>(std::min<uint64_t>(in.size(), INT64_MAX / 4));
  if ((*count > 0 && *dim > file_size / 2) || *count > file_size / 2)
    throw tg::ValueError(fmt::format("{}:1: header = '{}' announces more than the file's {} bytes can hold; "
                                     "expected 'count dim' of the vectors that follow", path, excerpt(line),
                                     in.size()));

  // Text or binary: in a text file the field after the first word is a number, or at
  // least printable ASCII (a bad value, reported below as such). In a binary file it is
  // the first float's raw bytes, which are neither unless all four happen to be
  // printable ASCII (a space or newline among them just ends the field sooner).
  const uint64_t body_offset = line.size() + 1;
  while (*count > 0 && in.getline(line)) {
    const auto fields = split_fields(line);
    if (fields.empty()) continue;
    const bool text = fields.size() >= 2 && (parse_number<double>(fields[1]).has_value() ||
                                             std::all_of(fields[1].begin(), fields[1].end(),
                                                         [](char c) { return c > 0x20 && c < 0x7f; }));
    if (!text) return load_binary_vectors(path, *count, *dim, body_offset);
    break;
  }
  in.seek(body_offset);

  std::vector<std::string> words;
  std::unordered_map<std::string, int64_t> index;
  // (V, D) row-major. The header is only a claim until the lines are read: a corrupt
  // "count dim" must not reserve gigabytes, so the reservation is capped.
  std::vector<double> values;
  values.reserve(static_cast<size_t>(std::min<int64_t>(*count, (int64_t{1} << 24) / *dim) * *dim));
  int64_t line_number = 1;
  int64_t num_lines = 0;  // vector lines, duplicates included: what the header counts
  while (in.getline(line)) {
    ++line_number;
    const auto fields = split_fields(line);
    if (fields.empty()) continue;  // a blank line (e.g. at the end) holds no vector
    ++num_lines;
    if (static_cast<int64_t>(fields.size()) - 1 != *dim)
      throw tg::ValueError(fmt::format("{}:{}: {} fields after the word '{}'; expected dim = {} numbers", path,
                                       line_number, fields.size() - 1, excerpt(std::string(fields[0])), *dim));
    const std::string word(fields[0]);
    const bool is_duplicate = index.count(word) > 0;
    for (int64_t d = 1; d <= *dim; ++d) {
      const auto value = parse_number<double>(fields[d]);
      if (!value || !std::isfinite(*value))
        throw tg::ValueError(fmt::format("{}:{}: value {} of '{}' = '{}' is not a finite number; expected a "
                                         "decimal number such as -0.0421", path, line_number, d, excerpt(word),
                                         excerpt(std::string(fields[d]))));
      if (!is_duplicate) values.push_back(*value);
    }
    if (is_duplicate) continue;  // the first vector of a word wins
    index.emplace(word, static_cast<int64_t>(words.size()));
    words.push_back(word);
  }
  if (num_lines != *count)
    throw tg::ValueError(fmt::format("{}: the header announces count = {} vectors but the file holds {}; expected "
                                     "the first number of line 1 to be the number of vector lines",
                                     path, *count, num_lines));

  const int64_t num_words = static_cast<int64_t>(words.size());
  tg::Tensor weight = tg::from_vector(values, {num_words, *dim});
  return WordVectors{path, std::move(words), std::move(index), tg::nn::Embedding::from_pretrained(weight)};
}

void save_vectors(const std::string& path, const std::vector<std::string>& words, const tg::Tensor& vectors) {
  const int64_t num_words = static_cast<int64_t>(words.size());
  if (!vectors.defined() || vectors.dim() != 2 || vectors.size(0) != num_words)
    throw tg::ValueError(fmt::format("save_vectors: vectors of shape {} for {} words; expected ({}, dim)",
                                     vectors.defined() ? tg::shape_string(vectors.sizes()) : "undefined",
                                     num_words, num_words));
  // Printed from float32 as it is: fmt rounds the float's exact value to 6 digits, as it
  // would the same value widened to double, and a float64 copy of the table would add
  // twice its size to the run's peak memory.
  const tg::Tensor table = vectors.detach().to(tg::kFloat32).contiguous();
  const int64_t dim = table.size(1);
  const float* data = table.data_ptr<float>();
  // Atomic and checked (core/files.h): a full disk or a killed process leaves the
  // previous file, never a truncated one.
  tg::write_file_atomically(path, [&](std::FILE* f) {
    fmt::memory_buffer line;
    fmt::print(f, "{} {}\n", num_words, dim);
    for (int64_t w = 0; w < num_words; ++w) {
      line.clear();
      fmt::format_to(std::back_inserter(line), "{}", words[w]);
      for (int64_t d = 0; d < dim; ++d) fmt::format_to(std::back_inserter(line), " {:.6g}", data[w * dim + d]);
      line.push_back('\n');
      std::fwrite(line.data(), 1, line.size(), f);
    }
  }, "save_vectors");
}

}  // namespace w2v

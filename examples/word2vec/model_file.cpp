#include "model_file.h"

#include <fmt/format.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <unordered_map>

namespace w2v {

namespace {

static_assert(std::endian::native == std::endian::little, "model files are little-endian");

// Bounds-checked reads: running out is a truncated file. The table is read straight
// into its tensor, never held twice.
struct Reader {
  const std::string& path;
  tg::InputFile& file;
  uint64_t pos = 0;
  uint64_t left() const { return file.size() - pos; }
  template <class T>
  T get(const char* what) {
    T value;
    take(&value, sizeof(T), what);
    return value;
  }
  void take(void* out, size_t n, const char* what) {
    if (left() < n)
      throw tg::ValueError(fmt::format("{}: the model file is truncated: {} needs {} bytes at byte {} but the file "
                                       "has {}; expected a complete file written by --save-model", path, what, n,
                                       pos, file.size()));
    file.read(out, n);
    pos += n;
  }
};

}  // namespace

tg::Tensor ModelFile::vectors(const std::vector<std::string>& query, const char* where) const {
  std::unordered_map<std::string, int64_t> index;
  for (size_t w = 0; w < words.size(); ++w) index.emplace(words[w], static_cast<int64_t>(w));
  const auto v = static_cast<int64_t>(words.size());
  std::vector<int64_t> offsets, rows;
  for (const std::string& word : query) {
    offsets.push_back(static_cast<int64_t>(rows.size()));
    const auto it = index.find(word);
    subwords.rows_of(word, it == index.end() ? -1 : it->second, v, rows);
    if (static_cast<int64_t>(rows.size()) == offsets.back())
      throw tg::ValueError(fmt::format("{}: word '{}' is not in the model's {} words and the model has no n-grams "
                                       "(--maxn 0); expected a word of its vocabulary", where, word, v));
  }
  namespace F = tg::nn::functional;
  tg::NoGradGuard no_grad;
  return F::embedding_bag(tg::from_vector(rows, {static_cast<int64_t>(rows.size())}), input,
                          F::EmbeddingBagFuncOptions().mode(tg::nn::EmbeddingBagMode::Mean).offsets(
                              tg::from_vector(offsets, {static_cast<int64_t>(offsets.size())})));
}

void save_model(const std::string& path, const ModelFile& m) {
  const tg::Tensor table = m.input.detach().to(tg::kFloat32).contiguous();
  const int64_t dim = table.size(1), v = static_cast<int64_t>(m.words.size());
  if (table.size(0) != v + m.subwords.bucket)
    throw tg::ValueError(fmt::format("save_model: an input table of {} rows for {} words and {} buckets; expected {}",
                                     table.size(0), v, m.subwords.bucket, v + m.subwords.bucket));
  tg::write_file_atomically(path, [&](std::FILE* f) {
    auto put = [f](const void* data, size_t n) { std::fwrite(data, 1, n, f); };
    put(kModelMagic, sizeof kModelMagic);
    const uint32_t version = kModelVersion, model = m.model == "cbow" ? 1 : 0;
    put(&version, 4);
    put(&model, 4);
    for (int64_t x : {dim, m.subwords.minn, m.subwords.maxn, m.subwords.bucket, v}) put(&x, 8);
    for (int64_t w = 0; w < v; ++w) {
      const auto length = static_cast<uint32_t>(m.words[w].size());
      put(&length, 4);
      put(m.words[w].data(), length);
      put(&m.counts[w], 8);
    }
    put(table.data_ptr<float>(), static_cast<size_t>(table.numel()) * sizeof(float));
  }, "save_model");
}

bool is_model_file(const std::string& path) {
  tg::InputFile file(path, "load");
  char magic[sizeof kModelMagic];
  if (file.size() < sizeof magic) return false;
  file.read(magic, sizeof magic);
  return std::memcmp(magic, kModelMagic, sizeof magic) == 0;
}

ModelFile load_model(const std::string& path) {
  tg::InputFile file(path, "load_model");
  Reader r{path, file};
  char magic[sizeof kModelMagic];
  r.take(magic, sizeof magic, "the magic");
  if (std::memcmp(magic, kModelMagic, sizeof magic) != 0)
    throw tg::ValueError(fmt::format("{}: not a tapegrad-word2vec model file; expected one written by --save-model",
                                     path));
  const auto version = r.get<uint32_t>("the version");
  if (version != kModelVersion)
    throw tg::ValueError(fmt::format("{}: model file version {}; expected version {} (written by this "
                                     "tapegrad-word2vec's --save-model)", path, version, kModelVersion));
  const auto model = r.get<uint32_t>("the model");
  ModelFile m;
  const int64_t dim = r.get<int64_t>("dim");
  m.subwords.minn = r.get<int64_t>("minn");
  m.subwords.maxn = r.get<int64_t>("maxn");
  m.subwords.bucket = r.get<int64_t>("bucket");
  const int64_t v = r.get<int64_t>("the vocabulary size");
  // Each word takes at least 12 bytes (length and count).
  if (v > static_cast<int64_t>(r.left() / 12))
    throw tg::ValueError(fmt::format("{}: the model file is truncated: it announces {} words but {} bytes follow; "
                                     "expected a complete file written by --save-model", path, v,
                                     r.left()));
  const bool ngrams_ok = m.subwords.maxn == 0 ? m.subwords.minn == 0 && m.subwords.bucket == 0
                                              : m.subwords.minn >= 1 && m.subwords.minn <= m.subwords.maxn &&
                                                    m.subwords.maxn <= 100 && m.subwords.bucket >= 1;
  if (model > 1 || dim < 1 || dim > 10'000 || v < 0 || !ngrams_ok ||
      m.subwords.bucket > (int64_t{1} << 31))
    throw tg::ValueError(fmt::format("{}: model file settings model={} dim={} minn={} maxn={} bucket={} words={} are "
                                     "out of range; expected a file written by --save-model", path, model, dim,
                                     m.subwords.minn, m.subwords.maxn, m.subwords.bucket, v));
  m.model = model == 1 ? "cbow" : "skipgram";
  m.words.resize(static_cast<size_t>(v));
  m.counts.resize(static_cast<size_t>(v));
  for (int64_t w = 0; w < v; ++w) {
    const auto length = r.get<uint32_t>("a word's length");
    if (r.left() < length) r.take(nullptr, length, "a word");  // throws: truncated
    m.words[w].resize(length);
    r.take(m.words[w].data(), length, "a word");
    m.counts[w] = r.get<int64_t>("a word's count");
  }
  const int64_t rows = v + m.subwords.bucket;
  const auto table_bytes = static_cast<uint64_t>(rows) * static_cast<uint64_t>(dim) * sizeof(float);
  if (r.left() != table_bytes)
    throw tg::ValueError(fmt::format("{}: the model file holds {} bytes after its vocabulary; expected {} ({} rows x "
                                     "dim {} float32): the file is {}", path, r.left(), table_bytes, rows, dim,
                                     r.left() < table_bytes ? "truncated" : "followed by extra bytes"));
  m.input = tg::empty({rows, dim});
  r.take(m.input.data_ptr<float>(), table_bytes, "the table");
  return m;
}

}  // namespace w2v

#include "eval_commands.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <filesystem>
#include <memory>
#include <unordered_set>

#include "eval_sets.h"
#include "model_file.h"
#include "similarity.h"

namespace w2v {
namespace {

void print_scored(const WordVectors& vectors, const std::vector<Scored>& scored, std::ostream& out) {
  for (size_t i = 0; i < scored.size(); ++i)
    fmt::print(out, "{:3d}  {:<24} {:.4f}\n", i + 1, vectors.words[scored[i].row], scored[i].score);
}

// The file `name` in `dir`, if --eval-dir was given and no explicit file was.
std::string from_eval_dir(const std::string& explicit_path, const std::string& dir, const char* name) {
  if (!explicit_path.empty() || dir.empty()) return explicit_path;
  const std::filesystem::path path = std::filesystem::path(dir) / name;
  return std::filesystem::exists(path) ? path.string() : std::string();
}

}  // namespace

WordVectors load_any_vectors(const std::string& path, const std::vector<std::string>& extra, const char* where) {
  if (!is_model_file(path)) return load_vectors(path);
  const ModelFile model = load_model(path);
  std::vector<std::string> words = model.words;
  std::unordered_set<std::string> known(words.begin(), words.end());
  for (const std::string& word : extra)
    if (model.subwords.enabled() && known.insert(word).second) words.push_back(word);
  const tg::Tensor table = model.vectors(words, where).to(tg::kFloat64).contiguous();
  const double* data = table.data_ptr<double>();
  return make_word_vectors(path, std::move(words), std::vector<double>(data, data + table.numel()), table.size(1));
}

void run_vector(const std::string& vectors_path, const std::vector<std::string>& words, std::ostream& out) {
  const WordVectors vectors = load_any_vectors(vectors_path, words, "vector");
  const tg::Tensor& table = vectors.table.weight;
  const double* data = table.data_ptr<double>();
  for (const std::string& word : words) {
    const int64_t row = vectors.row_of(word, "vector");
    fmt::memory_buffer line;
    fmt::format_to(std::back_inserter(line), "{}", word);
    for (int64_t d = 0; d < vectors.dim(); ++d)
      fmt::format_to(std::back_inserter(line), " {:.6g}", data[row * vectors.dim() + d]);
    line.push_back('\n');
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  }
}

void run_neighbors(const std::string& vectors_path, const std::string& word, int64_t k, std::ostream& out) {
  const WordVectors vectors = load_any_vectors(vectors_path, {word}, "neighbors");
  const int64_t row = vectors.row_of(word, "neighbors");
  fmt::print(out, "nearest neighbours of '{}' by cosine:\n", word);
  print_scored(vectors, Similarity(vectors).neighbors(row, k), out);
}

void run_analogy(const std::string& vectors_path, const std::string& a, const std::string& b, const std::string& c,
                 int64_t k, std::ostream& out) {
  const WordVectors vectors = load_any_vectors(vectors_path, {a, b, c}, "analogy");
  const int64_t row_a = vectors.row_of(a, "analogy"), row_b = vectors.row_of(b, "analogy"),
                row_c = vectors.row_of(c, "analogy");
  fmt::print(out, "{} is to {} as {} is to:\n", a, b, c);
  print_scored(vectors, Similarity(vectors).analogy(row_a, row_b, row_c, k), out);
}

void run_eval(const std::string& vectors_path, const EvalFiles& files, bool oneline, std::ostream& out) {
  if (files.analogies.empty() && files.similarity.empty() && files.synonyms.empty())
    throw tg::ValueError("eval: no evaluation file given; expected at least one of --analogies, --similarity, "
                         "--synonyms, or an --eval-dir holding analogies.txt, similarity.txt or synonyms.txt");
  // A model file answers the similarity and synonym words it never saw from their
  // n-grams; analogy answers are searched among those words and its vocabulary.
  std::vector<std::string> extra;
  for (const auto& [file, kind] : {std::pair{files.similarity, PairKind::Score}, {files.synonyms, PairKind::Label}})
    if (!file.empty() && is_model_file(vectors_path))
      for (const ScoredPair& pair : read_scored_pairs(file, kind)) {
        extra.push_back(pair.word1);
        extra.push_back(pair.word2);
      }
  const WordVectors vectors = load_any_vectors(vectors_path, extra, "eval");
  out << format_report(evaluate(vectors, files), vectors, oneline);
}

}  // namespace w2v

void add_eval_commands(CLI::App& app) { add_eval_commands(app, std::cout); }

void add_eval_commands(CLI::App& app, std::ostream& out) {
  // CLI11 binds options to variables that must outlive parsing: the callbacks run
  // inside app.parse(), so the shared state lives as long as the callbacks hold it.
  struct Arguments {
    std::string vectors, word, a, b, c, eval_dir;
    std::vector<std::string> words;
    int64_t neighbors_k = 10, analogy_k = 5;
    w2v::EvalFiles files;
    bool oneline = false;
  };
  auto args = std::make_shared<Arguments>();
  std::ostream* stream = &out;

  CLI::App* neighbors = app.add_subcommand("neighbors", "Print the nearest neighbours of a word by cosine");
  neighbors->add_option("vectors", args->vectors, "A --save-model file, .vec or word2vec .bin")->required();
  neighbors->add_option("word", args->word, "The word")->required();
  neighbors->add_option("--k", args->neighbors_k, "How many neighbours")->check(CLI::PositiveNumber);
  neighbors->callback([args, stream] { w2v::run_neighbors(args->vectors, args->word, args->neighbors_k, *stream); });

  CLI::App* analogy = app.add_subcommand("analogy", "A is to B as C is to ? (3CosAdd, question words excluded)");
  analogy->add_option("vectors", args->vectors, "A --save-model file, .vec or word2vec .bin")->required();
  analogy->add_option("a", args->a, "A")->required();
  analogy->add_option("b", args->b, "B")->required();
  analogy->add_option("c", args->c, "C")->required();
  analogy->add_option("--k", args->analogy_k, "How many answers")->check(CLI::PositiveNumber);
  analogy->callback(
      [args, stream] { w2v::run_analogy(args->vectors, args->a, args->b, args->c, args->analogy_k, *stream); });

  CLI::App* vector = app.add_subcommand("vector", "Print words' vectors (word2vec text lines); a model file "
                                                  "gives unseen words a vector from their n-grams");
  vector->add_option("vectors", args->vectors, "A --save-model file, .vec or word2vec .bin")->required();
  vector->add_option("words", args->words, "The words")->required();
  vector->callback([args, stream] { w2v::run_vector(args->vectors, args->words, *stream); });

  CLI::App* eval = app.add_subcommand("eval", "Score vectors on analogy, similarity and synonym sets");
  eval->add_option("vectors", args->vectors, "A --save-model file, .vec or word2vec .bin")->required();
  eval->add_option("--analogies", args->files.analogies, "questions-words format: ': section', then 'a b c d'")
      ->check(CLI::ExistingFile);
  eval->add_option("--similarity", args->files.similarity, "'word1 word2 score' lines (Spearman)")
      ->check(CLI::ExistingFile);
  eval->add_option("--synonyms", args->files.synonyms, "'word1 word2 label' lines, label 0 or 1 (ROC-AUC)")
      ->check(CLI::ExistingFile);
  eval->add_option("--eval-dir", args->eval_dir, "A folder with analogies.txt, similarity.txt, synonyms.txt (default data/eval when no file is named)")
      ->check(CLI::ExistingDirectory);
  eval->add_flag("--oneline", args->oneline, "One summary line: auc=... spearman=... analogy=... covered=...");
  eval->callback([args, stream] {
    const w2v::EvalFiles& given = args->files;
    // As the reference scorer does, data/eval (what scripts/build_eval_sets.sh writes)
    // is the default folder when no file is named.
    const bool names_none = given.analogies.empty() && given.similarity.empty() && given.synonyms.empty();
    const std::string dir = args->eval_dir.empty() && names_none ? "data/eval" : args->eval_dir;
    w2v::EvalFiles files{w2v::from_eval_dir(given.analogies, dir, "analogies.txt"),
                         w2v::from_eval_dir(given.similarity, dir, "similarity.txt"),
                         w2v::from_eval_dir(given.synonyms, dir, "synonyms.txt")};
    w2v::run_eval(args->vectors, files, args->oneline, *stream);
  });
}

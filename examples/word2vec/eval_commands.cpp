#include "eval_commands.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <filesystem>
#include <memory>

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

void run_neighbors(const std::string& vectors_path, const std::string& word, int64_t k, std::ostream& out) {
  const WordVectors vectors = load_vectors(vectors_path);
  const int64_t row = vectors.row_of(word, "neighbors");
  fmt::print(out, "nearest neighbours of '{}' by cosine:\n", word);
  print_scored(vectors, Similarity(vectors).neighbors(row, k), out);
}

void run_analogy(const std::string& vectors_path, const std::string& a, const std::string& b, const std::string& c,
                 int64_t k, std::ostream& out) {
  const WordVectors vectors = load_vectors(vectors_path);
  const int64_t row_a = vectors.row_of(a, "analogy"), row_b = vectors.row_of(b, "analogy"),
                row_c = vectors.row_of(c, "analogy");
  fmt::print(out, "{} is to {} as {} is to:\n", a, b, c);
  print_scored(vectors, Similarity(vectors).analogy(row_a, row_b, row_c, k), out);
}

void run_eval(const std::string& vectors_path, const EvalFiles& files, bool oneline, std::ostream& out) {
  if (files.analogies.empty() && files.similarity.empty() && files.synonyms.empty())
    throw tg::ValueError("eval: no evaluation file given; expected at least one of --analogies, --similarity, "
                         "--synonyms, or an --eval-dir holding analogies.txt, similarity.txt or synonyms.txt");
  const WordVectors vectors = load_vectors(vectors_path);
  out << format_report(evaluate(vectors, files), vectors, oneline);
}

}  // namespace w2v

void add_eval_commands(CLI::App& app) { add_eval_commands(app, std::cout); }

void add_eval_commands(CLI::App& app, std::ostream& out) {
  // CLI11 binds options to variables that must outlive parsing: the callbacks run
  // inside app.parse(), so the shared state lives as long as the callbacks hold it.
  struct Arguments {
    std::string vectors, word, a, b, c, eval_dir;
    int64_t neighbors_k = 10, analogy_k = 5;
    w2v::EvalFiles files;
    bool oneline = false;
  };
  auto args = std::make_shared<Arguments>();
  std::ostream* stream = &out;

  CLI::App* neighbors = app.add_subcommand("neighbors", "Print the nearest neighbours of a word by cosine");
  neighbors->add_option("vectors", args->vectors, "Vectors in word2vec text format (.vec)")->required();
  neighbors->add_option("word", args->word, "The word")->required();
  neighbors->add_option("--k", args->neighbors_k, "How many neighbours")->check(CLI::PositiveNumber);
  neighbors->callback([args, stream] { w2v::run_neighbors(args->vectors, args->word, args->neighbors_k, *stream); });

  CLI::App* analogy = app.add_subcommand("analogy", "A is to B as C is to ? (3CosAdd, question words excluded)");
  analogy->add_option("vectors", args->vectors, "Vectors in word2vec text format (.vec)")->required();
  analogy->add_option("a", args->a, "A")->required();
  analogy->add_option("b", args->b, "B")->required();
  analogy->add_option("c", args->c, "C")->required();
  analogy->add_option("--k", args->analogy_k, "How many answers")->check(CLI::PositiveNumber);
  analogy->callback(
      [args, stream] { w2v::run_analogy(args->vectors, args->a, args->b, args->c, args->analogy_k, *stream); });

  CLI::App* eval = app.add_subcommand("eval", "Score vectors on analogy, similarity and synonym sets");
  eval->add_option("vectors", args->vectors, "Vectors in word2vec text format (.vec)")->required();
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

#pragma once
// The tapegrad-word2vec subcommands that read vectors (a .vec, a word2vec .bin or a
// --save-model file): neighbors, analogy, eval, vector.
//
//   CLI::App app{"tapegrad-word2vec"};
//   add_eval_commands(app);          // registers the three subcommands
//   CLI11_PARSE(app, argc, argv);    // a command's tg::Error propagates: catch it in main
//
// Usage:
//   neighbors VECTORS.vec WORD [--k 10]
//   analogy VECTORS.vec A B C [--k 5]        A is to B as C is to ? (3CosAdd)
//   vector MODEL WORD...                      one "word v1 ... vD" line per word
//   eval VECTORS.vec [--analogies F] [--similarity F] [--synonyms F] [--eval-dir DIR] [--oneline]
//     (prints the same lines as scripts/eval_vectors.py; default folder data/eval)
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "evaluate.h"

// Registers the subcommands; they print to `out` (std::cout by default).
void add_eval_commands(CLI::App& app);
void add_eval_commands(CLI::App& app, std::ostream& out);

namespace w2v {

// The commands themselves, for tests and other programs. Each throws tg::Error for a
// bad file or a word missing from the vectors.
void run_neighbors(const std::string& vectors_path, const std::string& word, int64_t k, std::ostream& out);
void run_analogy(const std::string& vectors_path, const std::string& a, const std::string& b, const std::string& c,
                 int64_t k, std::ostream& out);
void run_vector(const std::string& vectors_path, const std::vector<std::string>& words, std::ostream& out);
// A .vec, a word2vec .bin or a --save-model file (detected by its magic) as WordVectors;
// a model file adds rows for the `extra` words it does not hold, from their n-grams.
WordVectors load_any_vectors(const std::string& path, const std::vector<std::string>& extra, const char* where);
void run_eval(const std::string& vectors_path, const EvalFiles& files, bool oneline, std::ostream& out);

}  // namespace w2v

#pragma once
// Scores word vectors on the evaluation sets, with the definitions and the output of
// the reference scorer scripts/eval_vectors.py (docs/eval-sets.md): a pair or
// question counts when all its words have vectors ("covered"), and scores are over
// covered items only.
//
//   w2v::EvalReport report = w2v::evaluate(vectors, {.similarity = "data/eval/similarity.txt"});
//   std::cout << w2v::format_report(report, vectors);
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vectors_io.h"

namespace w2v {

struct EvalFiles {
  std::string analogies;   // questions-words format; "" to skip
  std::string similarity;  // word1 word2 score
  std::string synonyms;    // word1 word2 label
};

struct SynonymScore {
  double auc;
  int64_t covered, total, positives, negatives;
};
struct SimilarityScore {
  double spearman;
  int64_t covered, total;
};
struct AnalogyScore {
  std::string section;  // "total" for all sections together
  int64_t correct, covered, total;
  double accuracy() const;  // correct / covered; NaN when nothing is covered
};

struct EvalReport {
  std::optional<SynonymScore> synonyms;
  std::optional<SimilarityScore> similarity;
  std::vector<AnalogyScore> analogies;  // one per section, then the total; empty if not run
};

EvalReport evaluate(const WordVectors& vectors, const EvalFiles& files);

// The reference scorer's lines ("vectors: ...", "synonyms: auc=...", ...), or with
// oneline its single summary line "auc=... spearman=... analogy=... covered=...".
std::string format_report(const EvalReport& report, const WordVectors& vectors, bool oneline = false);

}  // namespace w2v

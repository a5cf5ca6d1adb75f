#pragma once
// Evaluation sets (docs/eval-sets.md) and the statistics that score word vectors on them.
//
//   auto pairs = w2v::read_scored_pairs("data/eval/similarity.txt", w2v::PairKind::Score);
//   auto sections = w2v::read_analogies("data/eval/analogies.txt");
//   double rho = w2v::spearman(cosines, scores);
#include <string>
#include <vector>

namespace w2v {

// "word1 word2 score" (similarity) or "word1 word2 label" with label 0 or 1 (synonyms).
enum class PairKind { Score, Label };
struct ScoredPair {
  std::string word1;
  std::string word2;
  double score;
};
// Blank lines and lines starting with '#' are skipped; anything else that is not two
// words and a number throws tg::ValueError naming the file and line.
std::vector<ScoredPair> read_scored_pairs(const std::string& path, PairKind kind);

// questions-words.txt: ": section" lines, then "a b c d" lines (a is to b as c is to d).
// Questions before the first section line form a section named "questions".
struct AnalogySection {
  std::string name;
  std::vector<std::vector<std::string>> questions;  // 4 words each
};
std::vector<AnalogySection> read_analogies(const std::string& path);

// 1-based ranks of values; a group of equal values all get the mean of their ranks.
std::vector<double> average_ranks(const std::vector<double>& values);
// Pearson correlation of the average ranks; NaN for fewer than 2 values or a constant input.
double spearman(const std::vector<double>& x, const std::vector<double>& y);
// ROC-AUC of scores against labels (> 0.5 is positive): the Mann-Whitney probability
// that a positive outranks a negative, ties counting one half. NaN without both classes.
double roc_auc(const std::vector<double>& scores, const std::vector<double>& labels);

}  // namespace w2v

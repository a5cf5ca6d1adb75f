#include "evaluate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <limits>

#include "eval_sets.h"
#include "similarity.h"

namespace w2v {
namespace {

struct CoveredPairs {
  std::vector<int64_t> rows_a, rows_b;
  std::vector<double> values;  // the pairs' scores or labels
};

CoveredPairs covered_pairs(const WordVectors& vectors, const std::vector<ScoredPair>& pairs) {
  CoveredPairs covered;
  for (const ScoredPair& pair : pairs) {
    auto a = vectors.find(pair.word1), b = vectors.find(pair.word2);
    if (!a || !b) continue;
    covered.rows_a.push_back(*a);
    covered.rows_b.push_back(*b);
    covered.values.push_back(pair.score);
  }
  return covered;
}

int64_t count_of(const auto& container) { return static_cast<int64_t>(container.size()); }

}  // namespace

double AnalogyScore::accuracy() const {
  return covered > 0 ? static_cast<double>(correct) / static_cast<double>(covered)
                     : std::numeric_limits<double>::quiet_NaN();
}

EvalReport evaluate(const WordVectors& vectors, const EvalFiles& files) {
  // Read every file first: a malformed set fails before minutes of scoring.
  std::vector<ScoredPair> synonym_pairs, similarity_pairs;
  std::vector<AnalogySection> sections;
  if (!files.synonyms.empty()) synonym_pairs = read_scored_pairs(files.synonyms, PairKind::Label);
  if (!files.similarity.empty()) similarity_pairs = read_scored_pairs(files.similarity, PairKind::Score);
  if (!files.analogies.empty()) sections = read_analogies(files.analogies);

  const Similarity similarity(vectors);
  EvalReport report;
  if (!files.synonyms.empty()) {
    const CoveredPairs covered = covered_pairs(vectors, synonym_pairs);
    const std::vector<double> cosines = similarity.cosines(covered.rows_a, covered.rows_b);
    int64_t positives = 0;
    for (double label : covered.values) positives += label > 0.5;
    report.synonyms = SynonymScore{roc_auc(cosines, covered.values), count_of(cosines), count_of(synonym_pairs),
                                   positives, count_of(cosines) - positives};
  }
  if (!files.similarity.empty()) {
    const CoveredPairs covered = covered_pairs(vectors, similarity_pairs);
    const std::vector<double> cosines = similarity.cosines(covered.rows_a, covered.rows_b);
    report.similarity = SimilarityScore{spearman(cosines, covered.values), count_of(cosines), count_of(similarity_pairs)};
  }
  if (!files.analogies.empty()) {
    AnalogyScore total{"total", 0, 0, 0};
    for (const AnalogySection& section : sections) {
      std::vector<std::array<int64_t, 3>> questions;
      std::vector<int64_t> expected;
      for (const auto& words : section.questions) {
        auto a = vectors.find(words[0]), b = vectors.find(words[1]), c = vectors.find(words[2]),
             d = vectors.find(words[3]);
        if (!a || !b || !c || !d) continue;
        questions.push_back({*a, *b, *c});
        expected.push_back(*d);
      }
      const std::vector<int64_t> answers = similarity.analogy_answers(questions);
      int64_t correct = 0;
      for (size_t i = 0; i < answers.size(); ++i) correct += answers[i] == expected[i];
      report.analogies.push_back({section.name, correct, count_of(questions), count_of(section.questions)});
      total.correct += correct;
      total.covered += count_of(questions);
      total.total += count_of(section.questions);
    }
    report.analogies.push_back(total);
  }
  return report;
}

std::string format_report(const EvalReport& report, const WordVectors& vectors, bool oneline) {
  if (oneline) {
    std::vector<std::string> scores, coverage;
    if (report.synonyms) {
      scores.push_back(fmt::format("auc={:.4f}", report.synonyms->auc));
      coverage.push_back(fmt::format("{}/{}", report.synonyms->covered, report.synonyms->total));
    }
    if (report.similarity) {
      scores.push_back(fmt::format("spearman={:.4f}", report.similarity->spearman));
      coverage.push_back(fmt::format("{}/{}", report.similarity->covered, report.similarity->total));
    }
    if (!report.analogies.empty()) {
      const AnalogyScore& total = report.analogies.back();
      scores.push_back(fmt::format("analogy={:.4f}", total.accuracy()));
      coverage.push_back(fmt::format("{}/{}", total.covered, total.total));
    }
    return fmt::format("{} covered={}\n", fmt::join(scores, " "), fmt::join(coverage, ","));
  }
  std::string out = fmt::format("vectors: {} words={} dim={}\n", vectors.path, vectors.size(), vectors.dim());
  if (const auto& s = report.synonyms)
    out += fmt::format("synonyms: auc={:.4f} covered={}/{} positives={} negatives={}\n", s->auc, s->covered,
                       s->total, s->positives, s->negatives);
  if (const auto& s = report.similarity)
    out += fmt::format("similarity: spearman={:.4f} covered={}/{}\n", s->spearman, s->covered, s->total);
  for (const AnalogyScore& a : report.analogies)
    out += fmt::format("analogy {}: accuracy={:.4f} correct={} covered={}/{}\n", a.section, a.accuracy(), a.correct,
                       a.covered, a.total);
  return out;
}

}  // namespace w2v

#include "eval_sets.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>

#include <tapegrad/tapegrad.h>

namespace w2v {
namespace {

std::ifstream open_or_throw(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) throw tg::Error(fmt::format("eval: cannot open the {} file '{}'; expected a readable text file", what, path));
  return in;
}

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream stream(line);
  std::vector<std::string> words;
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

bool is_skipped(const std::vector<std::string>& fields) { return fields.empty() || fields[0][0] == '#'; }

}  // namespace

std::vector<ScoredPair> read_scored_pairs(const std::string& path, PairKind kind) {
  const char* what = kind == PairKind::Score ? "similarity" : "synonyms";
  std::ifstream in = open_or_throw(path, what);
  std::vector<ScoredPair> pairs;
  std::string line;
  for (int64_t line_number = 1; std::getline(in, line); ++line_number) {
    const auto fields = split_words(line);
    if (is_skipped(fields)) continue;
    double value = 0;
    bool is_number = false;
    if (fields.size() == 3) {
      const std::string& text = fields[2];
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      is_number = error == std::errc() && end == text.data() + text.size() && std::isfinite(value);
    }
    const bool is_label = value == 0.0 || value == 1.0;
    if (!is_number || (kind == PairKind::Label && !is_label))
      throw tg::ValueError(fmt::format("eval: {}:{}: line = '{}' is not a {} line; expected '{}'", path,
                                       line_number, line, what,
                                       kind == PairKind::Score ? "word1 word2 score" : "word1 word2 label (0 or 1)"));
    pairs.push_back({fields[0], fields[1], value});
  }
  return pairs;
}

std::vector<AnalogySection> read_analogies(const std::string& path) {
  std::ifstream in = open_or_throw(path, "analogies");
  std::vector<AnalogySection> sections;
  std::string line;
  for (int64_t line_number = 1; std::getline(in, line); ++line_number) {
    if (!line.empty() && line[0] == ':') {
      // The name as the reference scorer prints it: the rest of the line, trimmed.
      const size_t first = line.find_first_not_of(" \t\r", 1);
      const size_t last = line.find_last_not_of(" \t\r");
      sections.push_back({first == std::string::npos ? std::string() : line.substr(first, last - first + 1), {}});
      continue;
    }
    auto words = split_words(line);
    if (is_skipped(words)) continue;
    if (words.size() != 4)
      throw tg::ValueError(fmt::format("eval: {}:{}: line = '{}' has {} words; expected a section line ': name' "
                                       "or a question 'a b c d'", path, line_number, line, words.size()));
    if (sections.empty()) sections.push_back({"questions", {}});
    sections.back().questions.push_back(std::move(words));
  }
  return sections;
}

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return values[i] < values[j]; });
  std::vector<double> ranks(values.size());
  for (size_t first = 0; first < order.size();) {
    size_t last = first;  // the group [first, last] holds equal values
    while (last + 1 < order.size() && values[order[last + 1]] == values[order[first]]) ++last;
    const double mean_rank = (static_cast<double>(first) + static_cast<double>(last)) / 2.0 + 1.0;
    for (size_t k = first; k <= last; ++k) ranks[order[k]] = mean_rank;
    first = last + 1;
  }
  return ranks;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (x.size() != y.size())
    throw tg::ValueError(fmt::format("spearman: x has {} values and y {}; expected equal lengths", x.size(), y.size()));
  if (x.size() < 2) return nan;
  const std::vector<double> rank_x = average_ranks(x), rank_y = average_ranks(y);
  const double n = static_cast<double>(x.size());
  double mean_x = 0, mean_y = 0;
  for (size_t i = 0; i < x.size(); ++i) mean_x += rank_x[i], mean_y += rank_y[i];
  mean_x /= n;
  mean_y /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = rank_x[i] - mean_x, dy = rank_y[i] - mean_y;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : nan;
}

double roc_auc(const std::vector<double>& scores, const std::vector<double>& labels) {
  if (scores.size() != labels.size())
    throw tg::ValueError(fmt::format("roc_auc: {} scores and {} labels; expected equal lengths", scores.size(),
                                     labels.size()));
  const std::vector<double> ranks = average_ranks(scores);
  double positives = 0, rank_sum = 0;
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] > 0.5) positives += 1, rank_sum += ranks[i];
  const double negatives = static_cast<double>(labels.size()) - positives;
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  // The positives' rank sum minus its smallest possible value counts the
  // (positive, negative) pairs won by the positive, ties as one half.
  return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives);
}

}  // namespace w2v

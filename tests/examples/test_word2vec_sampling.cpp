// The negative sampler (Note [negative sampling by alias table] in
// examples/word2vec/corpus.h): the exact unigram^0.75 distribution, drawn.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <cmath>
#include <string>
#include <vector>

#include "corpus.h"

namespace {

std::vector<double> expected_probabilities(const std::vector<int64_t>& counts) {
  double norm = 0;
  for (const int64_t c : counts) norm += std::pow(static_cast<double>(c), 0.75);
  std::vector<double> p;
  for (const int64_t c : counts) p.push_back(std::pow(static_cast<double>(c), 0.75) / norm);
  return p;
}

}  // namespace

TEST_CASE("the alias table holds exactly count^0.75 / sum(count^0.75) for every word") {
  // Skewed like a vocabulary: one very frequent word, many rare ones, one word of count 0.
  std::vector<int64_t> counts{100000, 5, 1, 2000, 0, 37, 5, 640, 1, 12};
  const w2v::NegativeSampler sampler(counts);
  const std::vector<double> want = expected_probabilities(counts);
  double total = 0;
  for (size_t w = 0; w < counts.size(); ++w) {
    const double got = sampler.probability(static_cast<int32_t>(w));
    CAPTURE(w);
    // The keep probabilities are float32 (rounded by 2^-24 at most); a word collects
    // them from at most the n entries, each divided by n: 1e-6 bounds the sum.
    CHECK(std::abs(got - want[w]) < 1e-6);
    total += got;
  }
  CHECK(total == doctest::Approx(1.0).epsilon(1e-9));
  CHECK(sampler.probability(4) == 0.0);  // count 0: never drawn
}

TEST_CASE("draws follow the distribution: every word within 5 standard errors over 2 million draws") {
  const std::vector<int64_t> counts{9000, 300, 300, 45, 7, 1, 1, 2500};
  const w2v::NegativeSampler sampler(counts);
  const std::vector<double> want = expected_probabilities(counts);
  std::vector<int64_t> seen(counts.size(), 0);
  w2v::Rng rng(12345);
  const int64_t n = 2'000'000;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t w = sampler.draw(rng);
    REQUIRE(w >= 0);
    REQUIRE(w < static_cast<int32_t>(counts.size()));
    ++seen[static_cast<size_t>(w)];
  }
  for (size_t w = 0; w < counts.size(); ++w) {
    const double p = want[w];
    const double sd = std::sqrt(static_cast<double>(n) * p * (1 - p));
    CAPTURE(w);
    CHECK(std::abs(static_cast<double>(seen[w]) - static_cast<double>(n) * p) < 5 * sd);
  }
}

TEST_CASE("a vocabulary of one word draws it; an empty or all-zero vocabulary is refused") {
  const w2v::NegativeSampler one(std::vector<int64_t>{3});
  w2v::Rng rng(1);
  for (int i = 0; i < 100; ++i) CHECK(one.draw(rng) == 0);
  CHECK(one.probability(0) == 1.0);
  CHECK_THROWS_WITH_AS(w2v::NegativeSampler(std::vector<int64_t>{}),
                       doctest::Contains("a vocabulary of 0 words"), tg::ValueError);
  CHECK_THROWS_WITH_AS(w2v::NegativeSampler(std::vector<int64_t>{0, 0}),
                       doctest::Contains("expected at least one word with a positive count"), tg::ValueError);
}

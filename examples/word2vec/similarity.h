#pragma once
// Cosine similarity, nearest neighbours and analogies over a WordVectors table,
// written with tapegrad tensor ops: rows scaled to unit length once, then a lookup
// (nn::functional::embedding) and a matmul against the whole table per query.
//
//   w2v::Similarity sim(vectors);
//   for (auto [row, cosine] : sim.neighbors(vectors.row_of("king", "neighbors"), 10)) ...
//   auto answers = sim.analogy(a, b, c, 5);   // a is to b as c is to answers[0]
#include <array>
#include <cstdint>
#include <vector>

#include "vectors_io.h"

namespace w2v {

// V words, D dimensions, N queries.

// Rows of table (V, D) scaled to length 1; a zero row stays zero, so its cosine
// with every word is 0 (as in the reference scorer).
tg::Tensor unit_rows(const tg::Tensor& table);

struct Scored {
  int64_t row;
  double score;
};

// The k largest of scores (1-d, float64), best first, skipping the rows in
// `excluded`. Equal scores keep file order (the earlier row first), which is the
// reference scorer's tie rule (numpy's argmax takes the first maximum).
std::vector<Scored> top_k(const tg::Tensor& scores, int64_t k, const std::vector<int64_t>& excluded = {});

class Similarity {
 public:
  explicit Similarity(const WordVectors& vectors);

  // Cosine of each pair (rows_a[i], rows_b[i]).
  std::vector<double> cosines(const std::vector<int64_t>& rows_a, const std::vector<int64_t>& rows_b) const;
  // The k words closest to `row` by cosine, the word itself excluded.
  std::vector<Scored> neighbors(int64_t row, int64_t k) const;
  // 3CosAdd: the k words w maximising cos(w, b - a + c) with unit-length a, b, c,
  // a, b and c excluded; the scores are those cosines.
  std::vector<Scored> analogy(int64_t a, int64_t b, int64_t c, int64_t k) const;
  // The best 3CosAdd answer of each question {a, b, c}, computed in batches (one
  // (N, D) x (D, V) matmul per batch rather than one matrix-vector product each).
  std::vector<int64_t> analogy_answers(const std::vector<std::array<int64_t, 3>>& questions) const;

 private:
  tg::Tensor unit_;  // (V, D) float64
};

}  // namespace w2v

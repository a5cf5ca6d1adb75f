#include "similarity.h"

#include <fmt/format.h>

#include <algorithm>

namespace w2v {
namespace {

namespace F = tg::nn::functional;

tg::Tensor row_ids(const std::vector<int64_t>& rows) { return tg::from_vector(rows); }

// Best-first selection of k entries from n scores at `data` (stride 1): a short sorted
// list that a new score enters only by beating its last entry. O(n k), and k is small
// (10 neighbours; 1 for analogy answers).
std::vector<Scored> select_top_k(const double* data, int64_t n, int64_t k, const std::vector<int64_t>& excluded) {
  std::vector<Scored> best;
  k = std::min(k, n);  // --k beyond the vocabulary lists every word, allocating no more
  if (k <= 0) return best;
  best.reserve(static_cast<size_t>(k) + 1);
  for (int64_t row = 0; row < n; ++row) {
    const double score = data[row];
    if (static_cast<int64_t>(best.size()) == k && !(score > best.back().score)) continue;
    if (std::find(excluded.begin(), excluded.end(), row) != excluded.end()) continue;
    // After every entry with a score >= this one: equal scores keep file order.
    auto position = std::find_if(best.begin(), best.end(), [&](const Scored& s) { return s.score < score; });
    best.insert(position, Scored{row, score});
    if (static_cast<int64_t>(best.size()) > k) best.pop_back();
  }
  return best;
}

}  // namespace

tg::Tensor unit_rows(const tg::Tensor& table) {
  tg::NoGradGuard no_grad;
  tg::Tensor norms = (table * table).sum(1, /*keepdim=*/true).sqrt();  // (V, 1)
  tg::Tensor safe_norms = tg::where(norms > 0.0, norms, tg::ones_like(norms));
  return (table / safe_norms).contiguous();
}

std::vector<Scored> top_k(const tg::Tensor& scores, int64_t k, const std::vector<int64_t>& excluded) {
  if (scores.dim() != 1 || scores.dtype() != tg::kFloat64)
    throw tg::ValueError(fmt::format("top_k: scores of shape {} and dtype {}; expected a 1-d float64 tensor",
                                     tg::shape_string(scores.sizes()), tg::dtype_name(scores.dtype())));
  const tg::Tensor dense = scores.contiguous();
  return select_top_k(dense.data_ptr<double>(), dense.numel(), k, excluded);
}

Similarity::Similarity(const WordVectors& vectors) : unit_(unit_rows(vectors.table.weight)) {}

std::vector<double> Similarity::cosines(const std::vector<int64_t>& rows_a, const std::vector<int64_t>& rows_b) const {
  tg::NoGradGuard no_grad;
  if (rows_a.empty()) return {};
  tg::Tensor a = F::embedding(row_ids(rows_a), unit_);  // (N, D)
  tg::Tensor b = F::embedding(row_ids(rows_b), unit_);  // (N, D)
  return (a * b).sum(1).to_vector<double>();
}

std::vector<Scored> Similarity::neighbors(int64_t row, int64_t k) const {
  tg::NoGradGuard no_grad;
  tg::Tensor scores = tg::mv(unit_, unit_[row]);  // (V): cosine with every word
  return top_k(scores, k, {row});
}

std::vector<Scored> Similarity::analogy(int64_t a, int64_t b, int64_t c, int64_t k) const {
  tg::NoGradGuard no_grad;
  tg::Tensor query = unit_[b] - unit_[a] + unit_[c];  // (D)
  // Scaling the query to length 1 does not change the ranking; it makes the printed
  // scores cosines.
  const double length = query.norm().item<double>();
  if (length > 0) query = query / length;
  return top_k(tg::mv(unit_, query), k, {a, b, c});
}

std::vector<int64_t> Similarity::analogy_answers(const std::vector<std::array<int64_t, 3>>& questions) const {
  tg::NoGradGuard no_grad;
  // A batch's score matrix is (N, V) doubles: 256 x 40,000 words is 80 MB.
  constexpr size_t kBatch = 256;
  const int64_t num_words = unit_.size(0);
  const tg::Tensor unit_t = unit_.t();  // (D, V)
  std::vector<int64_t> answers;
  answers.reserve(questions.size());
  for (size_t start = 0; start < questions.size(); start += kBatch) {
    const size_t end = std::min(questions.size(), start + kBatch);
    std::vector<int64_t> rows_a, rows_b, rows_c;
    for (size_t i = start; i < end; ++i) {
      rows_a.push_back(questions[i][0]);
      rows_b.push_back(questions[i][1]);
      rows_c.push_back(questions[i][2]);
    }
    tg::Tensor queries = F::embedding(row_ids(rows_b), unit_) - F::embedding(row_ids(rows_a), unit_) +
                         F::embedding(row_ids(rows_c), unit_);          // (N, D)
    tg::Tensor scores = tg::matmul(queries, unit_t).contiguous();       // (N, V)
    const double* data = scores.data_ptr<double>();
    for (size_t i = start; i < end; ++i) {
      const auto best = select_top_k(data + (i - start) * num_words, num_words, 1,
                                     {questions[i][0], questions[i][1], questions[i][2]});
      answers.push_back(best.empty() ? -1 : best[0].row);
    }
  }
  return answers;
}

}  // namespace w2v

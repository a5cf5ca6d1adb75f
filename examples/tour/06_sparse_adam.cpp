// Tour section 6 (docs/autograd.md): one SparseAdam step, row by row.
// Run: ./build/examples/tour_06_sparse_adam
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include <tapegrad/tapegrad.h>

int main() {
  // Section 4's table, lookup and loss.
  const tg::Tensor table = tg::tensor({{0.f, 0.f}, {1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}, {7.f, 8.f}});
  tg::nn::Embedding emb(tg::nn::EmbeddingOptions(5, 2).sparse(true)._weight(table));
  const tg::Tensor rows = emb(tg::tensor({1, 3, 1}));
  const tg::Tensor target = tg::full({3, 2}, 1.0);
  const tg::Tensor diff = rows - target;
  (diff * diff).sum().backward();

  const double lr = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  tg::optim::SparseAdam adam(emb.parameters(), tg::optim::SparseAdamOptions(lr));

  // What step() will do, by hand: only the rows of the coalesced gradient move.
  const tg::Tensor g = emb.weight.grad().coalesce();
  const int64_t t = 1;  // first step
  const double step_size = lr * std::sqrt(1 - std::pow(beta2, t)) / (1 - std::pow(beta1, t));
  fmt::print("step t = {}: step_size = lr * sqrt(1 - beta2^t) / (1 - beta1^t) = {:.4f}\n", t, step_size);
  const auto ids = g.indices().to_vector<int64_t>();
  for (size_t k = 0; k < ids.size(); ++k) {
    const int64_t r = ids[k];
    fmt::print("row {}:\n", r);
    for (int64_t j = 0; j < 2; ++j) {
      const double grad = g.values()[k][j].item<float>();
      const double m = (1 - beta1) * grad, v = (1 - beta2) * grad * grad;  // m, v start at 0
      const double old = emb.weight[r][j].item<float>();
      const double update = step_size * m / (std::sqrt(v) + eps);
      fmt::print("  col {}: g = {:7.4f}  m = {:7.4f}  v = {:.6f}  w = {:.4f} - {:.4f} = {:.4f}\n", j, grad, m, v,
                 old, update, old - update);
    }
  }

  adam.step();
  std::cout << "\nweight after adam.step() (rows 0, 2 and 4 untouched):\n" << emb.weight.detach() << "\n";
}

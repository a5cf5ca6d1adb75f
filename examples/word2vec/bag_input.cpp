#include "bag_input.h"

namespace w2v {

namespace F = tg::nn::functional;

tg::Tensor BagBatch::hidden(const tg::Tensor& weight) const {
  const int64_t b = examples();
  std::vector<float> sizes(static_cast<size_t>(b));
  for (int64_t i = 0; i < b; ++i) {
    const int64_t end = i + 1 < b ? starts_[i + 1] : static_cast<int64_t>(indices_.size());
    sizes[i] = static_cast<float>(end - starts_[i]);
  }
  const tg::Tensor mean = F::embedding_bag(
      tg::from_vector(indices_, {static_cast<int64_t>(indices_.size())}), weight,
      F::EmbeddingBagFuncOptions().mode(tg::nn::EmbeddingBagMode::Mean).sparse(true).offsets(
          tg::from_vector(starts_, {b})));
  const tg::Tensor n = tg::from_vector(sizes, {b, 1});
  return mean * n - (mean * (n - 1.0)).detach();
}

tg::Tensor bag_means(const Bags& bags, const tg::Tensor& weight) {
  tg::NoGradGuard no_grad;
  const auto v = static_cast<int64_t>(bags.offsets.size()) - 1;
  const std::vector<int64_t> starts(bags.offsets.begin(), bags.offsets.end() - 1);
  return F::embedding_bag(tg::from_vector(bags.indices, {static_cast<int64_t>(bags.indices.size())}),
                          weight.detach(),
                          F::EmbeddingBagFuncOptions().mode(tg::nn::EmbeddingBagMode::Mean).offsets(
                              tg::from_vector(starts, {v})));
}

}  // namespace w2v

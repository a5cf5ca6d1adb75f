#include "embedding_bag.h"

#include <fmt/format.h>

namespace tg::nn {

Tensor EmbeddingBag::forward(const Tensor& input, const Tensor& offsets, const Tensor& per_sample_weights) {
  return functional::embedding_bag(input, weight,
                                   functional::EmbeddingBagFuncOptions()
                                       .lookup(options_.lookup())
                                       .bag(options_.bag())
                                       .offsets(offsets)
                                       .per_sample_weights(per_sample_weights));
}

// PyTorch's order and spelling (the mode as a Python string); sparse and
// include_last_offset are not printed, as in PyTorch.
std::string EmbeddingBag::extra_repr() const {
  std::string s = fmt::format("{}, {}", options_.num_embeddings(), options_.embedding_dim());
  if (options_.max_norm()) s += fmt::format(", max_norm={}", repr_float(*options_.max_norm()));
  if (options_.norm_type() != 2.0) s += fmt::format(", norm_type={}", repr_float(options_.norm_type()));
  if (options_.scale_grad_by_freq()) s += ", scale_grad_by_freq=True";
  const char* mode = options_.mode() == EmbeddingBagMode::Sum ? "sum"
                     : options_.mode() == EmbeddingBagMode::Max ? "max" : "mean";
  s += fmt::format(", mode='{}'", mode);
  if (options_.padding_idx()) s += fmt::format(", padding_idx={}", *options_.padding_idx());
  return s;
}

}  // namespace tg::nn

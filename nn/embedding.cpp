#include "embedding.h"

#include <fmt/format.h>

#include "../autograd/grad_mode.h"
#include "../core/rows.h"

namespace tg::nn {

namespace {

// Python's repr of a float: "1.0", "0.5", "3.5", "inf", "1e-07".
std::string python_float(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eninf") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim)
    : Embedding(EmbeddingOptions(num_embeddings, embedding_dim)) {}

Embedding::Embedding(EmbeddingOptions options) : options_(std::move(options)) {
  const int64_t num_rows = options_.num_embeddings(), width = options_.embedding_dim();
  if (num_rows < 0 || width < 0)
    throw ValueError(fmt::format("Embedding: Trying to create tensor with negative dimension: num_embeddings = {}, "
                                 "embedding_dim = {}; expected sizes >= 0", num_rows, width));
  if (options_.max_norm()) core::check_max_norm("Embedding", *options_.max_norm());
  if (options_.padding_idx())
    options_.padding_idx(normalize_padding_idx("Embedding", *options_.padding_idx(), num_rows));
  const bool requires_grad = !options_._freeze();
  if (options_._weight().defined()) {
    const Tensor& given = options_._weight();
    if (given.sizes() != Shape{num_rows, width})
      throw ValueError(fmt::format("Embedding: Shape of _weight does not match num_embeddings and embedding_dim: "
                                   "_weight has shape {}; expected [{}, {}]",
                                   shape_string(given.sizes()), num_rows, width));
    // Shares the caller's storage (and version counter), with no history: a fresh leaf,
    // as nn.Parameter(t) in PyTorch. Not re-initialised, so the padding row stays as given.
    weight = given.detach();
    register_parameter("weight", weight, requires_grad);
  } else {
    weight = empty({num_rows, width}, options_.dtype());
    register_parameter("weight", weight, requires_grad);
    reset_parameters();
  }
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& options) {
  if (!embeddings.defined() || embeddings.dim() != 2)
    throw ValueError(fmt::format("Embedding::from_pretrained: Embeddings parameter is expected to be 2-dimensional; "
                                 "got shape {}", embeddings.defined() ? shape_string(embeddings.sizes()) : "undefined"));
  return Embedding(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                       ._weight(embeddings)
                       ._freeze(options.freeze())
                       .lookup(options.lookup()));
}

void Embedding::reset_parameters() {
  NoGradGuard no_grad;
  if (weight.numel() == 0) return;  // num_embeddings or embedding_dim 0: nothing to draw
  weight.copy_(randn(weight.sizes(), weight.dtype()));
  // Only a fresh init zeroes the padding row; nothing keeps it zero afterwards.
  if (options_.padding_idx()) weight.select(0, *options_.padding_idx()).fill_(0.0);
}

Tensor Embedding::forward(const Tensor& input) {
  return functional::embedding(input, weight, functional::EmbeddingFuncOptions().lookup(options_.lookup()));
}

std::string Embedding::extra_repr() const {
  std::string s = fmt::format("{}, {}", options_.num_embeddings(), options_.embedding_dim());
  if (options_.padding_idx()) s += fmt::format(", padding_idx={}", *options_.padding_idx());
  if (options_.max_norm()) s += fmt::format(", max_norm={}", python_float(*options_.max_norm()));
  if (options_.norm_type() != 2.0) s += fmt::format(", norm_type={}", python_float(options_.norm_type()));
  if (options_.scale_grad_by_freq()) s += ", scale_grad_by_freq=True";
  if (options_.sparse()) s += ", sparse=True";
  return s;
}

}  // namespace tg::nn

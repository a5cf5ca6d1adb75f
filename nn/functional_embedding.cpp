// F::embedding and F::embedding_bag: padding_idx validation, the max_norm renorm, then
// the lookup, in PyTorch's order, so that an input with several faults gets PyTorch's error.
#include <fmt/format.h>

#include "functional.h"

#include "../core/bags.h"

namespace tg::nn {

int64_t normalize_padding_idx(const char* where, int64_t padding_idx, int64_t num_embeddings) {
  // PyTorch accepts 0 without a check, so V = 0 with padding_idx = 0 fails later
  // while zeroing a row that does not exist; here the range is checked every time.
  if (padding_idx >= num_embeddings || padding_idx < -num_embeddings)
    throw ValueError(fmt::format("{}: Padding_idx must be within num_embeddings: padding_idx = {} is out of range; "
                                 "expected {} <= padding_idx < {} for num_embeddings = {}",
                                 where, padding_idx, -num_embeddings, num_embeddings, num_embeddings));
  return padding_idx < 0 ? padding_idx + num_embeddings : padding_idx;
}

namespace functional {

Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options) {
  if (!weight.defined() || !input.defined())
    throw Error("embedding: got an undefined tensor; expected defined input and weight");
  int64_t padding_idx = -1;  // the kernel's "no padding"
  if (options.padding_idx()) {
    if (weight.dim() < 1)
      throw ValueError(fmt::format("embedding: 'weight' must be 2-D; got shape {} (0-D)", shape_string(weight.sizes())));
    padding_idx = normalize_padding_idx("embedding", *options.padding_idx(), weight.size(0));
  }
  if (options.max_norm()) embedding_renorm_(weight, input, *options.max_norm(), options.norm_type());
  return tg::embedding(weight, input, padding_idx, options.scale_grad_by_freq(), options.sparse());
}

Tensor embedding_bag(const Tensor& input, const Tensor& weight, const EmbeddingBagFuncOptions& options) {
  if (!weight.defined() || !input.defined())
    throw Error("embedding_bag: got an undefined tensor; expected defined input and weight");
  EmbeddingBagArgs args;
  args.mode = options.mode();
  args.scale_grad_by_freq = options.scale_grad_by_freq();
  args.sparse = options.sparse();
  args.include_last_offset = options.include_last_offset();
  if (options.padding_idx()) {
    if (weight.dim() < 1)
      throw ValueError(fmt::format("embedding_bag: 'weight' must be 2-D; got shape {} (0-D)",
                                   shape_string(weight.sizes())));
    args.padding_idx = normalize_padding_idx("embedding_bag", *options.padding_idx(), weight.size(0));
  }
  if (options.max_norm()) {
    // Everything is checked before the renorm writes to the table, so a call that
    // fails leaves the table as it was.
    core::check_embedding_bag("embedding_bag", weight, input, options.offsets(), options.per_sample_weights(), args);
    embedding_renorm_(weight, input, *options.max_norm(), options.norm_type());
  }
  return tg::embedding_bag(weight, input, options.offsets(), options.per_sample_weights(), args);
}

}  // namespace functional
}  // namespace tg::nn

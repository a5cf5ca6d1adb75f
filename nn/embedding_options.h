#pragma once
// The options of an embedding lookup, written once. F::EmbeddingFuncOptions,
// EmbeddingOptions and EmbeddingFromPretrainedOptions each derive from
// EmbeddingLookupOptions<Self>, which gives them the same chained setters and getters;
// a setter returns Self&, so a chain keeps the derived type:
//
//   EmbeddingOptions(10, 3).padding_idx(0)._weight(w)   // padding_idx from here, _weight from EmbeddingOptions
//
// A module hands its lookup options to the function whole, never field by field:
//
//   F::embedding(input, weight, F::EmbeddingFuncOptions().lookup(options.lookup()))
//
// An options class with more settings (a bag's mode, offsets) derives the same way
// and adds only its own.
#include <cstdint>
#include <optional>

#include "../core/tensor.h"

namespace tg::nn {

// The values, with torch.nn.Embedding's defaults.
struct EmbeddingLookup {
  std::optional<int64_t> padding_idx;  // this row gets no gradient; negative counts from the end
  std::optional<double> max_norm;      // rows looked up are first renormalised to at most this norm
  double norm_type = 2.0;              // the p of max_norm's p-norm
  bool scale_grad_by_freq = false;     // a row's gradient is divided by its count in the input
  bool sparse = false;                 // a leaf weight receives a sparse COO gradient
};

template <class Self>
class EmbeddingLookupOptions {
 public:
  Self& padding_idx(std::optional<int64_t> v) { lookup_.padding_idx = v; return self(); }
  Self& max_norm(std::optional<double> v) { lookup_.max_norm = v; return self(); }
  Self& norm_type(double v) { lookup_.norm_type = v; return self(); }
  Self& scale_grad_by_freq(bool v) { lookup_.scale_grad_by_freq = v; return self(); }
  Self& sparse(bool v) { lookup_.sparse = v; return self(); }
  const std::optional<int64_t>& padding_idx() const { return lookup_.padding_idx; }
  const std::optional<double>& max_norm() const { return lookup_.max_norm; }
  double norm_type() const { return lookup_.norm_type; }
  bool scale_grad_by_freq() const { return lookup_.scale_grad_by_freq; }
  bool sparse() const { return lookup_.sparse; }

  // All of them at once, to pass from one options class to another.
  const EmbeddingLookup& lookup() const { return lookup_; }
  Self& lookup(const EmbeddingLookup& v) { lookup_ = v; return self(); }

 private:
  Self& self() { return static_cast<Self&>(*this); }
  EmbeddingLookup lookup_;
};

// A bag's settings on top of the lookup's, with torch.nn.EmbeddingBag's defaults.
using tg::EmbeddingBagMode;
struct EmbeddingBagSettings {
  EmbeddingBagMode mode = EmbeddingBagMode::Mean;
  bool include_last_offset = false;  // offsets has one more entry: the end of the last bag
};

// The lookup options plus mode and include_last_offset: EmbeddingBagOptions,
// EmbeddingBagFromPretrainedOptions and F::EmbeddingBagFuncOptions derive from it.
template <class Self>
class EmbeddingBagLookupOptions : public EmbeddingLookupOptions<Self> {
 public:
  Self& mode(EmbeddingBagMode v) { bag_.mode = v; return static_cast<Self&>(*this); }
  Self& include_last_offset(bool v) { bag_.include_last_offset = v; return static_cast<Self&>(*this); }
  EmbeddingBagMode mode() const { return bag_.mode; }
  bool include_last_offset() const { return bag_.include_last_offset; }

  const EmbeddingBagSettings& bag() const { return bag_; }
  Self& bag(const EmbeddingBagSettings& v) { bag_ = v; return static_cast<Self&>(*this); }

 private:
  EmbeddingBagSettings bag_;
};

}  // namespace tg::nn

namespace tg::nn {

// A module's own options beyond the lookup: the table's size, a tensor to use as the
// weight, freezing and the dtype of a fresh table. Embedding's and EmbeddingBag's
// options derive from it, with Lookup = their lookup options base.
template <class Self, template <class> class Lookup>
class TableOptions : public Lookup<Self> {
 public:
  TableOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  Self& num_embeddings(int64_t v) { num_embeddings_ = v; return self(); }
  Self& embedding_dim(int64_t v) { embedding_dim_ = v; return self(); }
  // Use this tensor as the weight, sharing its storage (not copied, not re-initialised).
  Self& _weight(Tensor v) { weight_ = std::move(v); return self(); }
  // true: the weight does not require grad (PyTorch 2.x).
  Self& _freeze(bool v) { freeze_ = v; return self(); }
  // dtype of a fresh weight (PyTorch's factory keyword); default float32.
  Self& dtype(Dtype v) { dtype_ = v; return self(); }

  int64_t num_embeddings() const { return num_embeddings_; }
  int64_t embedding_dim() const { return embedding_dim_; }
  const Tensor& _weight() const { return weight_; }
  bool _freeze() const { return freeze_; }
  Dtype dtype() const { return dtype_; }

 private:
  Self& self() { return static_cast<Self&>(*this); }
  int64_t num_embeddings_;
  int64_t embedding_dim_;
  Tensor weight_;
  bool freeze_ = false;
  Dtype dtype_ = kFloat32;
};

// from_pretrained's options: the lookup options and freeze (default true).
template <class Self, template <class> class Lookup>
class FromPretrainedOptions : public Lookup<Self> {
 public:
  Self& freeze(bool v) { freeze_ = v; return static_cast<Self&>(*this); }
  bool freeze() const { return freeze_; }

 private:
  bool freeze_ = true;
};

}  // namespace tg::nn

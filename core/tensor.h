#pragma once
// tg::Tensor: a small handle (sizes, strides, offset, dtype) over shared storage.
//
//   tg::Tensor a = tg::zeros({2, 3});
//   tg::Tensor b = a;          // same storage: writing through b changes a
//   tg::Tensor c = a.clone();  // fresh storage: the only deep copy
//
// The handle is the one users see, as in libtorch: the data layer lives in core/,
// and the autograd state is an opaque block that only autograd/ looks inside.
// Member functions that record autograd history are defined in autograd/ops/,
// beside their backward rules; core/ defines the metadata and view plumbing.
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "dtype.h"
#include "error.h"
#include "storage.h"

namespace tg {

namespace autograd {
struct AutogradMeta;  // defined in autograd/meta.h
}

class Tensor;

// The parts of a sparse COO tensor: indices int64 (sparse_dim, nnz), values (nnz, dense...).
struct SparseParts {
  std::shared_ptr<struct TensorImpl> indices;
  std::shared_ptr<struct TensorImpl> values;
  bool coalesced = false;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;  // for a sparse tensor: empty, kept for its version counter
  Shape sizes;
  Shape strides;  // in elements
  int64_t offset = 0;
  Dtype dtype = kFloat32;
  // A view (view, select, narrow, expand, ...) shares its base's storage. Autograd
  // refuses in-place ops that would rewrite a view's history.
  bool is_view = false;
  // A C++ scalar operand (`x * 2.0`) wrapped as a 0-d tensor: it does not raise the
  // result dtype within its category, as a Python number does not in PyTorch.
  bool is_wrapped_number = false;
  std::unique_ptr<SparseParts> sparse;               // set only for sparse COO tensors
  std::shared_ptr<autograd::AutogradMeta> autograd;  // opaque to core/
};

// Nested initializer lists for tg::tensor: {1.f, 2.f}, {{1, 2}, {3, 4}}, true, 3.5.
class TensorInit {
 public:
  TensorInit(float v) : value_(v), kind_(Kind::Floating) {}
  TensorInit(double v) : value_(v), kind_(Kind::Floating) {}
  TensorInit(int v) : value_(v), kind_(Kind::Integer) {}
  TensorInit(long v) : value_(static_cast<double>(v)), kind_(Kind::Integer) {}
  TensorInit(long long v) : value_(static_cast<double>(v)), kind_(Kind::Integer) {}
  TensorInit(bool v) : value_(v), kind_(Kind::Boolean) {}
  TensorInit(std::initializer_list<TensorInit> items) : items_(items), kind_(Kind::List) {}

 private:
  friend Tensor tensor(const TensorInit&, std::optional<Dtype>);
  enum class Kind { Floating, Integer, Boolean, List };
  double value_ = 0;
  std::vector<TensorInit> items_;
  Kind kind_;
};

// A C++ number used as an operand (`x * 2.0`, `ids + 1`). Integers keep integer
// tensors integer; floating numbers promote them to float32, as Python numbers do.
struct Scalar {
  Scalar(double v) : value(v) {}
  Scalar(float v) : value(v) {}
  Scalar(int v) : value(v), is_integral(true) {}
  Scalar(long v) : value(static_cast<double>(v)), is_integral(true) {}
  Scalar(long long v) : value(static_cast<double>(v)), is_integral(true) {}
  Scalar(bool v) : value(v), is_bool(true) {}
  double value;
  bool is_integral = false;
  bool is_bool = false;
};

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() == false
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- metadata (core/tensor.cpp)
  bool defined() const { return impl_ != nullptr; }
  const Shape& sizes() const;
  int64_t size(int64_t dim) const;
  const Shape& strides() const;
  int64_t stride(int64_t dim) const;
  int64_t storage_offset() const;
  int64_t dim() const;
  int64_t numel() const;
  Dtype dtype() const;
  Dtype scalar_type() const { return dtype(); }
  bool is_contiguous() const;
  bool is_floating_point() const { return is_floating(dtype()); }
  bool is_sparse() const;
  uint32_t version() const;
  void bump_version() const;  // for kernels that write in place
  // Element access for kernels. T must match dtype() (checked: tg::TypeError).
  template <class T> T* data_ptr() const;
  void* raw_data() const;  // address of element 0 of this view
  template <class T> T item() const;
  template <class T> std::vector<T> to_vector() const;  // row-major copy
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- copies and conversions (autograd/ops/shape.cpp; differentiable)
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(Dtype dtype) const;
  Tensor detach() const;  // shares storage and version, drops history (core/tensor.cpp)

  // ---- views: share storage with *this (autograd/ops/view.cpp; differentiable)
  Tensor view(Shape shape) const;
  Tensor reshape(Shape shape) const;  // a view when the strides allow, else a copy
  Tensor flatten() const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor t() const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor permute(Shape dims) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor expand(Shape sizes) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }

  // ---- elementwise (autograd/ops/elementwise.cpp, autograd/ops/unary.cpp)
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor relu() const;
  Tensor logsigmoid() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor erf() const;
  // approximate: "none" (x * Phi(x) through erf) or "tanh"; tg::ValueError otherwise.
  Tensor gelu(std::string_view approximate = "none") const;
  Tensor softplus(double beta = 1.0, double threshold = 20.0) const;
  Tensor pow(double exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor clamp(std::optional<double> min, std::optional<double> max) const;
  Tensor clamp_min(double min) const { return clamp(min, std::nullopt); }
  Tensor clamp_max(double max) const { return clamp(std::nullopt, max); }
  Tensor add(const Tensor& other, double alpha = 1.0) const;
  Tensor sub(const Tensor& other, double alpha = 1.0) const;
  Tensor mul(const Tensor& other) const;
  Tensor div(const Tensor& other) const;
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;

  // ---- reductions (autograd/ops/reduce.cpp); dims may be negative
  Tensor sum() const;
  Tensor sum(int64_t dim, bool keepdim = false) const;
  Tensor sum(Shape dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(int64_t dim, bool keepdim = false) const;
  Tensor mean(Shape dims, bool keepdim = false) const;
  Tensor prod() const;
  Tensor prod(int64_t dim, bool keepdim = false) const;
  Tensor max() const;
  Tensor max(int64_t dim, bool keepdim = false) const;  // values; see tg::max_with_indices
  Tensor min() const;
  Tensor min(int64_t dim, bool keepdim = false) const;
  Tensor argmax() const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor argmin() const;
  Tensor argmin(int64_t dim, bool keepdim = false) const;
  Tensor norm(double p = 2.0) const;
  Tensor norm(double p, int64_t dim, bool keepdim = false) const;
  // Variance and standard deviation (autograd/ops/stats.cpp): the divisor is
  // N - correction (1: unbiased, the default; 0: biased; true / false as libtorch's
  // `unbiased` mean the same). std::nullopt for dims reduces over all elements.
  Tensor var() const;
  Tensor var(std::nullopt_t all, double correction, bool keepdim = false) const;
  Tensor var(int64_t dim, double correction = 1, bool keepdim = false) const;
  Tensor var(Shape dims, double correction = 1, bool keepdim = false) const;
  // x.var(false): libtorch's var(bool unbiased) over all elements (a template, so that
  // x.var(0) still means dim 0).
  template <class B> requires std::same_as<B, bool> Tensor var(B unbiased) const { return var(std::nullopt, unbiased); }
  Tensor std() const;
  Tensor std(std::nullopt_t all, double correction, bool keepdim = false) const;
  Tensor std(int64_t dim, double correction = 1, bool keepdim = false) const;
  Tensor std(Shape dims, double correction = 1, bool keepdim = false) const;
  template <class B> requires std::same_as<B, bool> Tensor std(B unbiased) const { return std(std::nullopt, unbiased); }

  // ---- sorting (autograd/ops/sort.cpp): NaN sorts as the largest value; the values
  // are differentiable, the int64 indices are not. dims may be negative.
  std::tuple<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false) const;
  // stable = true keeps equal elements in input order. Pass all three arguments: with
  // two, x.sort(true, 0) would pick the overload above, as in libtorch.
  std::tuple<Tensor, Tensor> sort(std::optional<bool> stable, int64_t dim, bool descending) const;
  Tensor argsort(int64_t dim = -1, bool descending = false) const;
  Tensor argsort(bool stable, int64_t dim, bool descending) const;
  // The k largest (largest = false: smallest) along dim, in order when sorted; equal
  // values come in PyTorch's order. tg::ValueError unless 0 <= k <= size(dim).
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;

  // ---- linear algebra and indexing (autograd/ops/matmul.cpp, autograd/ops/index.cpp)
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  // ---- gather, scatter, masks, running sums (autograd/ops/scatter.cpp, masked_fill.cpp,
  //      cumsum.cpp); dims may be negative; index is int64 or int32 with self's number of dims
  Tensor gather(int64_t dim, const Tensor& index) const;  // out[i][j] = self[index[i][j]][j] (dim 0)
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;  // out[index[i][j]][j] += src[i][j]
  Tensor& scatter_add_(int64_t dim, const Tensor& index, const Tensor& src);
  // mask: bool, broadcast with self; value: a number or a 0-d tensor (differentiable)
  Tensor masked_fill(const Tensor& mask, Scalar value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  Tensor& masked_fill_(const Tensor& mask, Scalar value);
  Tensor& masked_fill_(const Tensor& mask, const Tensor& value);
  // Running sums along dim; integer and bool inputs give int64 unless dtype is given.
  Tensor cumsum(int64_t dim, std::optional<Dtype> dtype = std::nullopt) const;

  // ---- in place: bump version() (autograd/ops/inplace.cpp)
  Tensor& add_(const Tensor& other, double alpha = 1.0);  // other may be sparse
  Tensor& add_(double value);
  Tensor& sub_(const Tensor& other, double alpha = 1.0);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double value);
  Tensor& div_(double value);
  Tensor& zero_();
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);
  Tensor& index_add_(int64_t dim, const Tensor& index, const Tensor& source, double alpha = 1.0);
  Tensor& clamp_(std::optional<double> min, std::optional<double> max);

  // ---- sparse COO (core/sparse.cpp)
  Tensor indices() const;
  Tensor values() const;
  int64_t _nnz() const;
  int64_t sparse_dim() const;
  int64_t dense_dim() const;
  Tensor coalesce() const;
  bool is_coalesced() const;
  Tensor to_dense() const;

  // ---- autograd (autograd/tensor_autograd.cpp)
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);
  bool is_leaf() const;
  // Undefined (defined() == false) until a backward reaches this tensor; never throws.
  Tensor grad() const;
  // Assign to set or clear the gradient, as in libtorch: p.mutable_grad() = g;
  Tensor& mutable_grad();
  void backward(const Tensor& gradient = {}, bool retain_graph = false) const;
  std::string grad_fn_name() const;  // "SigmoidBackward0"; "" for leaves
  // Keeps .grad for a non-leaf after backward, as Tensor.retain_grad() in PyTorch.
  void retain_grad() const;
  // A name shown by the tape printer and in error messages ("embedding.weight").
  void set_name(std::string name) const;
  std::string name() const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// ---- creation (core/creation.cpp)
Tensor tensor(const TensorInit& values, std::optional<Dtype> dtype = std::nullopt);
template <class T> Tensor from_vector(const std::vector<T>& values, Shape sizes);
template <class T> Tensor from_vector(const std::vector<T>& values);  // 1-d
Tensor scalar_tensor(double value, Dtype dtype = kFloat32);
Tensor empty(Shape sizes, Dtype dtype = kFloat32);
Tensor zeros(Shape sizes, Dtype dtype = kFloat32);
Tensor ones(Shape sizes, Dtype dtype = kFloat32);
Tensor full(Shape sizes, double value, Dtype dtype = kFloat32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor empty_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor arange(int64_t end, Dtype dtype = kInt64);
Tensor arange(int64_t start, int64_t end, int64_t step = 1, Dtype dtype = kInt64);
Tensor linspace(double start, double end, int64_t steps, Dtype dtype = kFloat32);
Tensor eye(int64_t n, Dtype dtype = kFloat32);

// ---- random creation (core/random.cpp): one generator, seeded by manual_seed
void manual_seed(uint64_t seed);
Tensor randn(Shape sizes, Dtype dtype = kFloat32);
Tensor rand(Shape sizes, Dtype dtype = kFloat32);
Tensor randint(int64_t low, int64_t high, Shape sizes, Dtype dtype = kInt64);
Tensor randint(int64_t high, Shape sizes, Dtype dtype = kInt64);
Tensor randperm(int64_t n, Dtype dtype = kInt64);

// ---- intra-op threads (core/parallel.cpp)
void set_num_threads(int num_threads);
int get_num_threads();

// ---- differentiable free functions (autograd/ops/*.cpp)
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, Scalar b);
Tensor operator+(Scalar a, const Tensor& b);
Tensor operator-(const Tensor& a, Scalar b);
Tensor operator-(Scalar a, const Tensor& b);
Tensor operator*(const Tensor& a, Scalar b);
Tensor operator*(Scalar a, const Tensor& b);
Tensor operator/(const Tensor& a, Scalar b);
Tensor operator/(Scalar a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, Scalar b);
Tensor operator!=(const Tensor& a, Scalar b);
Tensor operator<(const Tensor& a, Scalar b);
Tensor operator<=(const Tensor& a, Scalar b);
Tensor operator>(const Tensor& a, Scalar b);
Tensor operator>=(const Tensor& a, Scalar b);
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);  // (M, K) x (K) -> (M)
Tensor dot(const Tensor& a, const Tensor& b);  // (K) . (K) -> 0-d
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor softmax(const Tensor& a, int64_t dim);
Tensor log_softmax(const Tensor& a, int64_t dim);
Tensor gather(const Tensor& a, int64_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);
Tensor masked_fill(const Tensor& a, const Tensor& mask, Scalar value);
Tensor masked_fill(const Tensor& a, const Tensor& mask, const Tensor& value);
Tensor cumsum(const Tensor& a, int64_t dim, std::optional<Dtype> dtype = std::nullopt);
// int64 (index's shape..., num_classes) with a 1 at each class; index int64 or int32 with
// classes >= 0; num_classes = -1 takes the largest class + 1 (autograd/ops/scatter.cpp).
Tensor one_hot(const Tensor& index, int64_t num_classes = -1);
// (values, indices) of the maximum along dim, as torch.max(a, dim).
std::pair<Tensor, Tensor> max_with_indices(const Tensor& a, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> min_with_indices(const Tensor& a, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> sort(const Tensor& a, int64_t dim = -1, bool descending = false);
Tensor argsort(const Tensor& a, int64_t dim = -1, bool descending = false);
std::tuple<Tensor, Tensor> topk(const Tensor& a, int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true);
// Rows of weight (V, D) picked by int64/int32 indices of any shape S -> (S..., D), as
// at::embedding; padding_idx < 0 means none (autograd/ops/embedding.cpp).
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1,
                 bool scale_grad_by_freq = false, bool sparse = false);
// max_norm: rescales the referenced rows in place, unrecorded; bumps weight's version once.
const Tensor& embedding_renorm_(const Tensor& weight, const Tensor& indices, double max_norm, double norm_type);

// How embedding_bag reduces each bag of rows; Mean is PyTorch's default.
enum class EmbeddingBagMode { Sum, Mean, Max };
// The settings of one embedding_bag call besides its tensors.
struct EmbeddingBagArgs {
  EmbeddingBagMode mode = EmbeddingBagMode::Mean;
  bool scale_grad_by_freq = false;   // sum and mean only
  bool sparse = false;               // sum and mean only: a leaf weight gets a sparse COO gradient
  bool include_last_offset = false;  // offsets has B + 1 entries, the last one = indices.numel()
  int64_t padding_idx = -1;          // normalised to [0, V); < 0 means none
};
// Sums, means or maxima of bags of rows of weight (V, D), as at::embedding_bag, without
// gathering the rows: indices (B, N) with offsets undefined are B bags of N; 1-D
// indices (N) with 1-D offsets (B, or B + 1) are bags [offsets[b], offsets[b + 1]).
// per_sample_weights (indices' shape; Sum only) scale each row. Result (B, D); an
// empty bag gives zeros (autograd/ops/embedding_bag.cpp).
Tensor embedding_bag(const Tensor& weight, const Tensor& indices, const Tensor& offsets = {},
                     const Tensor& per_sample_weights = {}, const EmbeddingBagArgs& args = {});

// ---- sparse COO (core/sparse.cpp)
// indices: int64 (sparse_dim, nnz); values: (nnz, dense...); size: sparse dims then dense dims.
Tensor sparse_coo_tensor(const Tensor& indices, const Tensor& values, Shape size,
                         bool is_coalesced = false);

// ---- printing (core/print.cpp): PyTorch's layout
std::ostream& operator<<(std::ostream& out, const Tensor& t);
std::string to_string(const Tensor& t);
std::string shape_string(const Shape& shape);  // "[2, 3]"

}  // namespace tg

// tg::relu(x), tg::exp(x), ...: the unary methods as free functions.
#include "unary_functions.h"

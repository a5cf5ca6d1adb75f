#pragma once
// The graph that ops record: one Node per op application, edges to the nodes that
// produced its inputs. backward() (autograd/engine.cpp) walks it in reverse.
//
// Every node has one output; its apply() receives the gradient of that output and
// returns one gradient per input edge (undefined where the input needs none).
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../core/tensor.h"
#include "grad_mode.h"

namespace tg::autograd {

class Node;
using Gradients = std::vector<Tensor>;

// What an op's backward receives about one input: the node that produced it (its
// grad_fn, or the AccumulateGrad of a leaf; null when the input needs no gradient)
// and the dtype its gradient must have.
struct Edge {
  std::shared_ptr<Node> node;
  Dtype dtype = kFloat32;
};

struct SavedSlot;

class Node {
 public:
  Node(std::string_view name, std::vector<Edge> next_edges);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  std::string_view name() const { return name_; }
  const std::vector<Edge>& next_edges() const { return next_edges_; }
  // Creation order, which is forward execution order. Among the nodes that are
  // ready, the engine runs the latest-created first.
  uint64_t sequence_nr() const { return sequence_nr_; }
  bool is_released() const { return released_; }

  virtual Gradients apply(const Tensor& grad_out) = 0;
  // Frees what backward needed (saved tensors); called after a backward that does
  // not retain the graph. A released node refuses to run again.
  void release();
  virtual bool is_accumulator() const { return false; }

  // What the op produced and what it saved, for the tape printer (autograd/tape.h).
  const Shape& output_sizes() const { return output_sizes_; }
  Dtype output_dtype() const { return output_dtype_; }
  const std::vector<std::shared_ptr<const SavedSlot>>& saved() const { return saved_; }
  void set_output(const Tensor& out);
  void set_saved(std::vector<std::shared_ptr<const SavedSlot>> saved) { saved_ = std::move(saved); }
  // Marks input i as receiving a sparse COO gradient (drawn as such by to_dot).
  void mark_sparse_gradient(size_t input) { sparse_inputs_ |= uint64_t{1} << (input & 63); }
  bool sends_sparse_gradient(size_t input) const { return (sparse_inputs_ >> (input & 63)) & 1; }

  // Keeps the incoming gradient of this node's output in that tensor's .grad
  // (Tensor::retain_grad()).
  std::weak_ptr<TensorImpl> retained_output;

 protected:
  virtual void release_saved() {}

 private:
  std::string_view name_;  // always a string literal
  std::vector<Edge> next_edges_;
  uint64_t sequence_nr_;
  bool released_ = false;
  Shape output_sizes_;
  Dtype output_dtype_ = kFloat32;
  std::vector<std::shared_ptr<const SavedSlot>> saved_;
  uint64_t sparse_inputs_ = 0;
};

// An op's backward as a lambda: Gradients(const Tensor& grad_out).
template <class F> class LambdaNode final : public Node {
 public:
  LambdaNode(std::string_view name, std::vector<Edge> next_edges, F fn)
      : Node(name, std::move(next_edges)), fn_(std::move(fn)) {}
  Gradients apply(const Tensor& grad_out) override { return (*fn_)(grad_out); }

 protected:
  void release_saved() override { fn_.reset(); }

 private:
  std::optional<F> fn_;
};

// The sink for a leaf: adds the incoming gradient into the leaf's .grad following
// the dense/sparse rules of spec/embedding.md section 7.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const Tensor& leaf);
  Gradients apply(const Tensor& grad) override;
  bool is_accumulator() const override { return true; }
  // The leaf, or an undefined tensor once the leaf itself is gone.
  Tensor leaf() const { return Tensor(leaf_.lock()); }

 private:
  std::weak_ptr<TensorImpl> leaf_;
};

// A tensor kept for backward, with the version it had when saved. get() throws
// if an in-place op changed it since, because the gradient would silently be wrong.
// It keeps a detached alias (same storage, no history), so saved tensors never hold
// a graph alive and freeing a deep graph never recurses through them. The slot is
// shared with the node that records the op, so the tape printer can show it.
struct SavedSlot {
  Tensor data;
  uint32_t saved_version = 0;
  std::string_view producer;  // grad_fn name of the saved tensor, "" for a leaf
  // Identity of that grad_fn, for the tape printer to cross-reference; never dereferenced.
  const void* producer_id = nullptr;
  std::string leaf_name;  // the leaf's name (parameter name), if any
  const void* source = nullptr;  // the saved tensor's identity, to recognise an op's own output
};

class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& t);
  const Tensor& get() const;
  const Shape& sizes() const { return slot_->data.sizes(); }
  Dtype dtype() const { return slot_->data.dtype(); }
  bool defined() const { return slot_ != nullptr; }

 private:
  std::shared_ptr<SavedSlot> slot_;
};

// Thrown by SavedTensor::get(); the engine adds the node's name and rethrows as tg::Error.
struct SavedTensorModified {
  std::string message;
};

// True when grad mode is on and any input requires grad: the op must record.
bool should_record(std::initializer_list<std::reference_wrapper<const Tensor>> inputs);
// The same for a list of inputs (cat, stack).
bool should_record(const std::vector<Tensor>& inputs);

// The edge that a gradient for `t` should flow along.
Edge gradient_edge(const Tensor& t);

// Attaches `node` as out's grad_fn (out requires grad from now on), with the
// tensors saved since the last should_record() that said yes.
void set_history(const Tensor& out, std::shared_ptr<Node> node);

// Records an op: `out` gets a node whose backward is `fn`. Call it after
// should_record() said yes; `inputs` are in the order of fn's returned gradients.
template <class F>
Tensor record(std::string_view name, const Tensor& out,
              std::initializer_list<std::reference_wrapper<const Tensor>> inputs, F fn) {
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor& input : inputs) edges.push_back(gradient_edge(input));
  set_history(out, std::make_shared<LambdaNode<F>>(name, std::move(edges), std::move(fn)));
  return out;
}

// The same with inputs given as a vector (cat, stack).
template <class F>
Tensor record_many(std::string_view name, const Tensor& out, const std::vector<Tensor>& inputs, F fn) {
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor& input : inputs) edges.push_back(gradient_edge(input));
  set_history(out, std::make_shared<LambdaNode<F>>(name, std::move(edges), std::move(fn)));
  return out;
}

}  // namespace tg::autograd

#pragma once
// The graph that ops record: one Node per op application, edges to the nodes that
// produced its inputs. backward() (autograd/engine.cpp) walks it in reverse.
//
// Every node has one output; its apply() receives the gradient of that output and
// returns one gradient per input edge (undefined where the input needs none).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../core/tensor.h"
#include "grad_mode.h"
#include "tape_info.h"

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

  // What the instruments show about the op (Note [tape info] in autograd/tape_info.h);
  // empty for a leaf's sink. The engine never reads it.
  const TapeInfo& tape_info() const;
  // Made empty for record() to fill in place.
  TapeInfo& new_tape_info() { return tape_info_.emplace(); }

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
  std::optional<TapeInfo> tape_info_;
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

// A tensor kept for backward, with the version it had when saved. get() throws
// if an in-place op changed it since, because the gradient would silently be wrong.
// It keeps a detached alias (same storage, no history), so saved tensors never hold
// a graph alive and freeing a deep graph never recurses through them.
struct SavedSlot {
  Tensor data;
  uint32_t saved_version = 0;
  std::string_view producer;  // grad_fn name of the saved tensor, for get()'s error; "" for a leaf
};

struct RecordOptions;

class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& t);
  const Tensor& get() const;
  const Shape& sizes() const { return slot_->data.sizes(); }
  Dtype dtype() const { return slot_->data.dtype(); }
  bool defined() const { return slot_ != nullptr; }

 private:
  friend void note_output(TapeInfo& info, const Node& node, const Tensor& out, const RecordOptions& options);
  friend void note_saved_input(TapeInfo& info, const RecordOptions& options, const Tensor& input);
  std::shared_ptr<SavedSlot> slot_;
  // Which tensor was saved (identity only, never dereferenced): record() tells an
  // op's inputs from its output by it.
  const void* source_ = nullptr;
};

// Thrown by SavedTensor::get(); the engine adds the node's name and rethrows as tg::Error.
struct SavedTensorModified {
  std::string message;
};

// The tensors an op read, written as a braced list ({a, b}); cat and stack pass a
// std::vector<Tensor> instead.
using InputList = std::initializer_list<std::reference_wrapper<const Tensor>>;

// True when grad mode is on and any input requires grad: the op must record.
template <class Inputs = InputList> bool should_record(const Inputs& inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& input : inputs)
    if (input.requires_grad()) return true;
  return false;
}

// The edge that a gradient for `t` should flow along.
Edge gradient_edge(const Tensor& t);

// What an op declares about itself besides its inputs and backward, for the tape's
// instruments (Note [tape info]):
//   saved            every SavedTensor its backward captured, so print_tape can show
//                    them and a changed one's error can name the op that made it;
//   sparse_gradient  per input, whether the gradient it sends there is sparse COO
//                    (to_dot draws that edge dashed).
struct RecordOptions {
  std::initializer_list<SavedTensor> saved;
  std::initializer_list<bool> sparse_gradient;
};

// The steps of record(), in node.cpp: note_output fills the node's TapeInfo with the
// output and the saved tensors (marking the op's own output), note_saved_input marks
// those that are `input`, set_history attaches the node to `out`.
void note_output(TapeInfo& info, const Node& node, const Tensor& out, const RecordOptions& options);
void note_saved_input(TapeInfo& info, const RecordOptions& options, const Tensor& input);
void set_history(const Tensor& out, std::shared_ptr<Node> node);

// Records an op: `out` gets a node whose backward is `backward`, and requires grad
// from now on. Call it after should_record() said yes; `inputs` are in the order of
// the backward's returned gradients.
//
//   const SavedTensor y(out);
//   return record("TanhBackward0", out, {x}, [y](const Tensor& grad) -> Gradients {
//     return {grad * (1 - y.get() * y.get())};
//   }, {.saved = {y}});
template <class F, class Inputs = InputList>
Tensor record(std::string_view name, const Tensor& out, const Inputs& inputs, F backward,
              const RecordOptions& options = {}) {
  std::vector<Edge> edges;
  edges.reserve(std::size(inputs));
  for (const Tensor& input : inputs) edges.push_back(gradient_edge(input));
  auto node = std::make_shared<LambdaNode<F>>(name, std::move(edges), std::move(backward));
  TapeInfo& info = node->new_tape_info();
  note_output(info, *node, out, options);
  if (options.saved.size() != 0)
    for (const Tensor& input : inputs) note_saved_input(info, options, input);
  set_history(out, std::move(node));
  return out;
}

}  // namespace tg::autograd

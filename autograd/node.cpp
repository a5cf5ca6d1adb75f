#include "node.h"

#include <fmt/format.h>

#include "meta.h"

namespace tg::autograd {

namespace {
std::atomic<uint64_t> next_sequence_nr{0};
}

Node::Node(std::string_view name, std::vector<Edge> next_edges)
    : name_(name), next_edges_(std::move(next_edges)), sequence_nr_(next_sequence_nr++) {}

// Freeing a long chain through nested shared_ptr destructors would recurse once per
// node and overflow the stack for deep graphs (a 100k-step RNN). Detach the edges
// of nodes that this destructor is the last owner of and free them from a loop.
Node::~Node() {
  std::vector<std::shared_ptr<Node>> pending;
  for (Edge& edge : next_edges_)
    if (edge.node) pending.push_back(std::move(edge.node));
  while (!pending.empty()) {
    std::shared_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    if (node.use_count() != 1) continue;
    for (Edge& edge : node->next_edges_)
      if (edge.node) pending.push_back(std::move(edge.node));
  }
}

void Node::release() {
  if (is_accumulator()) return;  // a leaf's sink serves every graph that uses the leaf
  release_saved();
  released_ = true;
}

SavedTensor::SavedTensor(const Tensor& t) {
  if (!t.defined()) return;  // an op saves nothing for an input that needs no gradient
  data_ = t.detach();
  saved_version_ = t.version();
  if (const AutogradMeta* meta = find_meta(t); meta && meta->grad_fn) producer_ = meta->grad_fn->name();
}

SavedTensor::SavedTensor(const Tensor& output, std::string_view producer) : SavedTensor(output) {
  producer_ = producer;
}

const Tensor& SavedTensor::get() const {
  if (!data_.defined()) return data_;
  const uint32_t current = data_.version();
  if (current != saved_version_) {
    const std::string output_of = producer_.empty() ? "" : fmt::format(", which is output 0 of {},", producer_);
    throw SavedTensorModified{fmt::format(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        "[{} {}]{} is at version {}; expected version {} instead. Hint: clone() the tensor before the "
        "in-place op, or do the in-place op after backward()",
        legacy_type_name(data_.dtype()), shape_string(data_.sizes()), output_of, current, saved_version_)};
  }
  return data_;
}

bool should_record(std::initializer_list<std::reference_wrapper<const Tensor>> inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& input : inputs)
    if (input.requires_grad()) return true;
  return false;
}

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* meta = find_meta(t);
  if (meta == nullptr || !meta->requires_grad) return {nullptr, t.dtype()};
  if (meta->grad_fn) return {meta->grad_fn, t.dtype()};
  std::lock_guard lock(meta->accumulator_mutex);
  std::shared_ptr<Node> accumulator = meta->grad_accumulator.lock();
  if (!accumulator) {
    accumulator = std::make_shared<AccumulateGrad>(t);
    meta->grad_accumulator = accumulator;
  }
  return {accumulator, t.dtype()};
}

void set_history(const Tensor& out, std::shared_ptr<Node> node) {
  AutogradMeta& meta = meta_of(out);
  meta.requires_grad = true;
  meta.grad_fn = std::move(node);
}

}  // namespace tg::autograd

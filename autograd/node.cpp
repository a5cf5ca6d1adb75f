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
  saved_.clear();  // the tape printer's view of them too, or they would outlive backward
  released_ = true;
}

namespace {
// The slots saved by the op being recorded on this thread: should_record() starts
// the list, SavedTensor adds to it, set_history() hands it to the new node.
thread_local std::vector<std::shared_ptr<SavedSlot>> pending_saved;
}  // namespace

SavedTensor::SavedTensor(const Tensor& t) {
  if (!t.defined()) return;  // an op saves nothing for an input that needs no gradient
  auto slot = std::make_shared<SavedSlot>();
  slot->data = t.detach();
  slot->saved_version = t.version();
  slot->source = t.impl();
  if (const AutogradMeta* meta = find_meta(t)) {
    if (meta->grad_fn) {
      slot->producer = meta->grad_fn->name();
      slot->producer_id = meta->grad_fn.get();
    }
    slot->leaf_name = meta->name;
  }
  pending_saved.push_back(slot);
  slot_ = std::move(slot);
}


const Tensor& SavedTensor::get() const {
  static const Tensor undefined;
  if (!slot_) return undefined;
  const Tensor& data = slot_->data;
  const uint32_t current = data.version();
  if (current != slot_->saved_version) {
    const std::string output_of =
        slot_->producer.empty() ? "" : fmt::format(", which is output 0 of {},", slot_->producer);
    throw SavedTensorModified{fmt::format(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        "[{} {}]{} is at version {}; expected version {} instead. Hint: clone() the tensor before the "
        "in-place op, or do the in-place op after backward()",
        legacy_type_name(data.dtype()), shape_string(data.sizes()), output_of, current, slot_->saved_version)};
  }
  return data;
}

void Node::set_output(const Tensor& out) {
  output_sizes_ = out.sizes();
  output_dtype_ = out.dtype();
}

namespace {
template <class Inputs> bool any_input_requires_grad(const Inputs& inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& input : inputs)
    if (input.requires_grad()) {
      pending_saved.clear();
      return true;
    }
  return false;
}
}  // namespace

bool should_record(std::initializer_list<std::reference_wrapper<const Tensor>> inputs) {
  return any_input_requires_grad(inputs);
}

bool should_record(const std::vector<Tensor>& inputs) { return any_input_requires_grad(inputs); }

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* meta = find_meta(t);
  if (meta == nullptr || !meta->requires_grad) return {nullptr, t.dtype()};
  if (meta->grad_fn) return {meta->grad_fn, t.dtype()};
  return {meta->grad_accumulator, t.dtype()};
}

void set_history(const Tensor& out, std::shared_ptr<Node> node) {
  node->set_output(out);
  if (!pending_saved.empty()) {
    // An op that saved its own output did so before the output had a grad_fn:
    // this node is its producer (errors then say "output 0 of <node>").
    for (const auto& slot : pending_saved)
      if (slot->source == out.impl()) {
        slot->producer = node->name();
        slot->producer_id = node.get();
      }
    node->set_saved({pending_saved.begin(), pending_saved.end()});
    pending_saved.clear();
  }
  AutogradMeta& meta = meta_of(out);
  meta.requires_grad = true;
  meta.grad_fn = std::move(node);
}

}  // namespace tg::autograd

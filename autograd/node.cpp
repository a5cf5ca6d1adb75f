#include "node.h"

#include <fmt/format.h>

#include "meta.h"

namespace tg::autograd {

namespace {
// Per thread, as in PyTorch: the number only orders nodes of one graph, which one thread
// records, and a shared counter was one cache line every node creation of every Hogwild
// thread bounced between cores. A graph recorded by several threads still runs in
// dependency order; only ties among ready nodes may then break differently.
thread_local uint64_t next_sequence_nr = 0;
}  // namespace

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
  // The tape printer's view of the saved tensors goes too, or they would outlive backward.
  if (tape_info_) tape_info_->saved.clear();
  released_ = true;
}

const TapeInfo& Node::tape_info() const {
  static const TapeInfo none;
  return tape_info_ ? *tape_info_ : none;
}

SavedTensor::SavedTensor(const Tensor& t) {
  if (!t.defined()) return;  // an op saves nothing for an input that needs no gradient
  slot_ = std::make_shared<SavedSlot>();
  slot_->data = t.detach();
  slot_->saved_version = t.version();
  source_ = t.impl();
  if (const AutogradMeta* meta = find_meta(t); meta && meta->grad_fn) slot_->producer = meta->grad_fn->name();
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

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* meta = find_meta(t);
  if (meta == nullptr || !meta->requires_grad) return {nullptr, t.dtype()};
  if (meta->grad_fn) return {meta->grad_fn, t.dtype()};
  return {meta->grad_accumulator, t.dtype()};
}

// A saved tensor is the op's output, one of its inputs, or else a constant to the
// tape (indices, a mask). Undefined ones are left out: an op saves nothing for an
// input that needs no gradient.
void note_output(TapeInfo& info, const Node& node, const Tensor& out, const RecordOptions& options) {
  info.output_sizes = out.sizes();
  info.output_dtype = out.dtype();
  if (options.sparse_gradient.size() != 0)
    info.sparse_gradient.assign(options.sparse_gradient.begin(), options.sparse_gradient.end());
  if (options.saved.size() == 0) return;  // most ops: record() is on every op's path
  info.saved.reserve(options.saved.size());
  for (const SavedTensor& saved : options.saved) {
    if (!saved.defined()) continue;
    SavedInfo& entry = info.saved.emplace_back();
    entry.slot = saved.slot_;
    if (saved.source_ == out.impl()) {
      // Saved before the output had a grad_fn: this node is its producer, and a
      // changed output's error says "output 0 of <this node>".
      entry.producer = &node;
      saved.slot_->producer = node.name();
    }
  }
}

void note_saved_input(TapeInfo& info, const RecordOptions& options, const Tensor& input) {
  const AutogradMeta* meta = find_meta(input);
  if (meta == nullptr) return;  // no history and no name: a constant, as noted already
  for (const SavedTensor& saved : options.saved) {
    if (!saved.defined() || saved.source_ != input.impl()) continue;
    for (SavedInfo& entry : info.saved)
      if (entry.slot == saved.slot_ && entry.producer == nullptr) {
        entry.producer = meta->grad_fn.get();
        entry.leaf_name = meta->name;
      }
  }
}

void set_history(const Tensor& out, std::shared_ptr<Node> node) {
  AutogradMeta& meta = meta_of(out);
  meta.requires_grad = true;
  meta.grad_fn = std::move(node);
}

}  // namespace tg::autograd

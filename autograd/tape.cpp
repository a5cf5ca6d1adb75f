// The tape printer and the Graphviz view: read-only walks over a recorded graph.
// Both number things the same way as the backward trace (autograd/instruments.cpp):
// ops "#k" in forward order, leaves by parameter name, unnamed leaves leaf0, leaf1...
#include "tape.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "accumulate.h"
#include "meta.h"
#include "node.h"

namespace tg::autograd {

namespace {

using instruments::forward_name;
using instruments::TapeOrder;

std::string type_string(const Shape& sizes, Dtype dtype) {
  const std::string name = dtype_name(dtype);
  return fmt::format("{} {}", shape_string(sizes), name.substr(name.find('.') + 1));  // drop "torch."
}

std::string output_type(const Node& op) {
  return type_string(op.tape_info().output_sizes, op.tape_info().output_dtype);
}

std::string leaf_type(const Node& sink) {
  const Tensor leaf = static_cast<const AccumulateGrad&>(sink).leaf();
  return leaf.defined() ? type_string(leaf.sizes(), leaf.dtype()) : "(freed)";
}

struct Tape {
  TapeOrder order;
  std::vector<const Node*> ops;
  std::unordered_map<const void*, std::string> op_label;
  std::shared_ptr<Node> root;  // a leaf's sink may have no other owner
};

Tape build_tape(const Tensor& t) {
  Tape tape;
  if (!t.defined()) throw Error("tape: the tensor is undefined; expected a defined tensor");
  if (!t.requires_grad()) return tape;
  tape.root = gradient_edge(t).node;
  tape.order = instruments::forward_order({tape.root.get()});
  for (const Node* node : tape.order.nodes)
    if (!node->is_accumulator()) {
      tape.ops.push_back(node);
      tape.op_label[node] = tape.order.label_of(*node);
    }
  return tape;
}

// An input that needs no gradient has no node: it is a constant to the tape.
std::string input_label(const Node& owner, size_t i, const Tape& tape) {
  const Edge& edge = owner.next_edges()[i];
  if (!edge.node) return "constant";
  return tape.order.label_of(*edge.node);
}

// Where a saved tensor came from, and its value when it is small enough to read.
std::string saved_label(const SavedInfo& saved, const Node& owner, const Tape& tape) {
  const SavedSlot& slot = *saved.slot;
  std::string from;
  if (saved.producer == &owner) {
    from = "its output";
  } else if (saved.producer != nullptr) {
    // Looked up by identity, never dereferenced: the producer may be gone.
    const auto it = tape.op_label.find(saved.producer);
    from = it != tape.op_label.end() ? fmt::format("output of {}", it->second) : std::string(slot.producer);
  } else if (!saved.leaf_name.empty()) {
    from = fmt::format("'{}'", saved.leaf_name);
  } else {
    from = "constant";
  }
  std::string text = slot.data.numel() <= 4 && !slot.data.is_sparse()
                         ? fmt::format("{} = {}", from, instruments::values_string(slot.data))
                         : fmt::format("{} {}", from, type_string(slot.data.sizes(), slot.data.dtype()));
  if (slot.saved_version != 0) text += fmt::format(" (at version {})", slot.saved_version);
  return text;
}

struct Columns {
  size_t label = 2, name = 4, type = 10;
};

std::string op_lines(const Node& node, const Tape& tape, const Columns& width) {
  std::vector<std::string> inputs;
  for (size_t i = 0; i < node.next_edges().size(); ++i) inputs.push_back(input_label(node, i, tape));
  const std::string head = fmt::format("  {:<{}} {:<{}}  -> {:<{}}  ", tape.order.label_of(node), width.label,
                                       forward_name(node.name()), width.name,
                                       output_type(node), width.type);
  std::string text = fmt::format("{}reads {}", head, fmt::join(inputs, ", "));
  if (node.is_released()) text += "  [released by backward]";
  text += '\n';
  std::vector<std::string> saved;
  for (const SavedInfo& entry : node.tape_info().saved) saved.push_back(saved_label(entry, node, tape));
  if (!saved.empty()) text += fmt::format("{:{}}saved {}\n", "", head.size(), fmt::join(saved, ", "));
  return text;
}

std::string leaves_line(const Tape& tape) {
  std::vector<std::string> leaves;
  for (const Node* node : tape.order.nodes) {
    if (!node->is_accumulator()) continue;
    if (leaves.size() == 8) {
      leaves.push_back(fmt::format("... ({} in all)", tape.order.leaf_count));
      break;
    }
    leaves.push_back(fmt::format("{} {}", tape.order.label_of(*node), leaf_type(*node)));
  }
  return leaves.empty() ? "" : fmt::format("leaves: {}\n", fmt::join(leaves, ", "));
}

}  // namespace

std::string tape_string(const Tensor& t, size_t max_ops) {
  const Tape tape = build_tape(t);
  if (tape.ops.empty())
    return fmt::format("tape: empty (the tensor {})\n",
                       t.requires_grad() ? "is a leaf: no op made it" : "does not require grad: nothing was recorded");
  const size_t n = tape.ops.size();
  std::ostringstream out;
  out << fmt::format("tape: {} op{}, {} lea{}; forward order, backward runs it from the last op up\n", n,
                     n == 1 ? "" : "s", tape.order.leaf_count, tape.order.leaf_count == 1 ? "f" : "ves");
  out << leaves_line(tape);
  // A long tape: its two ends, and a count of each op in between.
  const bool summarise = n > max_ops;
  const size_t head = summarise ? max_ops / 2 : n, tail = summarise ? max_ops - head : 0;
  std::vector<const Node*> shown(tape.ops.begin(), tape.ops.begin() + head);
  shown.insert(shown.end(), tape.ops.end() - tail, tape.ops.end());
  Columns width;
  for (const Node* node : shown) {
    width.label = std::max(width.label, tape.order.label_of(*node).size());
    width.name = std::max(width.name, forward_name(node->name()).size());
    width.type = std::max(width.type, output_type(*node).size());
  }
  for (size_t i = 0; i < head; ++i) out << op_lines(*shown[i], tape, width);
  if (!summarise) return out.str();
  std::map<std::string, size_t> counts;
  for (size_t i = head; i < n - tail; ++i) ++counts[forward_name(tape.ops[i]->name())];
  std::vector<std::string> parts;
  for (const auto& [name, count] : counts) parts.push_back(fmt::format("{} x{}", name, count));
  out << fmt::format("  ... {} ops omitted (#{} to #{}): {}\n", n - head - tail, head, n - tail - 1,
                     fmt::join(parts, ", "));
  for (size_t i = head; i < shown.size(); ++i) out << op_lines(*shown[i], tape, width);
  return out.str();
}

std::vector<std::vector<std::string>> instruments::saved_strings(const TapeOrder& order) {
  Tape tape;
  for (const Node* node : order.nodes)
    if (!node->is_accumulator()) tape.op_label[node] = order.label_of(*node);
  std::vector<std::vector<std::string>> out(order.nodes.size());
  for (size_t k = 0; k < order.nodes.size(); ++k)
    if (!order.nodes[k]->is_accumulator())
      for (const SavedInfo& entry : order.nodes[k]->tape_info().saved)
        out[k].push_back(saved_label(entry, *order.nodes[k], tape));
  return out;
}

void print_tape(const Tensor& t, std::ostream& out) { out << tape_string(t); }
void print_tape(const Tensor& t) { print_tape(t, std::cout); }

std::string to_dot(const Tensor& t) {
  const Tape tape = build_tape(t);
  std::ostringstream out;
  out << "digraph tape {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
         "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  // Stable ids (op3, leaf1), so the text is the same on every run and diffs well.
  auto id = [&](const Node& node) {
    return fmt::format("{}{}", node.is_accumulator() ? "leaf" : "op", tape.order.index_of(node));
  };
  auto quoted = [](const std::string& label) {  // a parameter name may hold any character
    std::string escaped;
    for (char c : label) escaped += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return escaped;
  };
  for (const Node* node : tape.order.nodes) {
    if (node->is_accumulator()) {
      out << fmt::format("  {} [shape=ellipse, style=filled, fillcolor=\"#dbe9f6\", label=\"{}\\n{}\"];\n", id(*node),
                         quoted(tape.order.label_of(*node)), leaf_type(*node));
    } else {
      out << fmt::format("  {} [shape=box, label=\"{} {}\\n{}\\n{}\"];\n", id(*node), tape.order.label_of(*node),
                         forward_name(node->name()), node->name(), output_type(*node));
    }
  }
  for (const Node* node : tape.order.nodes) {
    const auto& edges = node->next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      if (!edges[i].node) continue;
      const bool sparse = node->tape_info().sends_sparse_gradient(i);
      out << fmt::format("  {} -> {}{};\n", id(*edges[i].node), id(*node),
                         sparse ? " [style=dashed, color=\"#c0392b\", label=\"sparse grad\"]" : "");
    }
  }
  out << "}\n";
  return out.str();
}

}  // namespace tg::autograd

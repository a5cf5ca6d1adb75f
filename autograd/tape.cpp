// The tape printer and the Graphviz view: read-only walks over a recorded graph.
#include "tape.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "meta.h"
#include "node.h"

namespace tg::autograd {

namespace {

// "LogSoftmaxBackward0" -> "log_softmax": the forward op a backward node stands for.
std::string forward_name(std::string_view node_name) {
  std::string_view base = node_name;
  while (!base.empty() && std::isdigit(static_cast<unsigned char>(base.back()))) base.remove_suffix(1);
  if (base.size() > 8 && base.substr(base.size() - 8) == "Backward") base.remove_suffix(8);
  std::string out;
  for (size_t i = 0; i < base.size(); ++i) {
    const char c = base[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

std::string type_string(const Shape& sizes, Dtype dtype) {
  std::string name = dtype_name(dtype);
  return fmt::format("{} {}", shape_string(sizes), name.substr(6));  // drop "torch."
}

std::string leaf_type(const Tensor& leaf) {
  return leaf.defined() ? type_string(leaf.sizes(), leaf.dtype()) : "(freed)";
}

struct Tape {
  std::vector<const Node*> order;                 // forward order, sinks included
  std::unordered_map<const Node*, size_t> op_index;   // ops only: #k
  std::unordered_map<const Node*, std::string> leaf_label;
  std::shared_ptr<Node> root;  // a leaf's sink may have no other owner
};

Tape build_tape(const Tensor& t) {
  Tape tape;
  if (!t.defined()) throw Error("tape: the tensor is undefined; expected a defined tensor");
  if (!t.requires_grad()) return tape;
  tape.root = gradient_edge(t).node;
  tape.order = instruments::forward_order({tape.root.get()});
  size_t ops = 0, unnamed = 0;
  for (const Node* node : tape.order) {
    if (!node->is_accumulator()) {
      tape.op_index[node] = ops++;
      continue;
    }
    const Tensor leaf = static_cast<const AccumulateGrad*>(node)->leaf();
    const std::string name = leaf.name();
    tape.leaf_label[node] = name.empty() ? fmt::format("leaf{}", unnamed++) : fmt::format("'{}'", name);
  }
  return tape;
}

std::string input_label(const Edge& edge, const Tape& tape) {
  if (!edge.node) return "(no grad)";
  if (edge.node->is_accumulator()) {
    const Tensor leaf = static_cast<const AccumulateGrad*>(edge.node.get())->leaf();
    return fmt::format("{} {}", tape.leaf_label.at(edge.node.get()), leaf_type(leaf));
  }
  return fmt::format("#{}", tape.op_index.at(edge.node.get()));
}

std::string saved_label(const SavedSlot& slot, const Node& owner, const Tape& tape) {
  std::string from;
  if (slot.producer_id == &owner) {
    from = " (its output)";
  } else if (auto it = tape.op_index.find(static_cast<const Node*>(slot.producer_id)); it != tape.op_index.end()) {
    from = fmt::format(" (output of #{})", it->second);
  } else if (!slot.leaf_name.empty()) {
    from = fmt::format(" ('{}')", slot.leaf_name);
  }
  return fmt::format("{} v{}{}", type_string(slot.data.sizes(), slot.data.dtype()), slot.saved_version, from);
}

std::string op_line(const Node& node, const Tape& tape) {
  std::vector<std::string> inputs;
  for (const Edge& edge : node.next_edges()) inputs.push_back(input_label(edge, tape));
  std::vector<std::string> saved;
  for (const auto& slot : node.saved()) saved.push_back(saved_label(*slot, node, tape));
  std::string line = fmt::format("  #{:<3} {:<12} -> {:<18} inputs: {}", tape.op_index.at(&node),
                                 forward_name(node.name()), type_string(node.output_sizes(), node.output_dtype()),
                                 fmt::join(inputs, ", "));
  if (!saved.empty()) line += fmt::format("  saved: {}", fmt::join(saved, ", "));
  if (node.is_released()) line += "  [released]";
  return line;
}

}  // namespace

std::string tape_string(const Tensor& t, size_t max_ops) {
  const Tape tape = build_tape(t);
  if (tape.order.empty())
    return fmt::format("tape: empty (the tensor {} has no history)\n",
                       t.requires_grad() ? "is a leaf" : "does not require grad");
  std::vector<const Node*> ops;
  for (const Node* node : tape.order)
    if (!node->is_accumulator()) ops.push_back(node);
  std::ostringstream out;
  out << fmt::format("tape: {} op{}, {} lea{}; backward runs it bottom to top\n", ops.size(),
                     ops.size() == 1 ? "" : "s", tape.leaf_label.size(), tape.leaf_label.size() == 1 ? "f" : "ves");
  if (ops.size() <= max_ops) {
    for (const Node* node : ops) out << op_line(*node, tape) << '\n';
    return out.str();
  }
  // A long tape: its two ends, and a count of each op in between.
  const size_t head = max_ops / 2, tail = max_ops - head;
  for (size_t i = 0; i < head; ++i) out << op_line(*ops[i], tape) << '\n';
  std::map<std::string, size_t> counts;
  for (size_t i = head; i < ops.size() - tail; ++i) ++counts[forward_name(ops[i]->name())];
  std::vector<std::string> parts;
  for (const auto& [name, count] : counts) parts.push_back(fmt::format("{} x{}", name, count));
  out << fmt::format("  ... {} ops omitted: {}\n", ops.size() - head - tail, fmt::join(parts, ", "));
  for (size_t i = ops.size() - tail; i < ops.size(); ++i) out << op_line(*ops[i], tape) << '\n';
  return out.str();
}

void print_tape(const Tensor& t, std::ostream& out) { out << tape_string(t); }
void print_tape(const Tensor& t) { print_tape(t, std::cout); }

std::string to_dot(const Tensor& t) {
  const Tape tape = build_tape(t);
  std::ostringstream out;
  out << "digraph tape {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10];\n";
  auto id = [&](const Node* node) {
    return node->is_accumulator() ? fmt::format("leaf_{}", static_cast<const void*>(node))
                                  : fmt::format("op{}", tape.op_index.at(node));
  };
  for (const Node* node : tape.order) {
    if (node->is_accumulator()) {
      const Tensor leaf = static_cast<const AccumulateGrad*>(node)->leaf();
      out << fmt::format("  {} [shape=ellipse, style=filled, fillcolor=\"#dbe9f6\", label=\"{}\\n{}\"];\n", id(node),
                         tape.leaf_label.at(node), leaf_type(leaf));
    } else {
      out << fmt::format("  {} [shape=box, label=\"#{} {}\\n{}\\n{}\"];\n", id(node), tape.op_index.at(node),
                         forward_name(node->name()), node->name(),
                         type_string(node->output_sizes(), node->output_dtype()));
    }
  }
  for (const Node* node : tape.order) {
    const auto& edges = node->next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      if (!edges[i].node) continue;
      const bool sparse = node->sends_sparse_gradient(i);
      out << fmt::format("  {} -> {}{};\n", id(edges[i].node.get()), id(node),
                         sparse ? " [style=dashed, label=\"sparse grad\"]" : "");
    }
  }
  out << "}\n";
  return out.str();
}

}  // namespace tg::autograd

// Backward tracing and anomaly detection: what the engine calls when a
// TraceBackwardGuard or DetectAnomalyGuard is alive on its thread, and the
// forward-order numbering that they share with the tape printer (autograd/tape.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <unordered_set>

#include "../core/layout.h"
#include "accumulate.h"
#include "meta.h"
#include "node.h"
#include "tape.h"

namespace tg::autograd {

namespace {
thread_local std::ostream* trace_out = nullptr;
thread_local bool anomaly_on = false;
thread_local instruments::StepObserver* observer = nullptr;
}  // namespace

// Values with 4 decimals (integers as they are), nested like the tensor: "[[0.1000, 0.2000], [0.3000, 0.4000]]".
std::string instruments::values_string(const Tensor& t) {
  const Tensor flat = core::contiguous(core::cast(t, kFloat64));
  const std::vector<double> v = flat.to_vector<double>();
  const bool integral = !is_floating(t.dtype());  // indices print as 3, not 3.0000
  auto number = [integral](double x) {
    if (integral) return fmt::format("{}", static_cast<int64_t>(x));
    return std::isnan(x) ? std::string("nan") : fmt::format("{:.4f}", x);
  };
  if (t.dim() == 0) return number(v.at(0));
  const int64_t inner = t.size(t.dim() - 1);
  const int64_t rows = inner == 0 ? 0 : static_cast<int64_t>(v.size()) / inner;
  auto row = [&](int64_t r) {
    std::vector<std::string> items;
    for (int64_t j = 0; j < inner; ++j) items.push_back(number(v[r * inner + j]));
    return fmt::format("[{}]", fmt::join(items, ", "));
  };
  if (t.dim() == 1) return row(0);
  std::vector<std::string> lines;
  for (int64_t r = 0; r < rows; ++r) lines.push_back(row(r));
  return fmt::format("[{}]", fmt::join(lines, ", "));  // deeper dims print flattened to rows
}

namespace {

std::string type_string(const Tensor& t) {
  const std::string dtype = dtype_name(t.dtype());
  return fmt::format("{} {}", shape_string(t.sizes()), dtype.substr(dtype.find('.') + 1));
}

}  // namespace

// Small tensors are shown by value, larger ones by shape: a trace stays readable.
// A sparse gradient is shown the way the optimizers read it: one line per entry,
// duplicates kept (see Note [uncoalesced sparse gradients] in core/sparse.cpp).
std::string instruments::show(const Tensor& t) {
  if (!t.defined()) return "(none)";
  if (t.is_sparse()) {
    const Tensor idx = t.indices(), vals = t.values();
    std::string text = fmt::format("sparse {}, {} entr{}{}", type_string(t), t._nnz(), t._nnz() == 1 ? "y" : "ies",
                                   t.is_coalesced() ? ", coalesced" : "");
    if (t._nnz() <= 8 && vals.numel() <= 64 && t.sparse_dim() == 1) {
      const std::vector<int64_t> rows = core::contiguous(idx).to_vector<int64_t>();
      for (int64_t k = 0; k < t._nnz(); ++k)
        text += fmt::format("\n        row {}: {}", rows[k], instruments::values_string(vals.select(0, k)));
    }
    return text;
  }
  if (t.numel() <= 8) return instruments::values_string(t);
  return type_string(t);
}

bool instruments::has_non_finite(const Tensor& t) {
  const Tensor values = t.is_sparse() ? t.values() : t;
  if (!is_floating(values.dtype())) return false;
  for (double v : core::contiguous(core::cast(values, kFloat64)).to_vector<double>())
    if (!std::isfinite(v)) return true;
  return false;
}

TraceBackwardGuard::TraceBackwardGuard() : TraceBackwardGuard(std::cout) {}

// The observer sees the backward alone: a trace or anomaly guard around the caller
// stays quiet (and cannot throw) until the observation ends.
instruments::ObserveBackwardGuard::ObserveBackwardGuard(StepObserver& step_observer)
    : previous_trace_(trace_out), previous_anomaly_(anomaly_on), previous_observer_(observer) {
  trace_out = nullptr;
  anomaly_on = false;
  observer = &step_observer;
}
instruments::ObserveBackwardGuard::~ObserveBackwardGuard() {
  trace_out = previous_trace_;
  anomaly_on = previous_anomaly_;
  observer = previous_observer_;
}

namespace instruments {

std::ostream* trace_stream() { return trace_out; }
void set_trace_stream(std::ostream* out) { trace_out = out; }
bool anomaly_enabled() { return anomaly_on; }
StepObserver* step_observer() { return observer; }
void set_anomaly_enabled(bool enabled) { anomaly_on = enabled; }

// "LogSoftmaxBackward0" -> "log_softmax".
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

TapeOrder forward_order(const std::vector<const Node*>& roots) {
  TapeOrder order;
  std::unordered_set<const Node*> seen;
  std::vector<const Node*> stack;
  for (const Node* root : roots)
    if (root && seen.insert(root).second) stack.push_back(root);
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    order.nodes.push_back(node);
    for (const Edge& edge : node->next_edges())
      if (edge.node && seen.insert(edge.node.get()).second) stack.push_back(edge.node.get());
  }
  // Sequence numbers are creation order, and an op is created after its inputs. A
  // leaf's sink is created with the leaf (requires_grad_), so leaves number in the
  // order the program made them: stable from run to run, unlike addresses.
  std::sort(order.nodes.begin(), order.nodes.end(),
            [](const Node* a, const Node* b) { return a->sequence_nr() < b->sequence_nr(); });
  for (const Node* node : order.nodes) {
    if (!node->is_accumulator()) {
      order.index_.push_back(order.op_count);
      order.labels.push_back(fmt::format("#{}", order.op_count++));
      continue;
    }
    const Tensor leaf = static_cast<const AccumulateGrad*>(node)->leaf();
    const std::string name = leaf.defined() ? leaf.name() : std::string();
    order.index_.push_back(order.leaf_count);
    order.labels.push_back(name.empty() ? fmt::format("leaf{}", order.leaf_count) : fmt::format("'{}'", name));
    ++order.leaf_count;
  }
  return order;
}

static size_t slot_of(const TapeOrder& order, const Node& node) {
  auto it = std::lower_bound(order.nodes.begin(), order.nodes.end(), &node, [](const Node* a, const Node* b) {
    return a->sequence_nr() < b->sequence_nr();
  });
  if (it == order.nodes.end() || *it != &node)
    throw Error(fmt::format("tape: node {} is not on this tape; expected a node behind the tensor", node.name()));
  return static_cast<size_t>(it - order.nodes.begin());
}

size_t TapeOrder::index_of(const Node& node) const { return index_[slot_of(*this, node)]; }
const std::string& TapeOrder::label_of(const Node& node) const { return labels[slot_of(*this, node)]; }

std::string describe(const Node& node, const TapeOrder& order) {
  if (node.is_accumulator()) return order.label_of(node);
  return fmt::format("{} {}", order.label_of(node), node.name());
}

void trace_node(std::ostream& out, const Node& node, const Tensor& grad_out, const std::vector<Tensor>& grads,
                const TapeOrder& order) {
  if (node.is_accumulator()) {
    out << fmt::format("accumulate into {}.grad: {}\n", describe(node, order), show(grad_out));
    return;
  }
  out << fmt::format("{} ({}): grad_out = {}\n", describe(node, order), forward_name(node.name()), show(grad_out));
  const auto& edges = node.next_edges();
  for (size_t i = 0; i < edges.size(); ++i) {
    if (!edges[i].node) continue;  // an input that needs no gradient gets none
    const Tensor sent = i < grads.size() ? grads[i] : Tensor();
    out << fmt::format("    -> input {} ({}): {}\n", i, describe(*edges[i].node, order), show(sent));
  }
}

void check_anomaly(const Node& node, const std::vector<Tensor>& grads, const TapeOrder& order) {
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined() || !has_non_finite(grads[i])) continue;
    throw Error("backward: anomaly detected: " + anomaly_message(node, i, order));
  }
}

std::string anomaly_message(const Node& node, size_t input, const TapeOrder& order) {
  const auto& edges = node.next_edges();
  const std::string target = input < edges.size() && edges[input].node ? describe(*edges[input].node, order) : "?";
  const TapeInfo& info = node.tape_info();
  const std::string dtype = dtype_name(info.output_dtype);
  return fmt::format(
      "{} returned NaN or Inf in its gradient for input {} ({}). It is op #{} of "
      "{} on the tape, recorded by the forward op {} (output {} {}); check that op's inputs "
      "(log of 0, division by 0, sqrt of a negative number, overflow)",
      node.name(), input, target, order.index_of(node), order.op_count, forward_name(node.name()),
      shape_string(info.output_sizes), dtype.substr(dtype.find('.') + 1));
}

}  // namespace instruments
}  // namespace tg::autograd

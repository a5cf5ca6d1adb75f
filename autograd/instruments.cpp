// Backward tracing and anomaly detection: what the engine calls when a
// TraceBackwardGuard or DetectAnomalyGuard is alive on its thread.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <unordered_map>
#include <unordered_set>

#include "../core/kernels.h"
#include "meta.h"
#include "node.h"
#include "tape.h"

namespace tg::autograd {

namespace {
thread_local std::ostream* trace_out = nullptr;
thread_local bool anomaly_on = false;

// Small tensors are shown by value, larger ones by shape: a trace stays readable.
std::string show(const Tensor& t) {
  if (!t.defined()) return "(none)";
  if (t.is_sparse()) {
    const Tensor idx = t.indices(), vals = t.values();
    std::string text = fmt::format("sparse {} nnz={}", shape_string(t.sizes()), t._nnz());
    if (t._nnz() <= 6 && vals.numel() <= 24) {
      const std::vector<int64_t> rows = idx.to_vector<int64_t>();
      const Tensor values = core::cast(vals, kFloat64);
      for (int64_t k = 0; k < t._nnz(); ++k)
        text += fmt::format("\n        row {}: {:.4f}", rows[k], fmt::join(values.select(0, k).reshape({-1}).to_vector<double>(), ", "));
    }
    return text;
  }
  if (t.numel() <= 8) return to_string(t.detach());
  return fmt::format("{} {}", shape_string(t.sizes()), dtype_name(t.dtype()));
}

bool has_non_finite(const Tensor& t) {
  const Tensor values = t.is_sparse() ? t.values() : t;
  if (!is_floating(values.dtype())) return false;
  for (double v : core::cast(values, kFloat64).to_vector<double>())
    if (!std::isfinite(v)) return true;
  return false;
}

size_t position(const Node& node, const std::vector<const Node*>& order) {
  size_t ops = 0;
  for (const Node* n : order) {
    if (n == &node) return ops;
    if (!n->is_accumulator()) ++ops;
  }
  return ops;
}
}  // namespace

TraceBackwardGuard::TraceBackwardGuard() : TraceBackwardGuard(std::cout) {}
TraceBackwardGuard::TraceBackwardGuard(std::ostream& out) : previous_(trace_out) { trace_out = &out; }
TraceBackwardGuard::~TraceBackwardGuard() { trace_out = previous_; }
DetectAnomalyGuard::DetectAnomalyGuard() : previous_(anomaly_on) { anomaly_on = true; }
DetectAnomalyGuard::~DetectAnomalyGuard() { anomaly_on = previous_; }

namespace instruments {

std::ostream* trace_stream() { return trace_out; }
bool anomaly_enabled() { return anomaly_on; }

std::vector<const Node*> forward_order(const std::vector<const Node*>& roots) {
  std::vector<const Node*> found;
  std::unordered_set<const Node*> seen;
  std::vector<const Node*> stack;
  for (const Node* root : roots)
    if (root && seen.insert(root).second) stack.push_back(root);
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    found.push_back(node);
    for (const Edge& edge : node->next_edges())
      if (edge.node && seen.insert(edge.node.get()).second) stack.push_back(edge.node.get());
  }
  // Sequence numbers are creation order, and an op is created after its inputs.
  std::sort(found.begin(), found.end(),
            [](const Node* a, const Node* b) { return a->sequence_nr() < b->sequence_nr(); });
  return found;
}

std::string describe(const Node& node, const std::vector<const Node*>& order) {
  if (node.is_accumulator()) {
    const Tensor leaf = static_cast<const AccumulateGrad&>(node).leaf();
    if (!leaf.defined()) return "leaf (freed)";
    const std::string name = leaf.name();
    return name.empty() ? fmt::format("leaf {}", shape_string(leaf.sizes())) : fmt::format("leaf '{}'", name);
  }
  return fmt::format("#{} {}", position(node, order), node.name());
}

void trace_node(std::ostream& out, const Node& node, const Tensor& grad_out, const std::vector<Tensor>& grads,
                const std::vector<const Node*>& order) {
  if (node.is_accumulator()) {
    out << fmt::format("accumulate into {}.grad: {}\n", describe(node, order), show(grad_out));
    return;
  }
  out << fmt::format("backward {}: grad_out = {}\n", describe(node, order), show(grad_out));
  const auto& edges = node.next_edges();
  for (size_t i = 0; i < edges.size(); ++i) {
    if (!edges[i].node) continue;
    const Tensor sent = i < grads.size() ? grads[i] : Tensor();
    out << fmt::format("    -> input {} ({}): {}\n", i, describe(*edges[i].node, order), show(sent));
  }
}

void check_anomaly(const Node& node, const std::vector<Tensor>& grads, const std::vector<const Node*>& order) {
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined() || !has_non_finite(grads[i])) continue;
    throw Error(fmt::format(
        "backward: DetectAnomalyGuard: {} (tape position #{} of {} ops) returned NaN or Inf in its gradient for "
        "input {}; the forward op that recorded it produced {} {}. Check that op's inputs (log of 0, division "
        "by 0, sqrt of a negative number, overflow)",
        node.name(), position(node, order),
        std::count_if(order.begin(), order.end(), [](const Node* n) { return !n->is_accumulator(); }), i, shape_string(node.output_sizes()),
        dtype_name(node.output_dtype())));
  }
}

}  // namespace instruments
}  // namespace tg::autograd

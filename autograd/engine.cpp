// The engine: order the graph, then run each node once all gradients for its output
// have arrived, latest-created first among the ready ones.
#include "engine.h"

#include <fmt/format.h>

#include <queue>
#include <unordered_map>

#include "../core/layout.h"
#include "accumulate.h"
#include "meta.h"
#include "node.h"
#include "tape.h"

namespace tg::autograd {

namespace {

// The engine's bookkeeping for one node in one run. It lives here, not on the
// node, so that two threads may run backward through graphs that share nodes
// (the AccumulateGrad of a shared embedding table).
struct Task {
  int dependencies = 0;  // gradients still to arrive
  Tensor grad;           // their sum so far
};

struct Run {
  std::unordered_map<Node*, Task> tasks;
  // Nodes whose incoming gradient is the answer (grad()); they are not applied.
  std::unordered_map<Node*, size_t> captures;
  std::vector<Tensor> captured;
  bool accumulate_into_leaves = true;
  // Instruments (autograd/tape.h): set when a guard is alive on this thread.
  std::ostream* trace = nullptr;
  bool detect_anomaly = false;
  instruments::TapeOrder order;  // forward order, for naming nodes by tape position
};

void count_dependencies(const std::vector<Node*>& roots, Run& run) {
  std::vector<Node*> stack;
  for (Node* root : roots)
    if (run.tasks.try_emplace(root).second) stack.push_back(root);
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const Edge& edge : node->next_edges()) {
      if (!edge.node) continue;
      auto [it, inserted] = run.tasks.try_emplace(edge.node.get());
      it->second.dependencies += 1;
      if (inserted) stack.push_back(edge.node.get());
    }
  }
}

Tensor seed_gradient(const Tensor& root, const Tensor& given) {
  if (given.defined()) {
    if (given.sizes() != root.sizes())
      throw ValueError(fmt::format("backward: the gradient has shape {} but the tensor has shape {}; "
                                   "expected equal shapes", shape_string(given.sizes()), shape_string(root.sizes())));
    return given;
  }
  if (root.numel() != 1)
    throw Error(fmt::format("backward: grad can be implicitly created only for scalar outputs, but the "
                            "tensor has shape {}; pass a gradient of that shape", shape_string(root.sizes())));
  return ones(root.sizes(), root.dtype());
}

Gradients apply_node(Node& node, const Tensor& grad) {
  if (node.is_released())
    throw Error(fmt::format("backward: trying to backward through the graph a second time: {} was released "
                            "by an earlier backward(); pass retain_graph = true to the first call",
                            node.name()));
  try {
    return node.apply(grad);
  } catch (const SavedTensorModified& modified) {
    throw Error(fmt::format("backward of {}: {}", node.name(), modified.message));
  }
}

// Runs one node on the sum of its incoming gradients and returns what it sends on.
Gradients visit(Node& node, const Tensor& grad, bool retain_graph, Run& run) {
  if (auto it = run.captures.find(&node); it != run.captures.end()) {
    run.captured[it->second] = add_gradients(run.captured[it->second], grad);
    if (node.is_accumulator()) return {};
  }
  if (auto retained = node.retained_output.lock()) {
    AutogradMeta& meta = meta_of(Tensor(retained));
    meta.grad = meta.grad.defined() ? add_gradients(meta.grad, grad) : core::clone(grad);
  }
  if (node.is_accumulator() && !run.accumulate_into_leaves) return {};
  Gradients grads = apply_node(node, grad);
  if (run.trace) instruments::trace_node(*run.trace, node, grad, grads, run.order);
  if (run.detect_anomaly) instruments::check_anomaly(node, grads, run.order);
  if (!retain_graph) node.release();
  return grads;
}

void execute(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots, bool retain_graph, Run& run) {
  if (!grad_roots.empty() && grad_roots.size() != roots.size())
    throw ValueError(fmt::format("backward: got {} gradients for {} tensors; expected one per tensor",
                                 grad_roots.size(), roots.size()));
  std::vector<Node*> root_nodes;
  std::vector<std::shared_ptr<Node>> keep_alive;  // a fresh AccumulateGrad has no other owner
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& root = roots[i];
    if (!root.requires_grad())
      throw Error(fmt::format("backward: element {} of tensors does not require grad and does not have a "
                              "grad_fn; expected a tensor computed from one with requires_grad = true", i));
    Edge edge = gradient_edge(root);
    root_nodes.push_back(edge.node.get());
    keep_alive.push_back(std::move(edge.node));
  }
  count_dependencies(root_nodes, run);
  run.trace = instruments::trace_stream();
  run.detect_anomaly = instruments::anomaly_enabled();
  if (run.trace || run.detect_anomaly)
    run.order = instruments::forward_order(std::vector<const Node*>(root_nodes.begin(), root_nodes.end()));
  for (size_t i = 0; i < roots.size(); ++i) {
    Task& task = run.tasks[root_nodes[i]];
    task.grad = add_gradients(task.grad, seed_gradient(roots[i], grad_roots.empty() ? Tensor() : grad_roots[i]));
  }

  auto later_first = [](Node* a, Node* b) { return a->sequence_nr() < b->sequence_nr(); };
  std::priority_queue<Node*, std::vector<Node*>, decltype(later_first)> ready(later_first);
  for (Node* node : root_nodes) {
    Task& task = run.tasks[node];
    if (task.dependencies == 0) {
      task.dependencies = -1;  // queued once, even if it is given twice as a root
      ready.push(node);
    }
  }

  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    Tensor grad = std::move(run.tasks[node].grad);
    // A node that no gradient reached still counts down its inputs' dependencies,
    // or a node fed by it and by another path would wait forever.
    const Gradients grads = grad.defined() ? visit(*node, grad, retain_graph, run) : Gradients{};
    const std::vector<Edge>& edges = node->next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      Node* next = edges[i].node.get();
      if (next == nullptr) continue;
      Task& next_task = run.tasks[next];
      if (i < grads.size() && grads[i].defined()) {
        Tensor g = grads[i];
        // A float32 input of a float64 op receives a float32 gradient.
        if (g.dtype() != edges[i].dtype && !g.is_sparse()) g = core::cast(g, edges[i].dtype);
        next_task.grad = add_gradients(next_task.grad, g);
      }
      if (--next_task.dependencies == 0) ready.push(next);
    }
  }
}

}  // namespace

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots, bool retain_graph) {
  NoGradGuard no_grad;  // backward formulas use the public ops; record nothing
  Run run;
  execute(roots, grad_roots, retain_graph, run);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph, bool allow_unused) {
  NoGradGuard no_grad;
  Run run;
  run.accumulate_into_leaves = false;
  std::vector<std::shared_ptr<Node>> keep_alive;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad())
      throw Error(fmt::format("grad: inputs[{}] does not require grad; expected tensors with "
                              "requires_grad = true", i));
    Edge edge = gradient_edge(inputs[i]);
    run.captures.emplace(edge.node.get(), i);
    keep_alive.push_back(std::move(edge.node));
  }
  run.captured.resize(inputs.size());
  execute(outputs, grad_outputs, retain_graph, run);
  if (!allow_unused)
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!run.captured[i].defined())
        throw Error(fmt::format("grad: inputs[{}] was not used in the graph; pass allow_unused = true to "
                                "get an undefined gradient for it", i));
  return std::move(run.captured);
}

}  // namespace tg::autograd

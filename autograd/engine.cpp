// The engine: order the graph, then run each node once all gradients for its output
// have arrived, latest-created first among the ready ones.
//
// Note [a ready queue, not a topological sort]
// A node may run once every gradient for its output has arrived, so backward needs
// some reverse topological order. Rather than sort the graph first and replay the
// sorted list, the engine counts, per node, the gradients still to arrive
// (count_dependencies) and runs whichever node's count has reached zero. Why:
// - The count is needed anyway: a node's incoming gradients are summed into one
//   buffer, which is handed to the node and dropped the moment the count says it is
//   complete.
// - Several roots need nothing special. backward({a, b}) and grad({outputs}, ...)
//   seed every root; counting runs over everything they reach together, so a root
//   that lies behind another root simply waits for the gradient from it too.
// - grad() reuses the same walk and only changes what happens at its inputs' nodes
//   (the arriving gradient is captured, and leaves' .grad is left alone).
// - A node that no gradient reached still counts its inputs down, so a node fed by
//   it and by another path is not left waiting.
// Among the ready nodes the latest-created runs first (a priority queue on
// Node::sequence_nr), as in PyTorch's engine: that is forward order reversed, the
// same on every run (unlike addresses), so a backward trace reads like the printed
// tape read upward.
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
  // grad(): its inputs' nodes, each with its position in `inputs`; the gradient
  // arriving there is the answer.
  std::unordered_map<Node*, size_t> captures;
  std::vector<Tensor> captured;
  bool accumulate_into_leaves = true;
  bool retain_graph = false;
  // Instruments (autograd/tape.h): set when a guard is alive on this thread.
  std::ostream* trace = nullptr;
  bool detect_anomaly = false;
  instruments::StepObserver* observer = nullptr;
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

// grad(): a gradient arriving at one of its inputs' nodes is (part of) the answer.
void capture(Node& node, const Tensor& grad, Run& run) {
  if (auto it = run.captures.find(&node); it != run.captures.end())
    run.captured[it->second] = add_gradients(run.captured[it->second], grad);
}

// Tensor::retain_grad(): a non-leaf keeps the gradient of its value in its .grad.
void retain_output_grad(Node& node, const Tensor& grad) {
  if (auto retained = node.retained_output.lock()) {
    AutogradMeta& meta = meta_of(Tensor(retained));
    meta.grad = meta.grad.defined() ? add_gradients(meta.grad, grad) : core::clone(grad);
  }
}

// The node's backward, shown and checked when an instrument's guard is alive.
Gradients run_node(Node& node, const Tensor& grad, const Run& run) {
  Gradients grads = apply_node(node, grad);
  if (run.trace) instruments::trace_node(*run.trace, node, grad, grads, run.order);
  if (run.observer) run.observer->step(node, grad, grads, run.order);
  if (run.detect_anomaly) instruments::check_anomaly(node, grads, run.order);
  if (!run.retain_graph) node.release();
  return grads;
}

// Runs one node on the sum of its incoming gradients and returns what it sends on.
// grad() stops at its inputs' nodes and never writes into a leaf's .grad.
Gradients visit(Node& node, const Tensor& grad, Run& run) {
  capture(node, grad, run);
  retain_output_grad(node, grad);
  if (node.is_accumulator() && !run.accumulate_into_leaves) return {};
  return run_node(node, grad, run);
}

// The nodes whose gradients are complete, the latest-created on top.
struct CreatedEarlier {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};
using ReadyQueue = std::priority_queue<Node*, std::vector<Node*>, CreatedEarlier>;

// Adds each gradient into the task of the input it belongs to; an input whose last
// gradient this was becomes ready.
void send(const Node& node, const Gradients& grads, Run& run, ReadyQueue& ready) {
  const std::vector<Edge>& edges = node.next_edges();
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

// The roots' nodes, each seeded with its gradient and counted, with the instruments
// switched on if a guard asks; `keep_alive` owns them for the walk.
std::vector<Node*> start(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots, Run& run,
                         std::vector<std::shared_ptr<Node>>& keep_alive) {
  if (!grad_roots.empty() && grad_roots.size() != roots.size())
    throw ValueError(fmt::format("backward: got {} gradients for {} tensors; expected one per tensor",
                                 grad_roots.size(), roots.size()));
  std::vector<Node*> root_nodes;
  for (size_t i = 0; i < roots.size(); ++i) {
    if (!roots[i].requires_grad())
      throw Error(fmt::format("backward: element {} of tensors does not require grad and does not have a "
                              "grad_fn; expected a tensor computed from one with requires_grad = true", i));
    Edge edge = gradient_edge(roots[i]);
    root_nodes.push_back(edge.node.get());
    keep_alive.push_back(std::move(edge.node));  // a fresh AccumulateGrad has no other owner
  }
  count_dependencies(root_nodes, run);
  run.trace = instruments::trace_stream();
  run.detect_anomaly = instruments::anomaly_enabled();
  run.observer = instruments::step_observer();
  if (run.trace || run.detect_anomaly || run.observer)
    run.order = instruments::forward_order(std::vector<const Node*>(root_nodes.begin(), root_nodes.end()));
  for (size_t i = 0; i < roots.size(); ++i) {
    Task& task = run.tasks[root_nodes[i]];
    task.grad = add_gradients(task.grad, seed_gradient(roots[i], grad_roots.empty() ? Tensor() : grad_roots[i]));
  }
  return root_nodes;
}

// The walk; see Note [a ready queue, not a topological sort].
void execute(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots, Run& run) {
  std::vector<std::shared_ptr<Node>> keep_alive;
  ReadyQueue ready;
  for (Node* root : start(roots, grad_roots, run, keep_alive)) {
    Task& task = run.tasks[root];
    if (task.dependencies == 0) {
      task.dependencies = -1;  // queued once, even if it is given twice as a root
      ready.push(root);
    }
  }
  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    Tensor grad = std::move(run.tasks[node].grad);
    // A node that no gradient reached still counts down its inputs' dependencies,
    // or a node fed by it and by another path would wait forever.
    send(*node, grad.defined() ? visit(*node, grad, run) : Gradients{}, run, ready);
  }
}

}  // namespace

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots, bool retain_graph) {
  NoGradGuard no_grad;  // backward formulas use the public ops; record nothing
  Run run;
  run.retain_graph = retain_graph;
  execute(roots, grad_roots, run);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph, bool create_graph,
                         bool allow_unused) {
  if (create_graph)
    throw Error("grad: create_graph = true asks for gradients that can be differentiated again, which tapegrad "
                "does not record (backward formulas run with recording off, on saved tensors detached from "
                "their history); expected create_graph = false");
  NoGradGuard no_grad;
  Run run;
  run.retain_graph = retain_graph;
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
  execute(outputs, grad_outputs, run);
  if (!allow_unused)
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!run.captured[i].defined())
        throw Error(fmt::format("grad: inputs[{}] was not used in the graph; pass allow_unused = true (the "
                                "sixth argument, after create_graph) to get an undefined gradient for it", i));
  return std::move(run.captured);
}

}  // namespace tg::autograd

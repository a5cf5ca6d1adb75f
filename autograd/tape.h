#pragma once
// Instruments that show the tape: what was recorded, what backward does with it.
//
//   tg::Tensor loss = (w * x + b).tanh().sum();
//   tg::autograd::print_tape(loss);                 // the recorded ops, in forward order
//   std::string dot = tg::autograd::to_dot(loss);   // Graphviz text
//   {
//     tg::autograd::TraceBackwardGuard trace;       // backward() narrates each step
//     tg::autograd::DetectAnomalyGuard anomaly;     // and stops at the first NaN/Inf
//     loss.backward();
//   }
//
// All four name things alike: ops by tape position (#0 is the first op the program
// ran), leaves by parameter name ('emb.weight', set by Module::register_parameter or
// Tensor::set_name), unnamed leaves as leaf0, leaf1... in order of creation. The
// output is deterministic, so docs/autograd.md shows it verbatim and a test checks it.
#include <iosfwd>
#include <string>
#include <vector>

#include "../core/tensor.h"
#include "grad_mode.h"

namespace tg::autograd {

class Node;

namespace instruments {
// The settings of TraceBackwardGuard (null: no trace) and DetectAnomalyGuard, this thread's.
std::ostream* trace_stream();
void set_trace_stream(std::ostream* out);
bool anomaly_enabled();
void set_anomaly_enabled(bool enabled);
}  // namespace instruments

// The ops recorded behind t in forward (execution) order: op name, output shape and
// dtype, which inputs it reads (earlier ops by position, leaves by name), what it
// saved for backward (values when 4 elements or fewer). A graph of more than `max_ops`
// ops is summarised: its first and last max_ops / 2 ops, and a count per op name
// of those in between.
std::string tape_string(const Tensor& t, size_t max_ops = 30);
void print_tape(const Tensor& t, std::ostream& out);
void print_tape(const Tensor& t);  // to std::cout

// Graphviz DOT text for the graph behind t: ops, leaves (with parameter names and
// shapes), edges in the direction data flows; sparse-gradient edges are dashed.
std::string to_dot(const Tensor& t);

// While one is alive on this thread, backward() prints each node as it runs: the
// gradient arriving, the gradients it sends to each input, and what accumulates into
// each leaf's .grad (sparse gradients as row/value pairs).
class TraceBackwardGuard
    : public ScopedSetting<std::ostream*, instruments::trace_stream, instruments::set_trace_stream> {
 public:
  TraceBackwardGuard();  // to std::cout
  explicit TraceBackwardGuard(std::ostream& out) : ScopedSetting(&out) {}
};

// While one is alive on this thread, backward() checks every gradient a node
// produces and throws tg::Error at the first NaN or Inf, naming the node, its
// position on the tape and the forward op that recorded it.
class DetectAnomalyGuard
    : public ScopedSetting<bool, instruments::anomaly_enabled, instruments::set_anomaly_enabled> {
 public:
  DetectAnomalyGuard() : ScopedSetting(true) {}
};

// ---- used by the engine (autograd/engine.cpp)
namespace instruments {
// The nodes behind some roots in forward (creation) order, leaf sinks included, with
// what the printers call them: ops by tape position "#k", leaves by parameter name
// ('emb.weight') or, unnamed, by number in order of creation (leaf0, leaf1, ...).
struct TapeOrder {
  std::vector<const Node*> nodes;
  std::vector<std::string> labels;  // parallel to nodes: "#3" or "'w'" or "leaf0"
  size_t op_count = 0;
  size_t leaf_count = 0;
  // Tape position of an op (or leaf number), and its label.
  size_t index_of(const Node& node) const;
  const std::string& label_of(const Node& node) const;

 private:
  friend TapeOrder forward_order(const std::vector<const Node*>& roots);
  std::vector<size_t> index_;  // parallel to nodes
};
TapeOrder forward_order(const std::vector<const Node*>& roots);
// "#3 TanhBackward0" for an op, "'w'" or "leaf0" for a leaf's sink.
std::string describe(const Node& node, const TapeOrder& order);
// "tanh" for "TanhBackward0": the forward op a backward node was recorded by.
std::string forward_name(std::string_view node_name);
// Values with 4 decimals, nested like the tensor: "[[0.1000, 0.2000], [0.3000, 0.4000]]".
std::string values_string(const Tensor& t);
void trace_node(std::ostream& out, const Node& node, const Tensor& grad_out, const std::vector<Tensor>& grads,
                const TapeOrder& order);
void check_anomaly(const Node& node, const std::vector<Tensor>& grads, const TapeOrder& order);
// What check_anomaly says after "backward: anomaly detected: ".
std::string anomaly_message(const Node& node, size_t input, const TapeOrder& order);
bool has_non_finite(const Tensor& t);
// A gradient as the trace shows it: values when 8 elements or fewer, else shape and dtype.
std::string show(const Tensor& t);
// The tape printer's text for what each op saved, per node of order.nodes (empty for leaves).
std::vector<std::vector<std::string>> saved_strings(const TapeOrder& order);

// A structured trace (autograd/html.cpp records the player's steps with it): while an
// ObserveBackwardGuard is alive on this thread, the engine calls step() after each
// node's backward, with the same arguments as trace_node, and no trace or anomaly
// guard of the caller's is active.
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual void step(const Node& node, const Tensor& grad_out, const std::vector<Tensor>& grads,
                    const TapeOrder& order) = 0;
};
class ObserveBackwardGuard {
 public:
  explicit ObserveBackwardGuard(StepObserver& observer);
  ~ObserveBackwardGuard();
  ObserveBackwardGuard(const ObserveBackwardGuard&) = delete;
  ObserveBackwardGuard& operator=(const ObserveBackwardGuard&) = delete;

 private:
  std::ostream* previous_trace_;
  bool previous_anomaly_;
  StepObserver* previous_observer_;
};
StepObserver* step_observer();
}  // namespace instruments

}  // namespace tg::autograd

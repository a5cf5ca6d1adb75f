// The player's steps: one backward from the page's root, observed node by node.
//
// Note [recording the backward for the page]
// The page replays the engine's real order, so to_html runs the engine: backward
// from the root with retain_graph = true (the user's own backward still works
// afterwards) under an ObserveBackwardGuard, which hands every node's gradients to
// the recorder in the order the engine runs them, the order TraceBackwardGuard
// prints. Each step keeps the trace's own text for that node (instruments::trace_node),
// so the page and a trace of the same graph say the same thing.
// Why a full backward and not grad(), which leaves .grad alone by design: grad() stops
// at the leaves' sinks, so the page would miss the accumulation steps the trace shows.
// Instead every .grad the run can touch (each leaf's, each retain_grad() tensor's) is
// taken out before the run and put back after it, as the same object: the run
// accumulates into fresh, empty gradients (so the page shows what this backward
// adds), and whoever holds the user's gradient sees it unchanged. Two consequences:
// to_html must not run while another thread runs backward into the same leaves, and
// a graph already freed by a backward without retain_graph cannot be replayed (the
// page then shows the graph and says so).
#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "../core/layout.h"
#include "accumulate.h"
#include "engine.h"
#include "grad_mode.h"
#include "html_internal.h"
#include "meta.h"
#include "node.h"
#include "tape.h"

namespace tg::autograd::html {

namespace {

using instruments::TapeOrder;

constexpr int64_t kMaxEntries = 32;  // sparse entries listed per gradient

double norm_of(const Tensor& t) {
  const Tensor dense = t.is_sparse() ? t.coalesce().values() : t;
  double sum = 0;
  for (double v : core::contiguous(core::cast(dense, kFloat64)).to_vector<double>()) sum += v * v;
  return std::sqrt(sum);
}

std::string entries_json(const Tensor& sparse, const char* rows_key, const char* values_key) {
  const std::vector<int64_t> rows = core::contiguous(sparse.indices()).to_vector<int64_t>();
  const Tensor values = sparse.values();
  std::vector<std::string> r, v;
  for (int64_t k = 0; k < std::min<int64_t>(sparse._nnz(), kMaxEntries); ++k) {
    const Tensor row = values.select(0, k);
    r.push_back(std::to_string(rows[static_cast<size_t>(k)]));
    v.push_back(json_string(row.numel() <= 8 ? instruments::values_string(row)
                                             : fmt::format("norm {:.4f}", norm_of(row))));
  }
  return fmt::format("\"{}\":[{}],\"{}\":[{}]", rows_key, fmt::join(r, ","), values_key, fmt::join(v, ","));
}

// A gradient for the player: the trace's text, its norm and, when sparse, its
// entries as they are (duplicates kept) and coalesced.
std::string gradient_json(const Tensor& g) {
  if (!g.defined()) return "null";
  const std::string dtype = dtype_name(g.dtype());
  std::string out = fmt::format("{{\"t\":{},\"norm\":{},\"shape\":{}", json_string(instruments::show(g)),
                                json_number(norm_of(g)),
                                json_string(fmt::format("{} {}", shape_string(g.sizes()),
                                                        dtype.substr(dtype.find('.') + 1))));
  if (g.is_sparse() && g.sparse_dim() == 1) {
    const Tensor merged = g.coalesce();
    out += fmt::format(",\"sp\":{{\"nnz\":{},\"cnnz\":{},{},{}}}", g._nnz(), merged._nnz(),
                       entries_json(g, "rows", "vals"), entries_json(merged, "crows", "cvals"));
  }
  return out + "}";
}

// Each .grad the recording run may write, taken out for the run and put back after.
class GradStash {
 public:
  explicit GradStash(const TapeOrder& order) {
    for (const Node* node : order.nodes) {
      Tensor holder = node->is_accumulator() ? static_cast<const AccumulateGrad*>(node)->leaf()
                                             : Tensor(node->retained_output.lock());
      if (!holder.defined()) continue;
      if (AutogradMeta* meta = find_meta(holder)) {
        kept_.push_back({holder, std::move(meta->grad)});
        meta->grad = Tensor();
      }
    }
  }
  ~GradStash() {
    for (auto& [holder, grad] : kept_) meta_of(holder).grad = std::move(grad);
  }
  GradStash(const GradStash&) = delete;
  GradStash& operator=(const GradStash&) = delete;

 private:
  std::vector<std::pair<Tensor, Tensor>> kept_;
};

class Recorder final : public instruments::StepObserver {
 public:
  Recorder(const std::unordered_map<const Node*, size_t>& page_id, const std::vector<bool>& shown,
           RecordedBackward& out)
      : page_id_(page_id), shown_(shown), out_(out) {}

  void step(const Node& node, const Tensor& grad_out, const std::vector<Tensor>& grads,
            const TapeOrder& order) override {
    std::ostringstream text;
    instruments::trace_node(text, node, grad_out, grads, order);
    const std::string trace = text.str();
    const std::string head = trace.substr(0, trace.find('\n'));
    const size_t id = page_id_.at(&node);
    long bad_input = -1;
    for (size_t i = 0; i < grads.size() && bad_input < 0; ++i)
      if (grads[i].defined() && instruments::has_non_finite(grads[i])) bad_input = static_cast<long>(i);
    if (bad_input >= 0 && out_.anomaly_step < 0) note_anomaly(node, static_cast<size_t>(bad_input), order);
    if (!shown_[id]) {  // inside the collapsed run: its line only, to keep the page small
      out_.steps.push_back(fmt::format("{{\"n\":{},\"head\":{}}}", id, json_string(head)));
      return;
    }
    std::string step = fmt::format("{{\"n\":{},\"head\":{},\"trace\":{},\"acc\":{},\"bad\":{},\"gin\":{}", id,
                                   json_string(head), json_string(trace), node.is_accumulator(), bad_input >= 0,
                                   gradient_json(grad_out));
    std::vector<std::string> sends;
    const auto& edges = node.next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      if (!edges[i].node) continue;
      sends.push_back(fmt::format("{{\"i\":{},\"to\":{},\"g\":{}}}", i, page_id_.at(edges[i].node.get()),
                                  gradient_json(i < grads.size() ? grads[i] : Tensor())));
    }
    step += fmt::format(",\"sends\":[{}]", fmt::join(sends, ","));
    if (node.is_accumulator()) {
      const Tensor leaf = static_cast<const AccumulateGrad&>(node).leaf();
      step += fmt::format(",\"grad\":{}", leaf.defined() ? gradient_json(leaf.grad()) : "null");
    }
    out_.steps.push_back(step + "}");
  }

 private:
  // The first non-finite gradient: the node that returned it and the forward op
  // that recorded it, with what that op read.
  void note_anomaly(const Node& node, size_t input, const TapeOrder& order) {
    out_.anomaly_step = static_cast<long>(out_.steps.size());
    std::vector<std::string> inputs;
    for (const Edge& edge : node.next_edges())
      inputs.push_back(json_string(edge.node ? instruments::describe(*edge.node, order) : "constant"));
    out_.anomaly = fmt::format(
        "{{\"step\":{},\"n\":{},\"input\":{},\"message\":{},\"op\":{},\"inputs\":[{}]}}", out_.anomaly_step,
        page_id_.at(&node), input, json_string(instruments::anomaly_message(node, input, order)),
        json_string(instruments::forward_name(node.name())), fmt::join(inputs, ","));
  }

  const std::unordered_map<const Node*, size_t>& page_id_;
  const std::vector<bool>& shown_;
  RecordedBackward& out_;
};

}  // namespace

RecordedBackward record_backward(const Tensor& root, const std::unordered_map<const Node*, size_t>& page_id,
                                 const std::vector<bool>& shown) {
  RecordedBackward out;
  const std::shared_ptr<Node> root_node = gradient_edge(root).node;
  const TapeOrder order = instruments::forward_order({root_node.get()});
  for (const Node* node : order.nodes)
    if (node->is_released()) {
      out.error = fmt::format("no player: the graph was freed by an earlier backward() ({} was released); call "
                              "to_html before backward, or pass retain_graph = true to that backward",
                              node->name());
      return out;
    }
  if (root.numel() != 1) {
    out.error = fmt::format("no player: the root has shape {}, and backward needs a scalar root to start from "
                            "ones; pass a scalar (a loss) to to_html",
                            shape_string(root.sizes()));
    return out;
  }
  GradStash stash(order);
  Recorder recorder(page_id, shown, out);
  instruments::ObserveBackwardGuard observe(recorder);
  try {
    backward({root}, {}, /*retain_graph=*/true);
  } catch (const Error& e) {
    out.error = fmt::format("the backward stopped after {} steps: {}", out.steps.size(), e.what());
  }
  return out;
}

}  // namespace tg::autograd::html

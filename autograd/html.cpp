// to_html (autograd/html.h): the graph and its recorded backward as one page. This
// file gathers what the page shows of each node and lays it out; the steps come from
// html_record.cpp, the page itself (HTML, CSS, JavaScript) from html_page.cpp.
#include "html.h"

#include <fmt/format.h>

#include <functional>

#include <cmath>
#include <map>
#include <set>

#include "../core/files.h"
#include "accumulate.h"
#include "html_internal.h"
#include "node.h"
#include "tape.h"

namespace tg::autograd {

namespace html {

std::string escaped(std::string_view text, const std::function<const char*(char)>& replacement) {
  std::string out;
  for (const char c : text)
    if (const char* with = replacement(c)) out += with;
    else out += c;
  return out;
}

std::string json_string(std::string_view text) {
  // '<' as \u003c: the text sits inside a <script> element, which "</script>" would end.
  static const auto replacement = [](char c) -> const char* {
    static constexpr const char* kControl[32] = {
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\u0008", "\\u0009", "\\n",     "\\u000b", "\\u000c", "\\u000d", "\\u000e", "\\u000f",
        "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
        "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"};
    if (c == '"') return "\\\"";
    if (c == '\\') return "\\\\";
    if (c == '<') return "\\u003c";
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 ? kControl[u] : nullptr;
  };
  return "\"" + escaped(text, replacement) + "\"";
}

// JSON has no NaN or Inf: those go as the strings the trace prints.
std::string json_number(double x) {
  if (std::isnan(x)) return "\"nan\"";
  if (std::isinf(x)) return x > 0 ? "\"inf\"" : "\"-inf\"";
  return fmt::format("{:.6g}", x);
}

}  // namespace html

namespace {

using html::json_string;
using instruments::TapeOrder;

constexpr double kCharWidth = 7.2, kLineHeight = 15, kPadding = 10;
constexpr size_t kSavedChars = 44;

std::string type_string(const Shape& sizes, Dtype dtype) {
  const std::string name = dtype_name(dtype);
  return fmt::format("{} {}", shape_string(sizes), name.substr(name.find('.') + 1));
}

html::Box box_for(const std::vector<std::string>& lines) {
  size_t chars = 0;
  for (const std::string& line : lines) chars = std::max(chars, line.size());
  return {static_cast<double>(chars) * kCharWidth + 2 * kPadding,
          static_cast<double>(lines.size()) * kLineHeight + kPadding, 0, 0};
}

// What the page draws: one box per op and leaf, or, for a long tape, its first and
// last max_ops / 2 ops (print_tape's summary) with the rest in one collapsed box.
struct PageGraph {
  TapeOrder order;
  std::vector<std::vector<std::string>> saved;  // parallel to order.nodes
  std::unordered_map<const Node*, size_t> page_id;
  std::vector<bool> shown;               // per page box: a real node, not the collapsed run
  std::vector<std::string> nodes_json;   // per page box, without its position
  std::vector<html::Box> boxes;
  struct Link {
    size_t from, to, input;
    bool sparse;
  };
  std::vector<Link> links;
};

std::string collapsed_counts(const std::vector<const Node*>& hidden_ops) {
  std::map<std::string, size_t> counts;
  for (const Node* op : hidden_ops) ++counts[instruments::forward_name(op->name())];
  std::vector<std::pair<size_t, std::string>> by_count;
  for (const auto& [name, count] : counts) by_count.push_back({count, name});
  std::stable_sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> parts;
  for (size_t k = 0; k < by_count.size() && k < 4; ++k)
    parts.push_back(fmt::format("{} x{}", by_count[k].second, by_count[k].first));
  if (by_count.size() > 4) parts.push_back(fmt::format("{} more kinds", by_count.size() - 4));
  return fmt::format("{}", fmt::join(parts, ", "));
}

PageGraph build_graph(const Tensor& root, size_t max_ops) {
  PageGraph g;
  g.order = instruments::forward_order({gradient_edge(root).node.get()});
  g.saved = instruments::saved_strings(g.order);
  const auto& nodes = g.order.nodes;
  // Which ops are drawn, and which leaves: a leaf is drawn when a drawn op reads it.
  std::vector<bool> visible(nodes.size(), true);
  const size_t n_ops = g.order.op_count;
  const bool summarise = n_ops > max_ops;
  const size_t head = summarise ? max_ops / 2 : n_ops, tail_start = summarise ? n_ops - (max_ops - head) : n_ops;
  std::unordered_map<const Node*, size_t> slot;
  for (size_t k = 0; k < nodes.size(); ++k) slot[nodes[k]] = k;
  std::vector<bool> read_by_drawn_op(nodes.size(), false);
  std::vector<const Node*> hidden_ops;
  for (size_t k = 0; k < nodes.size(); ++k) {
    if (nodes[k]->is_accumulator()) continue;
    const size_t index = g.order.index_of(*nodes[k]);
    visible[k] = index < head || index >= tail_start;
    if (!visible[k]) hidden_ops.push_back(nodes[k]);
    for (const Edge& edge : nodes[k]->next_edges())
      if (edge.node && visible[k]) read_by_drawn_op[slot[edge.node.get()]] = true;
  }
  size_t hidden_leaves = 0;
  for (size_t k = 0; k < nodes.size(); ++k)
    if (nodes[k]->is_accumulator() && !read_by_drawn_op[k] && summarise) {
      visible[k] = false;
      ++hidden_leaves;
    }
  // Boxes in creation order, so every edge goes from a lower box to a higher one
  // (html::layered_layout relies on it); the collapsed box sits where its first op was.
  long collapsed = -1;
  for (size_t k = 0; k < nodes.size(); ++k) {
    const Node& node = *nodes[k];
    if (!visible[k] && !node.is_accumulator() && collapsed < 0) {
      collapsed = static_cast<long>(g.boxes.size());
      const std::vector<std::string> lines = {
          fmt::format("... {} ops omitted (#{} to #{})", hidden_ops.size(), head, tail_start - 1),
          collapsed_counts(hidden_ops),
          hidden_leaves ? fmt::format("and {} leaves only they read", hidden_leaves) : std::string()};
      g.boxes.push_back(box_for(lines));
      g.shown.push_back(false);
      g.nodes_json.push_back(fmt::format("\"kind\":\"more\",\"label\":{},\"counts\":{},\"leaves\":{}",
                                         json_string(lines[0]), json_string(lines[1]), json_string(lines[2])));
    }
    if (!visible[k]) continue;
    g.page_id[&node] = g.boxes.size();
    g.shown.push_back(true);
    const std::string& label = g.order.labels[k];
    if (node.is_accumulator()) {
      const Tensor leaf = static_cast<const AccumulateGrad&>(node).leaf();
      const std::string type = leaf.defined() ? type_string(leaf.sizes(), leaf.dtype()) : "(freed)";
      g.boxes.push_back(box_for({label, type}));
      g.nodes_json.push_back(fmt::format("\"kind\":\"leaf\",\"label\":{},\"type\":{}", json_string(label),
                                         json_string(type)));
      continue;
    }
    const std::string fwd = instruments::forward_name(node.name());
    const std::string type = type_string(node.tape_info().output_sizes, node.tape_info().output_dtype);
    // What it saved, in one line the box can hold; the panel lists it in full.
    std::string saved_line = g.saved[k].empty() ? "" : fmt::format("saved {}", fmt::join(g.saved[k], ", "));
    if (saved_line.size() > kSavedChars) saved_line = saved_line.substr(0, kSavedChars - 3) + "...";
    std::vector<std::string> lines = {label + " " + fwd, std::string(node.name()), type};
    if (!saved_line.empty()) lines.push_back(saved_line);
    g.boxes.push_back(box_for(lines));
    std::vector<std::string> inputs, saved;
    for (const Edge& edge : node.next_edges())
      inputs.push_back(json_string(edge.node ? g.order.label_of(*edge.node) : "constant"));
    for (const std::string& s : g.saved[k]) saved.push_back(json_string(s));
    g.nodes_json.push_back(fmt::format(
        "\"kind\":\"op\",\"label\":{},\"name\":{},\"fwd\":{},\"type\":{},\"inputs\":[{}],\"saved\":[{}],"
        "\"savedLine\":{},\"released\":{}",
        json_string(label), json_string(node.name()), json_string(fwd), json_string(type), fmt::join(inputs, ","),
        fmt::join(saved, ","), json_string(saved_line), node.is_released()));
  }
  for (size_t k = 0; k < nodes.size(); ++k)
    if (!visible[k]) g.page_id[nodes[k]] = static_cast<size_t>(collapsed);
  // Edges in the direction data flows, input to op; one per input, as in to_dot,
  // except that the collapsed box gets one edge per neighbour.
  std::set<std::pair<size_t, size_t>> collapsed_links;
  for (const Node* node : nodes) {
    const auto& edges = node->next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      if (!edges[i].node) continue;
      const size_t from = g.page_id.at(edges[i].node.get()), to = g.page_id.at(node);
      if (from == to) continue;
      const bool touches_collapsed = !g.shown[from] || !g.shown[to];
      if (touches_collapsed && !collapsed_links.insert({from, to}).second) continue;
      g.links.push_back({from, to, i, node->tape_info().sends_sparse_gradient(i)});
    }
  }
  return g;
}

}  // namespace

std::string html_string(const Tensor& root, const HtmlOptions& options) {
  if (!root.defined()) throw Error("to_html: the tensor is undefined; expected a defined tensor with a graph");
  if (!root.requires_grad() || root.grad_fn_name().empty())
    throw Error(fmt::format("to_html: the tensor {}; expected a tensor computed by ops from one with "
                            "requires_grad = true", root.requires_grad() ? "is a leaf: no op made it"
                                                                         : "does not require grad: nothing was recorded"));
  if (options.max_ops < 2)
    throw ValueError(fmt::format("to_html: max_ops is {}; expected at least 2 (the first and last op)", options.max_ops));
  PageGraph g = build_graph(root, options.max_ops);
  const html::Layout layout = html::layered_layout(g.boxes, [&] {
    std::vector<std::pair<size_t, size_t>> edges;
    for (const auto& link : g.links) edges.push_back({link.from, link.to});
    return edges;
  }());
  std::vector<std::string> nodes, links;
  for (size_t id = 0; id < g.boxes.size(); ++id) {
    const html::Box& b = g.boxes[id];
    nodes.push_back(fmt::format("{{\"id\":{},{},\"x\":{:.1f},\"y\":{:.1f},\"w\":{:.1f},\"h\":{:.1f}}}", id,
                                g.nodes_json[id], b.x, b.y, b.w, b.h));
  }
  for (const auto& link : g.links)
    links.push_back(fmt::format("{{\"f\":{},\"t\":{},\"i\":{},\"sp\":{}}}", link.from, link.to, link.input, link.sparse));
  const html::RecordedBackward run = html::record_backward(root, g.page_id, g.shown);
  const std::string tape = tape_string(root);
  const std::string data = fmt::format(
      "{{\"title\":{},\"summary\":{},\"tape\":{},\"w\":{:.1f},\"h\":{:.1f},\"nodes\":[{}],\"edges\":[{}],"
      "\"steps\":[{}],\"anomaly\":{},\"error\":{}}}",
      json_string(options.title), json_string(tape.substr(0, tape.find(';'))), json_string(tape), layout.width,
      layout.height, fmt::join(nodes, ",\n"), fmt::join(links, ","), fmt::join(run.steps, ",\n"),
      run.anomaly.empty() ? "null" : run.anomaly, run.error.empty() ? "null" : json_string(run.error));
  return html::page(options.title, data);
}

void to_html(const Tensor& root, const std::string& path, HtmlOptions options) {
  const std::string text = html_string(root, options);
  AtomicFile out(path, "to_html");
  out.write(text);
  out.commit();
}

}  // namespace tg::autograd

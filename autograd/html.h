#pragma once
// One self-contained web page of a recorded graph, with a player that steps
// through its backward as the engine runs it.
//
//   tg::Tensor loss = (emb(words) - target).pow(2).sum();
//   tg::autograd::to_html(loss, "loss.html");   // open it in any browser; no network needed
//
// The page draws the graph top to bottom in forward order (leaves by parameter name,
// ops by tape position and backward name, as print_tape and the trace name them),
// lists what each op saved, dashes sparse-gradient edges as to_dot does, and replays
// the backward step by step: the node running, the gradient arriving, what it sends
// along each edge, what accumulates into each leaf's .grad (sparse gradients entry
// by entry, then coalesced). A backward that produces NaN or Inf opens at that node.
// The steps are those TraceBackwardGuard prints, recorded by to_html itself: see
// Note [recording the backward for the page] in autograd/html_record.cpp.
#include <cstddef>
#include <string>

#include "../core/tensor.h"

namespace tg::autograd {

struct HtmlOptions {
  std::string title = "tapegrad: the tape and its backward";
  // A tape of more ops is summarised as print_tape does: its first and last
  // max_ops / 2 ops are drawn, those in between collapse into one box with a count
  // per op name (the player still steps through them, by their trace line only).
  size_t max_ops = 200;
};

// Writes the page to `path` (atomically: core/files.h). `root` must be defined and
// have a recorded graph; its backward is replayed with an implicit gradient of ones,
// so it should be a scalar (otherwise the page shows the graph and says why there is
// no player). The graph is retained and every .grad is left as it was.
void to_html(const Tensor& root, const std::string& path, HtmlOptions options = {});
// The page's text, as to_html writes it.
std::string html_string(const Tensor& root, const HtmlOptions& options = {});

}  // namespace tg::autograd

#pragma once
// Shared by the parts of to_html (autograd/html.h): the recorded backward
// (html_record.cpp), the layered layout (html_layout.cpp), the page template
// (html_page.cpp) and the assembly (html.cpp).
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../core/tensor.h"

namespace tg::autograd {
class Node;
namespace html {

// A JSON string literal that is also safe inside <script>: "<" is escaped, so no
// parameter name can close the script element.
// text with each character `replacement` gives a replacement for (non-null) replaced.
std::string escaped(std::string_view text, const std::function<const char*(char)>& replacement);
std::string json_string(std::string_view text);
std::string json_number(double x);

// One step of the backward, as JSON for the player.
struct RecordedBackward {
  std::vector<std::string> steps;  // JSON objects, in the engine's order
  long anomaly_step = -1;          // the first step that produced NaN or Inf
  std::string anomaly;             // JSON object describing it, when there is one
  std::string error;               // why there is no player (empty when there is one)
};

// Runs backward from root (see Note [recording the backward for the page]). `page_id`
// maps each node to its box on the page; `shown` says whether the box is the node
// itself (otherwise it is the collapsed run, and the step keeps its trace line only).
RecordedBackward record_backward(const Tensor& root, const std::unordered_map<const Node*, size_t>& page_id,
                                 const std::vector<bool>& shown);

// A layered layout: boxes of the given sizes, edges from an earlier index to a later
// one, placed top to bottom; fills x, y (top-left corners) and the canvas size.
struct Box {
  double w = 0, h = 0, x = 0, y = 0;
};
struct Layout {
  double width = 0, height = 0;
};
Layout layered_layout(std::vector<Box>& boxes, const std::vector<std::pair<size_t, size_t>>& edges);

// The page, with its data (a JSON object) and title filled in.
std::string page(std::string_view title, std::string_view data_json);

}  // namespace html
}  // namespace tg::autograd

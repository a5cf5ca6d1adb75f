// The page's layout, computed here so the page needs no layout library.
//
// Note [a layered layout]
// Forward order reads top to bottom, so the boxes go in layers: an op one layer below
// the lowest of its inputs (the longest path from a leaf), a leaf or other source one
// layer above its first consumer (a bias used late is drawn next to its use, not at
// the top). Within a layer the boxes are ordered to shorten edges: a few sweeps that
// sort each layer by the mean x of its neighbours in the layer above (going down) or
// below (going up), the barycenter heuristic of Sugiyama-style drawings. Creation
// order breaks ties, so the same graph always gets the same picture. Long edges are
// drawn as curves straight across the layers between; no dummy nodes, which is enough
// for the tapes a page is for (print_tape's summary keeps big ones small).
#include <algorithm>
#include <numeric>

#include "html_internal.h"

namespace tg::autograd::html {

namespace {
constexpr double kGapX = 28, kGapY = 56, kMargin = 24;
constexpr int kSweeps = 4;

// Places each layer's boxes side by side, centred on x = 0.
void place_rows(std::vector<Box>& boxes, const std::vector<std::vector<size_t>>& layers) {
  for (const auto& layer : layers) {
    double total = -kGapX;
    for (size_t id : layer) total += boxes[id].w + kGapX;
    double x = -total / 2;
    for (size_t id : layer) {
      boxes[id].x = x;
      x += boxes[id].w + kGapX;
    }
  }
}

double centre(const Box& b) { return b.x + b.w / 2; }
}  // namespace

Layout layered_layout(std::vector<Box>& boxes, const std::vector<std::pair<size_t, size_t>>& edges) {
  const size_t n = boxes.size();
  std::vector<std::vector<size_t>> in(n), out(n);
  for (const auto& [from, to] : edges) {
    out[from].push_back(to);
    in[to].push_back(from);
  }
  // Layers: longest path from the sources (every edge goes from a lower index up),
  // then each source moved down next to its first consumer.
  std::vector<size_t> layer(n, 0);
  for (size_t v = 0; v < n; ++v)
    for (size_t u : in[v]) layer[v] = std::max(layer[v], layer[u] + 1);
  for (size_t v = 0; v < n; ++v) {
    if (!in[v].empty() || out[v].empty()) continue;
    size_t first = layer[out[v][0]];
    for (size_t w : out[v]) first = std::min(first, layer[w]);
    layer[v] = first - 1;
  }
  const size_t depth = n == 0 ? 0 : *std::max_element(layer.begin(), layer.end()) + 1;
  std::vector<std::vector<size_t>> layers(depth);
  for (size_t v = 0; v < n; ++v) layers[layer[v]].push_back(v);
  place_rows(boxes, layers);

  auto sweep = [&](bool down) {
    for (size_t k = 0; k < depth; ++k) {
      auto& row = layers[down ? k : depth - 1 - k];
      std::vector<double> key(n, 0);
      for (size_t v : row) {
        const auto& nb = down ? in[v] : out[v];
        if (nb.empty()) {
          key[v] = centre(boxes[v]);
          continue;
        }
        double sum = 0;
        for (size_t u : nb) sum += centre(boxes[u]);
        key[v] = sum / static_cast<double>(nb.size());
      }
      std::stable_sort(row.begin(), row.end(), [&](size_t a, size_t b) { return key[a] < key[b]; });
      place_rows(boxes, {row});
    }
  };
  for (int s = 0; s < kSweeps; ++s) sweep(s % 2 == 0);
  place_rows(boxes, layers);

  Layout result;
  double min_x = 0, max_x = 0, y = kMargin;
  for (const auto& row : layers) {
    double h = 0;
    for (size_t id : row) {
      boxes[id].y = y;
      h = std::max(h, boxes[id].h);
      min_x = std::min(min_x, boxes[id].x);
      max_x = std::max(max_x, boxes[id].x + boxes[id].w);
    }
    for (size_t id : row) boxes[id].y += (h - boxes[id].h) / 2;
    y += h + kGapY;
  }
  for (Box& b : boxes) b.x += kMargin - min_x;
  result.width = max_x - min_x + 2 * kMargin;
  result.height = y - kGapY + kMargin;
  return result;
}

}  // namespace tg::autograd::html

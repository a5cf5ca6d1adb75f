// Tour (docs/autograd.md, "Watching backward in a browser"): the tour's graphs as pages
// you can step through. One line per graph: tg::autograd::to_html(loss, "page.html").
// Run: ./build/examples/tour_08_html [output folder, default .]
//
// Writes, for the scalar of section 1, the embedding + SparseAdam step of sections 4
// and 6 and the NaN of section 7:
//   tour_<name>.html        the page
//   tour_<name>.trace.txt   what TraceBackwardGuard prints for the same backward
//   tour_<name>.tape.txt    what print_tape prints
// The browser test (tests/browser/check_pages.mjs) opens each page and checks that its
// player steps through exactly the lines of the trace.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <string>

#include <tapegrad/tapegrad.h>

namespace {

// The page first (to_html leaves the graph and every .grad as they were), then the
// program's own backward, traced to a file for the browser test.
void write_all(const tg::Tensor& loss, const std::string& dir, const std::string& name, const std::string& title) {
  const std::string base = fmt::format("{}/tour_{}", dir, name);
  tg::autograd::HtmlOptions options;
  options.title = title;
  tg::autograd::to_html(loss, base + ".html", options);
  std::ofstream(base + ".tape.txt") << tg::autograd::tape_string(loss);
  std::ofstream trace_file(base + ".trace.txt");
  {
    tg::autograd::TraceBackwardGuard trace(trace_file);
    loss.backward();
  }
  fmt::print("wrote {}.html (and .trace.txt, .tape.txt)\n", base);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";

  // Section 1: y = tanh(w x + b).
  tg::Tensor w = tg::tensor({0.5f}).requires_grad_();
  tg::Tensor b = tg::tensor({-0.25f}).requires_grad_();
  w.set_name("w");
  b.set_name("b");
  write_all((w * tg::tensor({2.0f}) + b).tanh().sum(), dir, "scalar", "Tour 1: y = tanh(w x + b)");

  // Sections 4 and 6: an embedding lookup with a repeated word, its sparse gradient,
  // then one SparseAdam step on it.
  const tg::Tensor table = tg::tensor({{0.f, 0.f}, {1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}, {7.f, 8.f}});
  tg::nn::Embedding emb(tg::nn::EmbeddingOptions(5, 2).sparse(true)._weight(table));
  const tg::Tensor diff = emb(tg::tensor({1, 3, 1})) - tg::full({3, 2}, 1.0);
  write_all((diff * diff).sum(), dir, "embedding", "Tour 4 and 6: an embedding lookup, its sparse gradient");
  tg::optim::SparseAdam adam(emb.parameters(), tg::optim::SparseAdamOptions(0.1));
  adam.step();
  std::cout << "weight after adam.step() (rows 1 and 3 moved):\n" << emb.weight.detach() << "\n";

  // Section 7: log(0) makes the backward divide 0 by 0; the page opens at that node.
  tg::Tensor x = tg::tensor({1.f, 0.f}).requires_grad_();
  x.set_name("x");
  write_all((x.log() * tg::tensor({1.f, 0.f})).sum(), dir, "anomaly", "Tour 7: a NaN in backward");
}

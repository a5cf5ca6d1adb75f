// Tour section 4 (docs/autograd.md): an embedding lookup and its sparse backward.
// Run: ./build/examples/tour_04_embedding          (add --dot for the graph as Graphviz text)
#include <iostream>
#include <string>

#include <tapegrad/tapegrad.h>

int main(int argc, char** argv) {
  // 5 words, 2 numbers each; fixed values so the tour prints the same on every machine.
  const tg::Tensor table = tg::tensor({{0.f, 0.f}, {1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}, {7.f, 8.f}});
  tg::nn::Embedding emb(tg::nn::EmbeddingOptions(5, 2).sparse(true)._weight(table));
  const tg::Tensor words = tg::tensor({1, 3, 1});  // word 1 appears twice
  const tg::Tensor target = tg::tensor({{1.f, 1.f}, {1.f, 1.f}, {1.f, 1.f}});
  tg::Tensor rows = emb(words);                              // (3, 2): rows 1, 3, 1 of the table
  tg::Tensor diff = rows - target;
  tg::Tensor loss = (diff * diff).sum();                     // sum of squared errors

  if (argc > 1 && std::string(argv[1]) == "--dot") {
    std::cout << tg::autograd::to_dot(loss);
    return 0;
  }
  tg::autograd::print_tape(loss);
  std::cout << "\nbackward, node by node:\n";
  {
    tg::autograd::TraceBackwardGuard trace;
    loss.backward();
  }
  const tg::Tensor g = emb.weight.grad();
  std::cout << "\nweight.grad is sparse: " << std::boolalpha << g.is_sparse() << ", " << g._nnz()
            << " entries for 3 lookups\nindices = " << g.indices() << "\nvalues =\n" << g.values() << "\n";
}

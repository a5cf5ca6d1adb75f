// Every example of the torch.nn.Embedding documentation page, line by line in C++.
// The printed tensors hold different numbers than the page's (another generator), in
// the same layout. Run: ./build/examples/embedding_docs
#include <iostream>

#include <tapegrad/tapegrad.h>

namespace nn = tg::nn;

namespace {

void print_parameter(const tg::Tensor& weight) { std::cout << "Parameter containing:\n" << weight << "\n"; }

void lookup() {
  std::cout << "# an Embedding module containing 10 tensors of size 3\n";
  nn::Embedding embedding(10, 3);
  std::cout << "# a batch of 2 samples of 4 indices each\n";
  const tg::Tensor input = tg::tensor({{1, 2, 4, 5}, {4, 3, 2, 9}});
  std::cout << embedding(input) << "\n\n";
}

void padding() {
  std::cout << "# example with padding_idx\n";
  nn::Embedding embedding(nn::EmbeddingOptions(10, 3).padding_idx(0));
  std::cout << embedding << "\n";
  const tg::Tensor input = tg::tensor({{0, 2, 0, 5}});
  std::cout << embedding(input) << "\n\n";
}

void change_pad_vector() {
  std::cout << "# example of changing `pad` vector\n";
  const int64_t padding_idx = 0;
  nn::Embedding embedding(nn::EmbeddingOptions(3, 3).padding_idx(padding_idx));
  print_parameter(embedding.weight);
  {
    tg::NoGradGuard no_grad;
    embedding.weight[padding_idx].copy_(tg::ones({3}));
  }
  print_parameter(embedding.weight);
  std::cout << "\n";
}

void from_pretrained() {
  std::cout << "# FloatTensor containing pretrained weights\n";
  const tg::Tensor weight = tg::tensor({{1.f, 2.3f, 3.f}, {4.f, 5.1f, 6.3f}});
  nn::Embedding embedding = nn::Embedding::from_pretrained(weight);
  std::cout << "# Get embeddings for index 1\n";
  const tg::Tensor input = tg::tensor({1});
  std::cout << embedding(input) << "\n\n";
}

void max_norm_needs_clone() {
  std::cout << "# with max_norm, forward modifies the weight in place: clone it for other uses\n";
  const int64_t n = 3, d = 5, m = 7;
  nn::Embedding embedding(nn::EmbeddingOptions(n, d).max_norm(1.0));
  const tg::Tensor W = tg::randn({m, d}).requires_grad_();
  const tg::Tensor idx = tg::tensor({1, 2});
  const tg::Tensor a = embedding.weight.clone().matmul(W.t());  // weight must be cloned for this to be differentiable
  const tg::Tensor b = embedding(idx).matmul(W.t());           // modifies weight in-place
  const tg::Tensor out = a.unsqueeze(0) + b.unsqueeze(1);
  const tg::Tensor loss = out.sigmoid().prod();
  loss.backward();
  std::cout << "loss = " << loss << "\nweight.grad() =\n" << embedding.weight.grad() << "\n";

  // The same without clone() fails at backward, naming the modified tensor.
  nn::Embedding unsafe(nn::EmbeddingOptions(n, d).max_norm(1.0));
  const tg::Tensor a2 = unsafe.weight.matmul(W.t());
  const tg::Tensor b2 = unsafe(idx).matmul(W.t());
  try {
    (a2.unsqueeze(0) + b2.unsqueeze(1)).sigmoid().prod().backward();
  } catch (const tg::Error& e) {
    std::cout << "without clone(): " << e.what() << "\n";
  }
}

}  // namespace

int main() {
  tg::manual_seed(0);
  lookup();
  padding();
  change_pad_vector();
  from_pretrained();
  max_norm_needs_clone();
}

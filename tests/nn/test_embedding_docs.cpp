// Every example of the torch.nn.Embedding documentation page, in C++ (the same
// programs as examples/embedding_docs.cpp, with their values checked).
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

using tg::nn::Embedding;
using tg::nn::EmbeddingOptions;

TEST_CASE("docs: a batch of 2 samples of 4 indices each gives (2, 4, 3) rows of the table") {
  Embedding embedding(10, 3);
  const tg::Tensor input = tg::tensor({{1, 2, 4, 5}, {4, 3, 2, 9}});
  const tg::Tensor out = embedding(input);
  CHECK(out.sizes() == tg::Shape{2, 4, 3});
  CHECK(out[0][2].to_vector<float>() == embedding.weight[4].to_vector<float>());
  CHECK(out[1][0].to_vector<float>() == embedding.weight[4].to_vector<float>());
  CHECK(out[1][3].to_vector<float>() == embedding.weight[9].to_vector<float>());
  CHECK(out.grad_fn_name() == "EmbeddingBackward0");
}

TEST_CASE("docs: with padding_idx = 0 the padding positions read zeros") {
  Embedding embedding(EmbeddingOptions(10, 3).padding_idx(0));
  const tg::Tensor out = embedding(tg::tensor({{0, 2, 0, 5}}));
  CHECK(out[0][0].to_vector<float>() == std::vector<float>{0, 0, 0});
  CHECK(out[0][2].to_vector<float>() == std::vector<float>{0, 0, 0});
  CHECK(out[0][1].to_vector<float>() == embedding.weight[2].to_vector<float>());
}

TEST_CASE("docs: the pad vector can be changed under no-grad") {
  const int64_t padding_idx = 0;
  Embedding embedding(EmbeddingOptions(3, 3).padding_idx(padding_idx));
  CHECK(embedding.weight[padding_idx].to_vector<float>() == std::vector<float>{0, 0, 0});
  const auto row1 = embedding.weight[1].to_vector<float>();
  {
    tg::NoGradGuard no_grad;
    embedding.weight[padding_idx].copy_(tg::ones({3}));
  }
  CHECK(embedding.weight[0].to_vector<float>() == std::vector<float>{1, 1, 1});
  CHECK(embedding.weight[1].to_vector<float>() == row1);
  CHECK(embedding.weight.requires_grad());
}

TEST_CASE("docs: from_pretrained looks up row 1 of the given weights") {
  const tg::Tensor weight = tg::tensor({{1.f, 2.3f, 3.f}, {4.f, 5.1f, 6.3f}});
  Embedding embedding = Embedding::from_pretrained(weight);
  CHECK(embedding(tg::tensor({1})).to_vector<float>() == std::vector<float>{4.f, 5.1f, 6.3f});
}

TEST_CASE("docs: with max_norm the weight must be cloned before another differentiable use") {
  const int64_t n = 3, d = 5, m = 7;
  const tg::Tensor idx = tg::tensor({1, 2});
  {
    Embedding embedding(EmbeddingOptions(n, d).max_norm(1.0));
    const tg::Tensor W = tg::randn({m, d}).requires_grad_();
    const tg::Tensor a = embedding.weight.matmul(W.t());  // saves the weight
    const tg::Tensor b = embedding(idx).matmul(W.t());   // modifies the weight in place
    const tg::Tensor out = a.unsqueeze(0) + b.unsqueeze(1);
    const tg::Tensor loss = out.sigmoid().prod();
    CHECK_THROWS_WITH_AS(loss.backward(), doctest::Contains("modified by an inplace operation: [torch.FloatTensor [3, 5]]"),
                         tg::Error);
  }
  Embedding embedding(EmbeddingOptions(n, d).max_norm(1.0));
  const tg::Tensor W = tg::randn({m, d}).requires_grad_();
  const tg::Tensor a = embedding.weight.clone().matmul(W.t());  // weight must be cloned for this to be differentiable
  const tg::Tensor b = embedding(idx).matmul(W.t());           // modifies weight in-place
  const tg::Tensor out = a.unsqueeze(0) + b.unsqueeze(1);
  const tg::Tensor loss = out.sigmoid().prod();
  loss.backward();
  REQUIRE(embedding.weight.grad().defined());
  CHECK(embedding.weight.grad().sizes() == tg::Shape{3, 5});
  REQUIRE(W.grad().defined());
  // every referenced row now has norm <= 1
  for (int64_t r : {1, 2}) CHECK(embedding.weight[r].norm().item<float>() <= 1.0f);
}

TEST_CASE("Linear computes x W^T + b and passes gradcheck") {
  tg::nn::Linear fc(tg::nn::LinearOptions(2, 3).dtype(tg::kFloat64));
  {
    tg::NoGradGuard no_grad;
    fc.weight.copy_(tg::tensor({{1., 2.}, {3., 4.}, {5., 6.}}, tg::kFloat64));
    fc.bias.copy_(tg::tensor({0.5, -0.5, 1.0}, tg::kFloat64));
  }
  const tg::Tensor y = fc(tg::tensor({{1., -1.}}, tg::kFloat64));
  CHECK(y.to_vector<double>() == std::vector<double>{-0.5, -1.5, 0.0});
  const tg::Tensor x = tg::randn({4, 2}, tg::kFloat64).requires_grad_();
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) { return tg::nn::functional::linear(in[0], in[1], in[2]); },
      {x, fc.weight, fc.bias}));
}

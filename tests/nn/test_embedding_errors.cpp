// PyTorch's error catalogue for Embedding (docs/embedding.md): one test per row, checking the
// kind and the part of the message a user relies on.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

namespace F = tg::nn::functional;
using tg::nn::Embedding;
using tg::nn::EmbeddingOptions;

TEST_CASE("padding_idx >= num_embeddings or < -num_embeddings is a ValueError in module, functional and from_pretrained") {
  const auto text = doctest::Contains("Padding_idx must be within num_embeddings");
  CHECK_THROWS_WITH_AS(Embedding(EmbeddingOptions(10, 3).padding_idx(10)), text, tg::ValueError);
  CHECK_THROWS_WITH_AS(Embedding(EmbeddingOptions(10, 3).padding_idx(-11)), text, tg::ValueError);
  CHECK_THROWS_WITH_AS(F::embedding(tg::tensor({1}), tg::ones({10, 3}), F::EmbeddingFuncOptions().padding_idx(12)),
                       doctest::Contains("padding_idx = 12 is out of range; expected -10 <= padding_idx < 10"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(
      Embedding::from_pretrained(tg::ones({2, 3}), tg::nn::EmbeddingFromPretrainedOptions().padding_idx(2)), text,
      tg::ValueError);
  CHECK_NOTHROW(Embedding(EmbeddingOptions(10, 3).padding_idx(-10)));
}

TEST_CASE("padding_idx 0 with num_embeddings 0 raises instead of zeroing a missing row") {
  CHECK_THROWS_AS(Embedding(EmbeddingOptions(0, 3).padding_idx(0)), tg::ValueError);
  CHECK(Embedding(0, 3).weight.sizes() == tg::Shape{0, 3});
}

TEST_CASE("a bad padding_idx is reported before a bad index or a float index") {
  CHECK_THROWS_AS(F::embedding(tg::tensor({1.5}), tg::ones({4, 2}),
                               F::EmbeddingFuncOptions().padding_idx(7).max_norm(1.0)),
                  tg::ValueError);
}

TEST_CASE("_weight of the wrong shape is a ValueError naming both shapes") {
  CHECK_THROWS_WITH_AS(Embedding(EmbeddingOptions(10, 3)._weight(tg::ones({3, 10}))),
                       doctest::Contains("Shape of _weight does not match num_embeddings and embedding_dim"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(Embedding(EmbeddingOptions(10, 3)._weight(tg::ones({3, 10}))),
                       doctest::Contains("_weight has shape [3, 10]; expected [10, 3]"), tg::ValueError);
}

TEST_CASE("from_pretrained with a tensor that is not 2-D is a ValueError") {
  CHECK_THROWS_WITH_AS(Embedding::from_pretrained(tg::ones({3})),
                       doctest::Contains("Embeddings parameter is expected to be 2-dimensional"), tg::ValueError);
  CHECK_THROWS_AS(Embedding::from_pretrained(tg::ones({2, 3, 4})), tg::ValueError);
}

TEST_CASE("float, bool and other non-integer indices are a TypeError naming the dtype, with or without max_norm") {
  const tg::Tensor w = tg::ones({4, 2});
  CHECK_THROWS_WITH_AS(F::embedding(tg::tensor({1.0f}), w), doctest::Contains("indices have dtype torch.float32"),
                       tg::TypeError);
  CHECK_THROWS_WITH_AS(F::embedding(tg::tensor({1.0}, tg::kFloat64), w, F::EmbeddingFuncOptions().max_norm(1.0)),
                       doctest::Contains("torch.float64 (torch.DoubleTensor); expected torch.int64"), tg::TypeError);
  CHECK_THROWS_AS(F::embedding(tg::tensor({true}), w), tg::TypeError);
  CHECK(w.to_vector<float>() == std::vector<float>(8, 1.0f));
}

TEST_CASE("an index out of range names its position, its value and num_embeddings") {
  Embedding emb(10, 3);
  CHECK_THROWS_WITH_AS(emb(tg::tensor({1, 2, 3, 10})),
                       doctest::Contains("embedding: indices[3] = 10 is out of range; expected [0, 10) for "
                                         "num_embeddings = 10"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(emb(tg::tensor({{1, 2}, {-1, 3}})), doctest::Contains("indices[1, 0] = -1 is out of range"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(emb(tg::tensor(12)), doctest::Contains("indices = 12 is out of range"), tg::IndexError);
}

TEST_CASE("an index out of range with max_norm is an IndexError too") {
  CHECK_THROWS_WITH_AS(F::embedding(tg::tensor({9}), tg::ones({4, 2}), F::EmbeddingFuncOptions().max_norm(1.0)),
                       doctest::Contains("indices[0] = 9 is out of range; expected [0, 4)"), tg::IndexError);
}

TEST_CASE("a weight that is not 2-D is a ValueError, with or without max_norm") {
  CHECK_THROWS_WITH_AS(F::embedding(tg::tensor({0}), tg::ones({4})), doctest::Contains("'weight' must be 2-D"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(F::embedding(tg::tensor({0}), tg::ones({4}), F::EmbeddingFuncOptions().max_norm(1.0)),
                       doctest::Contains("'weight' must be 2-D"), tg::ValueError);
}

TEST_CASE("sparse with scale_grad_by_freq works (PyTorch refuses it at backward)") {
  Embedding emb(EmbeddingOptions(4, 2).sparse(true).scale_grad_by_freq(true));
  emb(tg::tensor({1, 1, 2})).sum().backward();
  CHECK(emb.weight.grad().to_dense().to_vector<float>() == std::vector<float>{0, 0, 1, 1, 1, 1, 0, 0});
}

TEST_CASE("an integer weight cannot be a trainable module weight") {
  CHECK_THROWS_WITH_AS(Embedding(EmbeddingOptions(3, 2).dtype(tg::kInt64)),
                       doctest::Contains("only tensors of floating point dtype can require gradients"), tg::TypeError);
  CHECK_THROWS_AS(Embedding(EmbeddingOptions(3, 2)._weight(tg::ones({3, 2}, tg::kInt64))), tg::TypeError);
  // the functional form accepts it: no gradient is involved
  CHECK(F::embedding(tg::tensor({1}), tg::ones({3, 2}, tg::kInt64)).to_vector<int64_t>() == std::vector<int64_t>{1, 1});
}

TEST_CASE("negative sizes are a ValueError") {
  CHECK_THROWS_WITH_AS(Embedding(-1, 3), doctest::Contains("negative dimension"), tg::ValueError);
}

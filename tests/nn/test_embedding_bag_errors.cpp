// EmbeddingBag's errors: each names the bad value (the offset or index and its
// position) and what was expected, with a tg::Error kind a caller can catch.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

namespace F = tg::nn::functional;
using tg::nn::EmbeddingBag;
using tg::nn::EmbeddingBagMode;
using tg::nn::EmbeddingBagOptions;

namespace {

tg::Tensor bag_sum(const tg::Tensor& ids, const tg::Tensor& offsets, bool include_last_offset = false) {
  return F::embedding_bag(ids, tg::ones({10, 3}), F::EmbeddingBagFuncOptions()
                                                      .mode(EmbeddingBagMode::Sum)
                                                      .offsets(offsets)
                                                      .include_last_offset(include_last_offset));
}

}  // namespace

TEST_CASE("offsets that do not start at 0 name offsets[0]") {
  CHECK_THROWS_WITH_AS(bag_sum(tg::tensor({1, 2, 3}), tg::tensor({1, 2})),
                       doctest::Contains("offsets[0] = 1 is invalid; expected offsets[0] = 0"), tg::ValueError);
}

TEST_CASE("decreasing offsets name the offset and its predecessor") {
  CHECK_THROWS_WITH_AS(bag_sum(tg::tensor({1, 2, 3, 4, 5}), tg::tensor({0, 3, 2})),
                       doctest::Contains("offsets[2] = 2 is less than offsets[1] = 3"), tg::ValueError);
}

TEST_CASE("an offset past the input names the offset and the number of indices") {
  CHECK_THROWS_WITH_AS(bag_sum(tg::tensor({1, 2, 3}), tg::tensor({0, 7})),
                       doctest::Contains("offsets[1] = 7 is past the end of the input; expected offsets <= 3"),
                       tg::ValueError);
}

TEST_CASE("with include_last_offset, the last offset must be the number of indices, and must exist") {
  CHECK_THROWS_WITH_AS(bag_sum(tg::tensor({1, 2, 3, 4, 5}), tg::tensor({0, 2, 3}), true),
                       doctest::Contains("offsets[2] = 3 is the last offset"), tg::ValueError);
  CHECK_THROWS_WITH_AS(bag_sum(tg::tensor({1, 2}), tg::zeros({0}, tg::kInt64), true),
                       doctest::Contains("needs at least one offset"), tg::ValueError);
  CHECK(bag_sum(tg::tensor({1, 2, 3}), tg::tensor({0, 1, 3}), true).sizes() == tg::Shape{2, 3});
}

TEST_CASE("an index out of range names its position, its value and num_embeddings") {
  CHECK_THROWS_WITH_AS(bag_sum(tg::tensor({1, 12}), tg::tensor({0})),
                       doctest::Contains("indices[1] = 12 is out of range; expected [0, 10) for num_embeddings = 10"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({{1, 2}, {-1, 0}}), tg::ones({10, 3})),
                       doctest::Contains("indices[1, 0] = -1 is out of range"), tg::IndexError);
}

TEST_CASE("per_sample_weights of another shape, another dtype or with mode != sum is refused") {
  const auto sum = F::EmbeddingBagFuncOptions().mode(EmbeddingBagMode::Sum).offsets(tg::tensor({0, 3}));
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({1, 2, 3, 4, 5}), tg::ones({10, 3}),
                                        F::EmbeddingBagFuncOptions(sum).per_sample_weights(tg::ones({4}))),
                       doctest::Contains("per_sample_weights has shape [4]; expected the input's shape [5]"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(
      F::embedding_bag(tg::tensor({1, 2, 3, 4, 5}), tg::ones({10, 3}),
                       F::EmbeddingBagFuncOptions(sum).per_sample_weights(tg::ones({5}, tg::kFloat64))),
      doctest::Contains("per_sample_weights has dtype torch.float64; expected the weight's dtype torch.float32"),
      tg::TypeError);
  for (EmbeddingBagMode mode : {EmbeddingBagMode::Mean, EmbeddingBagMode::Max})
    CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({1, 2, 3}), tg::ones({10, 3}),
                                          F::EmbeddingBagFuncOptions(sum).mode(mode).per_sample_weights(tg::ones({3}))),
                         doctest::Contains("per_sample_weights is only supported for mode = sum; got mode = m"),
                         tg::ValueError);
}

TEST_CASE("mode max refuses sparse gradients and scale_grad_by_freq, as PyTorch") {
  const auto max = F::EmbeddingBagFuncOptions().mode(EmbeddingBagMode::Max);
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({{1, 2}}), tg::ones({10, 3}), F::EmbeddingBagFuncOptions(max).sparse(true)),
                       doctest::Contains("mode = max does not support sparse = true"), tg::ValueError);
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({{1, 2}}), tg::ones({10, 3}),
                                        F::EmbeddingBagFuncOptions(max).scale_grad_by_freq(true)),
                       doctest::Contains("mode = max does not support scale_grad_by_freq = true"), tg::ValueError);
}

TEST_CASE("the input's rank and the offsets must agree") {
  const tg::Tensor w = tg::ones({10, 3});
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::zeros({1, 1, 1}, tg::kInt64), w),
                       doctest::Contains("input has shape [1, 1, 1] (3-D)"), tg::ValueError);
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({{1}}), w, F::EmbeddingBagFuncOptions().offsets(tg::tensor({0}))),
                       doctest::Contains("offsets must be undefined"), tg::ValueError);
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({1, 2}), w), doctest::Contains("1-D input needs offsets"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({1, 2}), w, F::EmbeddingBagFuncOptions().offsets(tg::tensor({{0}}))),
                       doctest::Contains("offsets has shape [1, 1]; expected a 1-D tensor"), tg::ValueError);
}

TEST_CASE("indices, offsets and the table must have usable dtypes") {
  const tg::Tensor w = tg::ones({10, 3});
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({{1.5}}), w), doctest::Contains("indices have dtype torch.float32"),
                       tg::TypeError);
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({1}), w, F::EmbeddingBagFuncOptions().offsets(tg::tensor({0.0}))),
                       doctest::Contains("offsets have dtype torch.float32"), tg::TypeError);
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({{1}}), tg::ones({10, 3}, tg::kInt64)),
                       doctest::Contains("weight has dtype torch.int64; expected a floating dtype"), tg::TypeError);
}

TEST_CASE("padding_idx out of range is a ValueError in module, functional and from_pretrained") {
  CHECK_THROWS_WITH_AS(EmbeddingBag(EmbeddingBagOptions(10, 3).padding_idx(10)),
                       doctest::Contains("Padding_idx must be within num_embeddings"), tg::ValueError);
  CHECK_THROWS_WITH_AS(F::embedding_bag(tg::tensor({{1}}), tg::ones({10, 3}), F::EmbeddingBagFuncOptions().padding_idx(-11)),
                       doctest::Contains("padding_idx = -11 is out of range"), tg::ValueError);
  CHECK_THROWS_AS(EmbeddingBag::from_pretrained(tg::ones({2, 3}), tg::nn::EmbeddingBagFromPretrainedOptions().padding_idx(2)),
                  tg::ValueError);
  CHECK_THROWS_WITH_AS(EmbeddingBag::from_pretrained(tg::ones({3})), doctest::Contains("expected to be 2-dimensional"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(EmbeddingBag(EmbeddingBagOptions(10, 3)._weight(tg::ones({3, 3}))),
                       doctest::Contains("Shape of _weight does not match"), tg::ValueError);
}

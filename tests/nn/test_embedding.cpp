// nn::Embedding behaviour: construction, shapes, sharing, versions, max_norm, gradients.
#include <doctest/doctest.h>

#include <sstream>

#include <tapegrad/tapegrad.h>

namespace F = tg::nn::functional;
using tg::nn::Embedding;
using tg::nn::EmbeddingOptions;

TEST_CASE("embedding output has shape input.shape + (embedding_dim) for 0-d, empty and 3-d inputs") {
  Embedding emb(5, 3);
  CHECK(emb(tg::tensor(2)).sizes() == tg::Shape{3});
  CHECK(emb(tg::zeros({0}, tg::kInt64)).sizes() == tg::Shape{0, 3});
  CHECK(emb(tg::zeros({2, 0}, tg::kInt64)).sizes() == tg::Shape{2, 0, 3});
  CHECK(emb(tg::zeros({2, 1, 4}, tg::kInt32)).sizes() == tg::Shape{2, 1, 4, 3});
}

TEST_CASE("embedding rows are copies of the selected weight rows, for int32, int64 and strided indices") {
  const tg::Tensor w = tg::arange(12).to(tg::kFloat32).reshape({4, 3});
  const tg::Tensor ids = tg::tensor({{3, 0}, {1, 3}});
  const std::vector<float> want{9, 10, 11, 0, 1, 2, 3, 4, 5, 9, 10, 11};
  CHECK(F::embedding(ids, w).to_vector<float>() == want);
  CHECK(F::embedding(ids.to(tg::kInt32), w).to_vector<float>() == want);
  // transposed: [[3, 1], [0, 3]] read as rows gives positions 3, 0, 1, 3 in order
  CHECK(F::embedding(tg::tensor({{3, 1}, {0, 3}}).t(), w).to_vector<float>() == want);
  // a transposed table (strided rows) gives the same values as its contiguous copy
  const tg::Tensor wt = w.t().contiguous().t();
  CHECK(F::embedding(ids, wt).to_vector<float>() == want);
}

TEST_CASE("a fresh weight is N(0, 1) and the padding row starts at zero") {
  tg::manual_seed(0);
  Embedding emb(EmbeddingOptions(1000, 100).padding_idx(-1));
  CHECK(emb.options().padding_idx() == 999);
  const std::vector<float> v = emb.weight.narrow(0, 0, 999).contiguous().to_vector<float>();
  double mean = 0, sq = 0;
  for (float x : v) mean += x;
  mean /= v.size();
  for (float x : v) sq += (x - mean) * (x - mean);
  CHECK(std::abs(mean) < 0.01);
  CHECK(std::sqrt(sq / v.size()) == doctest::Approx(1.0).epsilon(0.01));
  CHECK(emb.weight[999].to_vector<float>() == std::vector<float>(100, 0.0f));
  CHECK(emb.weight.requires_grad());
  CHECK(emb.weight.is_leaf());
}

TEST_CASE("reset_parameters redraws the weight and zeroes the padding row again") {
  Embedding emb(EmbeddingOptions(4, 2).padding_idx(1));
  {
    tg::NoGradGuard no_grad;
    emb.weight[1].fill_(7.0);
  }
  CHECK(emb(tg::tensor({1})).to_vector<float>() == std::vector<float>{7, 7});  // forward returns it as stored
  emb.reset_parameters();
  CHECK(emb.weight[1].to_vector<float>() == std::vector<float>{0, 0});
}

TEST_CASE("_weight is shared, not copied, and not re-initialised") {
  tg::Tensor given = tg::ones({3, 2});
  Embedding emb(EmbeddingOptions(3, 2)._weight(given).padding_idx(0));
  CHECK(emb.weight[0].to_vector<float>() == std::vector<float>{1, 1});  // padding row not zeroed
  {
    tg::NoGradGuard no_grad;
    emb.weight.mul_(2.0);
  }
  CHECK(given.to_vector<float>() == std::vector<float>(6, 2.0f));
  CHECK(emb.weight.requires_grad());
  CHECK_FALSE(Embedding(EmbeddingOptions(3, 2)._weight(given)._freeze(true)).weight.requires_grad());
}

TEST_CASE("from_pretrained shares storage, freezes by default and keeps the padding row") {
  const tg::Tensor pretrained = tg::tensor({{1.f, 2.3f, 3.f}, {4.f, 5.1f, 6.3f}});
  Embedding emb = Embedding::from_pretrained(pretrained, tg::nn::EmbeddingFromPretrainedOptions().padding_idx(-2));
  CHECK(emb.options().padding_idx() == 0);
  CHECK_FALSE(emb.weight.requires_grad());
  const tg::Tensor out = emb(tg::tensor({1}));
  CHECK(out.to_vector<float>() == std::vector<float>{4.f, 5.1f, 6.3f});
  CHECK_FALSE(out.requires_grad());
  CHECK(emb.weight[0].to_vector<float>() == std::vector<float>{1.f, 2.3f, 3.f});
  Embedding trainable = Embedding::from_pretrained(pretrained, tg::nn::EmbeddingFromPretrainedOptions().freeze(false));
  CHECK(trainable.weight.requires_grad());
  CHECK(trainable.weight.data_ptr<float>() == pretrained.data_ptr<float>());
}

TEST_CASE("an embedding prints its options as PyTorch's repr does") {
  auto repr = [](const Embedding& e) {
    std::ostringstream s;
    s << e;
    return s.str();
  };
  CHECK(repr(Embedding(10, 3)) == "Embedding(10, 3)");
  CHECK(repr(Embedding(EmbeddingOptions(10, 3).padding_idx(0))) == "Embedding(10, 3, padding_idx=0)");
  CHECK(repr(Embedding(EmbeddingOptions(10, 3).padding_idx(-1).max_norm(1.0).norm_type(1.0).scale_grad_by_freq(true)
                           .sparse(true))) ==
        "Embedding(10, 3, padding_idx=9, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True)");
  CHECK(repr(Embedding(EmbeddingOptions(10, 3).max_norm(0.5).norm_type(3.5))) ==
        "Embedding(10, 3, max_norm=0.5, norm_type=3.5)");
}

TEST_CASE("the embedding's state dict has exactly one entry, weight") {
  Embedding emb(4, 2);
  const auto state = emb.state_dict();
  REQUIRE(state.size() == 1);
  CHECK(state[0].first == "weight");
  CHECK(emb.parameters()[0].is_same(emb.weight));
  CHECK(emb.weight.name() == "weight");
}

TEST_CASE("max_norm bumps the weight's version by exactly one per call, even when nothing is rescaled") {
  Embedding emb(EmbeddingOptions(4, 2).max_norm(100.0));
  const uint32_t before = emb.weight.version();
  emb(tg::tensor({0, 1, 1}));
  CHECK(emb.weight.version() == before + 1);
  emb(tg::zeros({0}, tg::kInt64));
  CHECK(emb.weight.version() == before + 2);
  Embedding plain(4, 2);
  const uint32_t plain_before = plain.weight.version();
  plain(tg::tensor({0, 1}));
  CHECK(plain.weight.version() == plain_before);
}

TEST_CASE("max_norm rescales each referenced row once, strictly above the limit, and leaves others alone") {
  const tg::Tensor w = tg::tensor({{3., 4.}, {0.3, 0.4}, {6., 8.}, {1., 1.}, {0.6, 0.8}}, tg::kFloat64);
  const tg::Tensor out = F::embedding(tg::tensor({0, 0, 2, 1, 4}), w, F::EmbeddingFuncOptions().max_norm(1.0));
  const std::vector<double> v = w.to_vector<double>();
  CHECK(v[0] == 3.0 * (1.0 / (5.0 + 1e-7)));
  CHECK(v[4] == 6.0 * (1.0 / (10.0 + 1e-7)));
  CHECK(v[2] == 0.3);                         // norm 0.5: unchanged
  CHECK(v[6] == 1.0);                         // not referenced: unchanged though its norm is sqrt(2)
  CHECK(v[8] == 0.6);                         // norm exactly 1: strict comparison leaves it
  CHECK(out.to_vector<double>()[0] == v[0]);  // the lookup returns the rescaled rows
}

TEST_CASE("max_norm = 0 zeroes referenced rows; a negative max_norm is refused instead of flipping their sign") {
  const tg::Tensor w = tg::tensor({{3., 4.}, {1., 0.}}, tg::kFloat64);
  F::embedding(tg::tensor({0}), w, F::EmbeddingFuncOptions().max_norm(0.0));
  CHECK(w[0].to_vector<double>() == std::vector<double>{0.0, 0.0});
  // PyTorch accepts -1 and multiplies the row by -1 / (1 + 1e-7): see Note [max_norm is a bound].
  CHECK_THROWS_WITH_AS(F::embedding(tg::tensor({1}), w, F::EmbeddingFuncOptions().max_norm(-1.0)),
                       doctest::Contains("max_norm = -1 is negative"), tg::ValueError);
  CHECK(w[1].to_vector<double>() == std::vector<double>{1.0, 0.0});
}

TEST_CASE("a max_norm call with a bad index raises before touching the weight") {
  const tg::Tensor w = tg::tensor({{3., 4.}, {6., 8.}});
  const auto before = w.to_vector<float>();
  const uint32_t version = w.version();
  CHECK_THROWS_AS(F::embedding(tg::tensor({1, -1}), w, F::EmbeddingFuncOptions().max_norm(1.0)), tg::IndexError);
  CHECK_THROWS_AS(F::embedding(tg::tensor({0, 9}), w, F::EmbeddingFuncOptions().max_norm(1.0)), tg::IndexError);
  CHECK(w.to_vector<float>() == before);
  CHECK(w.version() == version);
}

TEST_CASE("max_norm's gradient is the plain lookup gradient (the renorm is not recorded)") {
  const tg::Tensor w = tg::tensor({{3., 4.}, {1., 0.}}).requires_grad_();
  F::embedding(tg::tensor({0}), w, F::EmbeddingFuncOptions().max_norm(1.0)).sum().backward();
  CHECK(w.grad().to_vector<float>() == std::vector<float>{1, 1, 0, 0});
}

TEST_CASE("a weight saved by an earlier op and then renormalised fails at backward; a clone works") {
  // The documentation's example with an elementwise product in place of matmul: both save the weight.
  Embedding emb(EmbeddingOptions(3, 5).max_norm(1.0));
  const tg::Tensor other = tg::randn({3, 5}).requires_grad_();
  const tg::Tensor a = (emb.weight * other).sum();
  const tg::Tensor b = emb(tg::tensor({1, 2})).sum();
  CHECK_THROWS_WITH_AS((a + b).backward(), doctest::Contains("modified by an inplace operation"), tg::Error);

  Embedding emb2(EmbeddingOptions(3, 5).max_norm(1.0));
  const tg::Tensor a2 = (emb2.weight.clone() * other).sum();
  const tg::Tensor b2 = emb2(tg::tensor({1, 2})).sum();
  (a2 + b2).backward();
  // through the clone: other; through the lookup: 1 on rows 1 and 2
  const std::vector<float> g = emb2.weight.grad().to_vector<float>();
  const std::vector<float> o = other.to_vector<float>();
  CHECK(g[0] == o[0]);
  CHECK(g[5] == doctest::Approx(o[5] + 1.0f));
}

TEST_CASE("two lookups of one max_norm embedding in one graph both backpropagate (unlike PyTorch 1.13)") {
  Embedding emb(EmbeddingOptions(4, 3).max_norm(1.0));
  const tg::Tensor loss = emb(tg::tensor({0, 1})).sum() + emb(tg::tensor({1, 3})).sum();
  loss.backward();
  CHECK(emb.weight.grad().to_vector<float>() == std::vector<float>{1, 1, 1, 2, 2, 2, 0, 0, 0, 1, 1, 1});
}

TEST_CASE("the lookup's backward keeps the indices, not the weight") {
  Embedding emb(4, 3);
  tg::Tensor ids = tg::tensor({0, 1});
  const tg::Tensor out = emb(ids).sum();
  {
    tg::NoGradGuard no_grad;
    emb.weight.mul_(2.0);  // would fail backward if the weight had been saved
  }
  out.backward();
  CHECK(emb.weight.grad().to_vector<float>() == std::vector<float>{1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("changing the indices in place before backward is reported") {
  Embedding emb(4, 3);
  tg::Tensor ids = tg::tensor({0, 1});
  const tg::Tensor out = emb(ids).sum();
  ids.add_(1.0);
  CHECK_THROWS_WITH_AS(out.backward(), doctest::Contains("modified by an inplace operation"), tg::Error);
}

TEST_CASE("a sparse gradient of only padding lookups is empty, and works downstream") {
  const tg::Tensor w = tg::ones({4, 3}).requires_grad_();
  F::embedding(tg::tensor({{2, 2}}), w, F::EmbeddingFuncOptions().padding_idx(2).sparse(true)).sum().backward();
  const tg::Tensor g = w.grad();
  REQUIRE(g.is_sparse());
  CHECK(g._nnz() == 0);
  CHECK(g.indices().sizes() == tg::Shape{1, 0});
  CHECK(g.values().sizes() == tg::Shape{0, 3});
  CHECK(g.sizes() == tg::Shape{4, 3});
  CHECK(g.is_coalesced());
  CHECK(g.to_dense().to_vector<float>() == std::vector<float>(12, 0.0f));
  CHECK(g.coalesce()._nnz() == 0);
  tg::nn::utils::clip_grad_norm_({w}, 1.0);
  // and a later sparse backward accumulates onto it
  F::embedding(tg::tensor({1}), w, F::EmbeddingFuncOptions().sparse(true)).sum().backward();
  CHECK(w.grad()._nnz() == 1);
}

TEST_CASE("a sparse lookup of int32 or 0-d indices gives int64 indices, one entry per lookup") {
  const tg::Tensor w = tg::ones({4, 3}).requires_grad_();
  F::embedding(tg::tensor({3, 1, 3}, tg::kInt32), w, F::EmbeddingFuncOptions().sparse(true)).sum().backward();
  CHECK(w.grad().indices().dtype() == tg::kInt64);
  CHECK(w.grad().indices().to_vector<int64_t>() == std::vector<int64_t>{3, 1, 3});
  const tg::Tensor w2 = tg::ones({4, 3}).requires_grad_();
  F::embedding(tg::tensor(2), w2, F::EmbeddingFuncOptions().sparse(true)).sum().backward();
  CHECK(w2.grad()._nnz() == 1);
}

TEST_CASE("a sparse lookup of a non-leaf table sends its dense equivalent upstream") {
  const tg::Tensor w = tg::ones({3, 2}).requires_grad_();
  F::embedding(tg::tensor({0, 0}), w * 2.0, F::EmbeddingFuncOptions().sparse(true)).sum().backward();
  CHECK_FALSE(w.grad().is_sparse());
  CHECK(w.grad().to_vector<float>() == std::vector<float>{4, 4, 0, 0, 0, 0});
}

TEST_CASE("zero_grad(false) keeps a sparse gradient sparse and empty") {
  Embedding emb(EmbeddingOptions(4, 2).sparse(true));
  emb(tg::tensor({1, 2})).sum().backward();
  const tg::Tensor held = emb.weight.grad();
  emb.zero_grad(false);
  REQUIRE(emb.weight.grad().is_sparse());
  CHECK(emb.weight.grad()._nnz() == 0);
  CHECK(emb.weight.grad().is_same(held));  // emptied in place, as Optimizer::zero_grad does
  CHECK(held._nnz() == 0);
  emb(tg::tensor({3})).sum().backward();
  CHECK(emb.weight.grad()._nnz() == 1);
  emb.zero_grad();
  CHECK_FALSE(emb.weight.grad().defined());
}

TEST_CASE("embedding passes gradcheck, dense and sparse") {
  // padding_idx and scale_grad_by_freq deliberately change the gradient away from the
  // derivative, so they are checked against PyTorch's numbers instead (test_embedding_golden.cpp).
  const tg::Tensor w = tg::randn({5, 3}, tg::kFloat64).requires_grad_();
  const tg::Tensor ids = tg::tensor({{0, 4, 4}, {2, 0, 1}});
  for (bool sparse : {false, true}) {
    CAPTURE(sparse);
    CHECK(tg::autograd::gradcheck(
        [&](const std::vector<tg::Tensor>& in) {
          return F::embedding(ids, in[0], F::EmbeddingFuncOptions().sparse(sparse)) * in[0].sum();
        },
        {w}));
  }
}

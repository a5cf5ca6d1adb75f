// gather, scatter_add, scatter_add_ and one_hot: values and gradients against PyTorch
// 1.13 (tests/golden/gen_index_ops.py), finite differences, and the errors.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include "index_ops_replay.h"

namespace {

using index_ops::Inputs;
using index_ops::replay;

tg::Tensor ids(std::vector<int64_t> values, tg::Shape shape) { return tg::from_vector(values, std::move(shape)); }

}  // namespace

// ---- gather

TEST_CASE("gather matches PyTorch along every dim, with int64 and int32 indices") {
  for (tg::Dtype index_dtype : {tg::kInt64, tg::kInt32}) {
    replay("gather/dim0", {"x", "index"}, [](const Inputs& in) { return in[0].gather(0, in[1]); }, index_dtype);
    replay("gather/dim_neg", {"x", "index"}, [](const Inputs& in) { return in[0].gather(-1, in[1]); }, index_dtype);
    replay("gather/smaller_index", {"x", "index"}, [](const Inputs& in) { return tg::gather(in[0], 1, in[1]); },
           index_dtype);
    replay("gather/longer_along_dim", {"x", "index"}, [](const Inputs& in) { return in[0].gather(0, in[1]); },
           index_dtype);
    replay("gather/3d", {"x", "index"}, [](const Inputs& in) { return in[0].gather(1, in[1]); }, index_dtype);
  }
}

TEST_CASE("gather reads a transposed input through a transposed index") {
  replay("gather/transposed", {"x", "index"}, [](const Inputs& in) { return in[0].t().gather(1, in[1].t()); });
}

TEST_CASE("gather of an empty index or an empty input is empty, with a zero gradient") {
  replay("gather/empty_index", {"x", "index"}, [](const Inputs& in) { return in[0].gather(0, in[1]); });
  replay("gather/empty_self", {"x", "index"}, [](const Inputs& in) { return in[0].gather(1, in[1]); });
}

TEST_CASE("gather treats a 0-d input and index as 1-element vectors") {
  replay("gather/scalar", {"x", "index"}, [](const Inputs& in) { return in[0].gather(0, in[1]); });
  replay("gather/scalar_self_vector_index", {"x", "index"}, [](const Inputs& in) { return in[0].gather(0, in[1]); });
}

TEST_CASE("gather backward adds the gradients of elements picked twice") {
  tg::Tensor x = tg::zeros({2, 3}).requires_grad_();
  tg::Tensor out = x.gather(1, ids({2, 2, 2, 0}, {2, 2}));
  CHECK(out.grad_fn_name() == "GatherBackward0");
  out.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{0, 0, 2, 1, 0, 1});
}

TEST_CASE("gather keeps self's dtype, bool included") {
  const tg::Tensor flags = tg::tensor({true, false});
  const tg::Tensor out = flags.gather(0, ids({1, 1, 0}, {3}));
  CHECK(out.dtype() == tg::kBool);
  CHECK(out.to_vector<bool>() == std::vector<bool>{false, false, true});
}

TEST_CASE("gather passes gradcheck, including a repeated index and a strided input") {
  tg::manual_seed(11);
  const tg::Tensor x = tg::randn({3, 4, 2}, tg::kFloat64).requires_grad_();
  const tg::Tensor index = ids({0, 3, 3, 1, 2, 2, 0, 0, 1, 3, 1, 1}, {2, 3, 2});
  CHECK(tg::autograd::gradcheck([&](const Inputs& in) { return in[0].gather(1, index); }, {x}));
  const tg::Tensor strided_index = ids({2, 0, 1, 1, 0, 0, 2, 1}, {2, 2, 2}).transpose(0, 1);
  CHECK(tg::autograd::gradcheck([&](const Inputs& in) { return in[0].transpose(0, 2).gather(-1, strided_index); },
                                {x}));
}

TEST_CASE("gather names a bad index value, its position and the size") {
  const tg::Tensor x = tg::zeros({2, 3});
  CHECK_THROWS_WITH_AS(x.gather(1, ids({0, 1, 2, 5}, {2, 2})),
                       "gather: index[1, 1] = 5 is out of range for dim 1 of size 3; expected [0, 3)", tg::IndexError);
  CHECK_THROWS_WITH_AS(x.gather(-2, ids({-1}, {1, 1})),
                       "gather: index[0, 0] = -1 is out of range for dim 0 of size 2; expected [0, 2)", tg::IndexError);
}

TEST_CASE("gather refuses a wrong dim, dim count, shape or index dtype") {
  const tg::Tensor x = tg::zeros({2, 3});
  CHECK_THROWS_WITH_AS(x.gather(2, ids({0}, {1, 1})), doctest::Contains("gather: dim = 2 is out of range"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(x.gather(1, ids({0, 1}, {2})),
                       "gather: index has 1 dims (shape [2]) but self has 2 (shape [2, 3]); expected the same number "
                       "of dims", tg::ValueError);
  CHECK_THROWS_WITH_AS(x.gather(0, ids({0, 1, 0, 1}, {1, 4})),
                       "gather: index.size(1) = 4 is larger than self.size(1) = 3; expected index.size(d) <= "
                       "self.size(d) for every dim d != 0 (index shape [1, 4], self shape [2, 3])", tg::ValueError);
  CHECK_THROWS_WITH_AS(x.gather(0, tg::zeros({1, 1})),
                       "gather: index has dtype torch.float32; expected torch.int64 or torch.int32", tg::TypeError);
}

// ---- scatter_add

TEST_CASE("scatter_add matches PyTorch, repeated indices adding up") {
  for (tg::Dtype index_dtype : {tg::kInt64, tg::kInt32}) {
    replay("scatter_add/dim0", {"self", "index", "src"},
           [](const Inputs& in) { return in[0].scatter_add(0, in[1], in[2]); }, index_dtype);
    replay("scatter_add/repeated_dim_neg", {"self", "index", "src"},
           [](const Inputs& in) { return tg::scatter_add(in[0], -1, in[1], in[2]); }, index_dtype);
    replay("scatter_add/3d", {"self", "index", "src"},
           [](const Inputs& in) { return in[0].scatter_add(1, in[1], in[2]); }, index_dtype);
  }
  replay("scatter_add/int64", {"self", "index", "src"},
         [](const Inputs& in) { return in[0].scatter_add(0, in[1], in[2]); });
}

TEST_CASE("scatter_add on transposed self, index and src") {
  replay("scatter_add/transposed", {"self", "index", "src"},
         [](const Inputs& in) { return in[0].t().scatter_add(0, in[1].t(), in[2].t()); });
}

TEST_CASE("scatter_add with an empty index returns self; with 0-d tensors adds one element") {
  replay("scatter_add/empty_index", {"self", "index", "src"},
         [](const Inputs& in) { return in[0].scatter_add(0, in[1], in[2]); });
  replay("scatter_add/scalar", {"self", "index", "src"},
         [](const Inputs& in) { return in[0].scatter_add(0, in[1], in[2]); });
}

// Note [scatter_add's src gradient]: PyTorch 1.13 rejects its own gradient here; the
// golden gradient is the sum written with src narrowed to index's shape.
TEST_CASE("scatter_add reads only src's leading block when src is larger, and pads its gradient with zeros") {
  replay("scatter_add/src_larger", {"self", "index", "src"},
         [](const Inputs& in) { return in[0].scatter_add(1, in[1], in[2]); });
  const tg::Tensor self = tg::zeros({2, 3}).requires_grad_(), src = tg::ones({2, 3}).requires_grad_();
  self.scatter_add(0, tg::zeros({0, 3}, tg::kInt64), src).sum().backward();
  CHECK(src.grad().sizes() == tg::Shape{2, 3});
  CHECK(src.grad().to_vector<float>() == std::vector<float>(6, 0.0f));
  CHECK(self.grad().to_vector<float>() == std::vector<float>(6, 1.0f));
}

TEST_CASE("scatter_add_ in place on a non-leaf has the out-of-place values and gradients") {
  replay("scatter_add/dim0", {"self", "index", "src"}, [](const Inputs& in) {
    tg::Tensor out = in[0] * 1.0;
    out.scatter_add_(0, in[1], in[2]);
    return out;
  });
}

TEST_CASE("scatter_add_ writes through a strided view and bumps the version") {
  tg::Tensor base = tg::zeros({3, 2});
  tg::Tensor view = base.t();  // (2, 3), strides (1, 2)
  const uint32_t before = base.version();
  view.scatter_add_(1, ids({2, 2, 0}, {1, 3}), tg::tensor({{1.0f, 10.0f, 100.0f}}));
  CHECK(base.version() == before + 1);
  CHECK(base.to_vector<float>() == std::vector<float>{100, 0, 0, 0, 11, 0});
}

TEST_CASE("scatter_add passes gradcheck for self and src") {
  tg::manual_seed(12);
  const tg::Tensor self = tg::randn({3, 4}, tg::kFloat64).requires_grad_();
  const tg::Tensor src = tg::randn({2, 5}, tg::kFloat64).requires_grad_();
  const tg::Tensor index = ids({0, 0, 2, 3, 0, 1, 1, 1, 1}, {3, 3}).narrow(0, 0, 2);  // src larger than index
  CHECK(tg::autograd::gradcheck([&](const Inputs& in) { return in[0].scatter_add(1, index, in[1]); }, {self, src}));
  CHECK(tg::autograd::gradcheck([&](const Inputs& in) { return in[0].t().scatter_add(0, index.t(), in[1].t()); },
                                {self, src}));
}

TEST_CASE("scatter_add names a bad index value, dtype or shape") {
  const tg::Tensor self = tg::zeros({2, 3});
  CHECK_THROWS_WITH_AS(self.scatter_add(1, ids({0, 7}, {1, 2}), tg::ones({1, 2})),
                       "scatter_add: index[0, 1] = 7 is out of range for dim 1 of size 3; expected [0, 3)",
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(self.scatter_add(0, ids({0, 1}, {1, 2}), tg::ones({1, 2}, tg::kFloat64)),
                       "scatter_add: src has dtype torch.float64 but self has dtype torch.float32; expected the same "
                       "dtype", tg::TypeError);
  CHECK_THROWS_WITH_AS(self.scatter_add(0, ids({0, 1, 0}, {1, 3}), tg::ones({1, 2})),
                       "scatter_add: index.size(1) = 3 is larger than src.size(1) = 2; expected index.size(d) <= "
                       "src.size(d) for every dim d (index shape [1, 3], src shape [1, 2])", tg::ValueError);
  CHECK_THROWS_WITH_AS(self.scatter_add(0, ids({0, 1, 0, 0}, {1, 4}), tg::ones({1, 4})),
                       doctest::Contains("index.size(1) = 4 is larger than self.size(1) = 3"), tg::ValueError);
  CHECK_THROWS_WITH_AS(self.scatter_add(1, ids({0, 1}, {2}), tg::ones({2})),
                       doctest::Contains("index has 1 dims (shape [2]) but self has 2 (shape [2, 3])"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(self.scatter_add(-3, ids({0}, {1, 1}), tg::ones({1, 1})),
                       doctest::Contains("scatter_add: dim = -3 is out of range"), tg::IndexError);
}

TEST_CASE("scatter_add_ refuses a leaf that requires grad and an expanded self") {
  tg::Tensor leaf = tg::zeros({2}).requires_grad_();
  CHECK_THROWS_WITH_AS(leaf.scatter_add_(0, ids({0}, {1}), tg::ones({1})),
                       doctest::Contains("scatter_add_: a leaf tensor that requires grad"), tg::Error);
  tg::Tensor expanded = tg::zeros({1}).expand({3});
  CHECK_THROWS_AS(expanded.scatter_add_(0, ids({0}, {1}), tg::ones({1})), tg::ValueError);
}

// ---- one_hot

TEST_CASE("one_hot matches PyTorch, inferring the class count or taking it") {
  replay("one_hot/infer", {"index"}, [](const Inputs& in) { return tg::one_hot(in[0]); });
  replay("one_hot/given", {"index"}, [](const Inputs& in) { return tg::one_hot(in[0], 5); });
  replay("one_hot/empty_given", {"index"}, [](const Inputs& in) { return tg::one_hot(in[0], 3); });
  replay("one_hot/scalar", {"index"}, [](const Inputs& in) { return tg::one_hot(in[0]); });
  replay("one_hot/given", {"index"}, [](const Inputs& in) { return tg::one_hot(in[0].to(tg::kInt32), 5); });
}

TEST_CASE("one_hot names a negative or too large class, and refuses to infer from nothing") {
  CHECK_THROWS_WITH_AS(tg::one_hot(ids({0, -2, 1}, {3})),
                       "one_hot: index[1] = -2 is a negative class; expected classes >= 0", tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::one_hot(ids({0, 2, 1, 0}, {2, 2}), 2),
                       "one_hot: index[0, 1] = 2 is out of range for num_classes = 2; expected a class in [0, 2)",
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::one_hot(tg::zeros({0}, tg::kInt64)),
                       doctest::Contains("num_classes = -1 asks to infer the count from the largest class, but index "
                                         "(shape [0]) is empty"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::one_hot(ids({0}, {1}), -2),
                       "one_hot: num_classes = -2; expected -1 (the largest class + 1) or a count >= 0",
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::one_hot(tg::tensor({1.0})),
                       "one_hot: index has dtype torch.float32; expected torch.int64 or torch.int32", tg::TypeError);
}

// masked_fill and masked_fill_: values and gradients against PyTorch 1.13
// (tests/golden/gen_index_ops.py), finite differences, and the errors.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <cmath>

#include "index_ops_replay.h"

namespace {

using index_ops::Inputs;
using index_ops::replay;

tg::Tensor mask(std::initializer_list<bool> values, tg::Shape shape) {
  return tg::from_vector(std::vector<bool>(values), std::move(shape));
}

}  // namespace

TEST_CASE("masked_fill matches PyTorch with a mask of self's shape and broadcast masks") {
  replay("masked_fill/same_shape", {"x", "mask"}, [](const Inputs& in) { return in[0].masked_fill(in[1], 1.5); });
  replay("masked_fill/row_mask_neg_inf", {"x", "mask"},
         [](const Inputs& in) { return in[0].masked_fill(in[1], -INFINITY); });
  replay("masked_fill/column_mask", {"x", "mask"},
         [](const Inputs& in) { return tg::masked_fill(in[0], in[1], -2.0); });
}

TEST_CASE("masked_fill grows self to the mask's broadcast shape and sums its gradient back") {
  replay("masked_fill/mask_grows_x", {"x", "mask"}, [](const Inputs& in) { return in[0].masked_fill(in[1], 5); });
}

TEST_CASE("masked_fill with a 0-d tensor value sends the masked gradient's sum to it") {
  replay("masked_fill/tensor_value", {"x", "mask", "value"},
         [](const Inputs& in) { return in[0].masked_fill(in[1], in[2]); });
}

TEST_CASE("masked_fill on transposed input and mask, on empty and on 0-d tensors") {
  replay("masked_fill/transposed", {"x", "mask"},
         [](const Inputs& in) { return in[0].t().masked_fill(in[1].t(), 0.0); });
  replay("masked_fill/empty", {"x", "mask"}, [](const Inputs& in) { return in[0].masked_fill(in[1], 1.0); });
  replay("masked_fill/scalar", {"x", "mask"}, [](const Inputs& in) { return in[0].masked_fill(in[1], 3.0); });
}

TEST_CASE("masked_fill truncates a number toward zero into an integer tensor; bool takes non-zero as true") {
  replay("masked_fill/int64_truncates", {"x", "mask"}, [](const Inputs& in) { return in[0].masked_fill(in[1], -2.7); });
  replay("masked_fill/bool_nonzero", {"x", "mask"}, [](const Inputs& in) { return in[0].masked_fill(in[1], 0.5); });
  const tg::Tensor ints = tg::zeros({2}, tg::kInt32).masked_fill(mask({true, false}, {2}), 2147483647);
  CHECK(ints.to_vector<int32_t>() == std::vector<int32_t>{2147483647, 0});
}

TEST_CASE("masked_fill_ in place on a non-leaf has the out-of-place values and gradients") {
  replay("masked_fill/same_shape", {"x", "mask"}, [](const Inputs& in) {
    tg::Tensor out = in[0] * 1.0;
    out.masked_fill_(in[1], 1.5);
    return out;
  });
  replay("masked_fill/tensor_value", {"x", "mask", "value"}, [](const Inputs& in) {
    tg::Tensor out = in[0] * 1.0;
    out.masked_fill_(in[1], in[2]);
    return out;
  });
}

TEST_CASE("masked_fill_ writes through a strided view with a broadcast mask and bumps the version") {
  tg::Tensor base = tg::zeros({3, 2});
  tg::Tensor view = base.t();  // (2, 3)
  const uint32_t before = base.version();
  view.masked_fill_(mask({true, false, true}, {3}), 7.0);
  CHECK(base.version() == before + 1);
  CHECK(base.to_vector<float>() == std::vector<float>{7, 7, 0, 0, 7, 7});
}

TEST_CASE("masked_fill passes gradcheck for self and a tensor value, with broadcast masks") {
  tg::manual_seed(13);
  const tg::Tensor x = tg::randn({3, 4}, tg::kFloat64).requires_grad_();
  const tg::Tensor value = tg::scalar_tensor(0.5, tg::kFloat64).requires_grad_();
  const tg::Tensor row = tg::rand({4}) < 0.5, column = tg::rand({4, 1}) < 0.5, grows = tg::rand({2, 3, 4}) < 0.5;
  CHECK(tg::autograd::gradcheck([&](const Inputs& in) { return in[0].masked_fill(row, in[1]); }, {x, value}));
  CHECK(tg::autograd::gradcheck([&](const Inputs& in) { return in[0].t().masked_fill(column, -1.0); }, {x}));
  CHECK(tg::autograd::gradcheck([&](const Inputs& in) { return in[0].masked_fill(grows, in[1]); }, {x, value}));
}

TEST_CASE("masked_fill names a mask that does not broadcast, a non-bool mask and a non-0-d value") {
  const tg::Tensor x = tg::zeros({2, 3});
  CHECK_THROWS_WITH_AS(x.masked_fill(mask({true, false}, {2}), 1.0),
                       "masked_fill: mask of shape [2] does not broadcast with self of shape [2, 3]; expected each "
                       "size of the mask, aligned from the right, to equal self's or be 1", tg::ValueError);
  CHECK_THROWS_WITH_AS(x.masked_fill(tg::tensor({1, 0, 1}, tg::kInt64), 1.0),
                       "masked_fill: mask has dtype torch.int64; expected torch.bool", tg::TypeError);
  CHECK_THROWS_WITH_AS(x.masked_fill(mask({true}, {1}), tg::tensor({2.0})),
                       "masked_fill: value has shape [1] (1 dims); expected a 0-d tensor or a number", tg::ValueError);
  tg::Tensor row = tg::zeros({3});
  CHECK_THROWS_WITH_AS(row.masked_fill_(mask({true, false, true, true, false, true}, {2, 3}), 1.0),
                       "masked_fill_: mask of shape [2, 3] would grow self of shape [3]; expected a mask that "
                       "broadcasts to [3] (only the out-of-place masked_fill grows self)", tg::ValueError);
}

// Note [masked_fill value range]
TEST_CASE("masked_fill refuses a number that overflows self's dtype, naming it and the range") {
  const tg::Tensor m = mask({true}, {1});
  CHECK_THROWS_WITH_AS(tg::zeros({1}, tg::kInt32).masked_fill(m, 3e9),
                       "masked_fill: value = 3000000000 does not fit torch.int32 without overflow; expected a finite "
                       "value in [-2147483648, 2147483647]", tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::zeros({1}, tg::kInt64).masked_fill(m, NAN),
                       doctest::Contains("value = nan does not fit torch.int64 without overflow"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::zeros({1}).masked_fill(m, 1e300),
                       doctest::Contains("value = 1e+300 does not fit torch.float32 without overflow"), tg::ValueError);
  tg::Tensor ints = tg::zeros({1}, tg::kInt64);
  CHECK_THROWS_WITH_AS(ints.masked_fill_(m, INFINITY), doctest::Contains("masked_fill_: value = inf does not fit"),
                       tg::ValueError);
  CHECK(std::isinf(tg::zeros({1}).masked_fill(m, INFINITY).item<float>()));
}

// cumsum: values and gradients against PyTorch 1.13 (tests/golden/gen_index_ops.py),
// finite differences, the result dtype, and the errors.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include "index_ops_replay.h"

namespace {

using index_ops::Inputs;
using index_ops::replay;

}  // namespace

TEST_CASE("cumsum matches PyTorch along every dim, negative dims included") {
  replay("cumsum/dim0", {"x"}, [](const Inputs& in) { return in[0].cumsum(0); });
  replay("cumsum/dim_neg", {"x"}, [](const Inputs& in) { return in[0].cumsum(-1); });
  replay("cumsum/middle", {"x"}, [](const Inputs& in) { return tg::cumsum(in[0], 1); });
  replay("cumsum/transposed", {"x"}, [](const Inputs& in) { return in[0].t().cumsum(1); });
}

TEST_CASE("cumsum of empty and 0-d tensors") {
  replay("cumsum/empty_dim0", {"x"}, [](const Inputs& in) { return in[0].cumsum(0); });
  replay("cumsum/empty_dim1", {"x"}, [](const Inputs& in) { return in[0].cumsum(1); });
  replay("cumsum/scalar", {"x"}, [](const Inputs& in) { return in[0].cumsum(0); });
  replay("cumsum/scalar", {"x"}, [](const Inputs& in) { return in[0].cumsum(-1); });
}

TEST_CASE("cumsum sums integer and bool inputs in int64, as PyTorch promotes them") {
  replay("cumsum/int32", {"x"}, [](const Inputs& in) { return in[0].cumsum(0); });  // 2147483647 + 3 fits
  replay("cumsum/bool", {"x"}, [](const Inputs& in) { return in[0].cumsum(1); });
  const tg::Tensor as_int32 = tg::tensor({1, 2, 3}, tg::kInt64).cumsum(0, tg::kInt32);
  CHECK(as_int32.dtype() == tg::kInt32);
  CHECK(as_int32.to_vector<int32_t>() == std::vector<int32_t>{1, 3, 6});
}

// Note [cumsum accumulator]
TEST_CASE("cumsum of float32 accumulates in double, as PyTorch's CPU kernel, bit for bit") {
  replay("cumsum/float32_accumulator", {"x"}, [](const Inputs& in) { return in[0].cumsum(0); });
}

TEST_CASE("cumsum with a dtype casts first, and the gradient comes back in the input's dtype") {
  const tg::Tensor x = golden::index_ops.leaf("cumsum/float32_to_float64/x", tg::kFloat32);
  const tg::Tensor out = x.cumsum(1, tg::kFloat64);
  CHECK(out.dtype() == tg::kFloat64);
  golden::index_ops.check_close(out, "cumsum/float32_to_float64/out");
  out.backward(golden::index_ops.tensor("cumsum/float32_to_float64/g", tg::kFloat64));
  CHECK(x.grad().dtype() == tg::kFloat32);
  golden::index_ops.check_close(x.grad(), "cumsum/float32_to_float64/grad_x", 1e-6, 1e-6);
}

TEST_CASE("cumsum records CumsumBackward0 and passes gradcheck along every dim") {
  tg::manual_seed(14);
  const tg::Tensor x = tg::randn({2, 3, 4}, tg::kFloat64).requires_grad_();
  CHECK(x.cumsum(1).grad_fn_name() == "CumsumBackward0");
  for (int64_t dim : {0, 1, 2, -1})
    CHECK(tg::autograd::gradcheck([dim](const Inputs& in) { return in[0].cumsum(dim); }, {x}));
  CHECK(tg::autograd::gradcheck([](const Inputs& in) { return in[0].transpose(0, 2).cumsum(1); }, {x}));
}

TEST_CASE("cumsum names a dim out of range") {
  CHECK_THROWS_WITH_AS(tg::zeros({2, 3}).cumsum(2),
                       "cumsum: dim = 2 is out of range; expected [-2, 1] for a 2-d tensor", tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::scalar_tensor(1.0).cumsum(1),
                       "cumsum: dim = 1 is out of range; expected [-1, 0] for a 0-d tensor", tg::IndexError);
}

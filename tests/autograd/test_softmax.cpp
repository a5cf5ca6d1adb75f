#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <cmath>

#include "../support/golden.h"


namespace {

using Op = tg::Tensor (*)(const tg::Tensor&, int64_t);

void check_golden(const std::string& prefix, const tg::Tensor& x, const tg::Tensor& out, double tolerance = 1e-10) {
  golden::linalg.check_close(out, prefix + "/out", tolerance, tolerance);
  out.backward(golden::linalg.tensor(prefix + "/g", out.dtype()));
  golden::linalg.check_close(x.grad(), prefix + "/grad_x", tolerance, tolerance);
}

}  // namespace

TEST_CASE("softmax and log_softmax match PyTorch along first, middle, last and negative dims") {
  for (auto [name, op] : {std::pair<const char*, Op>{"softmax", tg::softmax}, {"log_softmax", tg::log_softmax}}) {
    CAPTURE(name);
    const std::string prefix = name;
    tg::Tensor last = golden::linalg.leaf(prefix + "/last/x");
    check_golden(prefix + "/last", last, op(last, -1));
    tg::Tensor first = golden::linalg.leaf(prefix + "/first/x");
    check_golden(prefix + "/first", first, op(first, 0));
    tg::Tensor middle = golden::linalg.leaf(prefix + "/middle/x");
    check_golden(prefix + "/middle", middle, op(middle, 1));
  }
}

TEST_CASE("softmax and log_softmax of a transposed view match PyTorch") {
  tg::Tensor x = golden::linalg.leaf("softmax/transposed/x");
  check_golden("softmax/transposed", x, x.t().softmax(1));
  tg::Tensor y = golden::linalg.leaf("log_softmax/transposed/x");
  check_golden("log_softmax/transposed", y, y.t().log_softmax(1));
}

TEST_CASE("softmax and log_softmax stay finite for inputs of magnitude 1000") {
  tg::Tensor x = golden::linalg.leaf("softmax/large/x");
  tg::Tensor out = x.softmax(1);
  for (double v : out.to_vector<double>()) CHECK(std::isfinite(v));
  check_golden("softmax/large", x, out);
  tg::Tensor y = golden::linalg.leaf("log_softmax/large/x");
  check_golden("log_softmax/large", y, y.log_softmax(1));
}

TEST_CASE("softmax of float32 agrees with the float64 golden values") {
  tg::Tensor x = golden::linalg.leaf("softmax/middle/x", tg::kFloat32);
  tg::Tensor out = x.softmax(1);
  CHECK(out.dtype() == tg::kFloat32);
  check_golden("softmax/middle", x, out, 1e-6);
}

TEST_CASE("softmax of equal logits is uniform and log_softmax is -log(n)") {
  tg::Tensor x = tg::zeros({2, 4});
  for (float v : x.softmax(1).to_vector<float>()) CHECK(v == 0.25f);
  for (float v : x.log_softmax(-1).to_vector<float>()) CHECK(v == doctest::Approx(-std::log(4.0)));
}

TEST_CASE("softmax records SoftmaxBackward0 and log_softmax LogSoftmaxBackward0") {
  tg::Tensor x = tg::randn({2, 3}).requires_grad_();
  CHECK(x.softmax(0).grad_fn_name() == "SoftmaxBackward0");
  CHECK(x.log_softmax(0).grad_fn_name() == "LogSoftmaxBackward0");
}

TEST_CASE("softmax and log_softmax pass gradcheck") {
  tg::manual_seed(6);
  tg::Tensor x = tg::randn({2, 3, 4}, tg::kFloat64).requires_grad_();
  for (int64_t dim : {0, 1, 2, -1}) {
    CAPTURE(dim);
    CHECK(tg::autograd::gradcheck([dim](const std::vector<tg::Tensor>& in) { return in[0].softmax(dim); }, {x}));
    CHECK(tg::autograd::gradcheck([dim](const std::vector<tg::Tensor>& in) { return in[0].log_softmax(dim); }, {x}));
  }
}

TEST_CASE("softmax of a 0-d tensor is 1") {
  CHECK(tg::scalar_tensor(3.0).softmax(0).item<float>() == 1.0f);
  CHECK(tg::scalar_tensor(3.0).log_softmax(-1).item<float>() == 0.0f);
}

TEST_CASE("softmax rejects integer input and a bad dim") {
  CHECK_THROWS_WITH_AS(tg::arange(3).softmax(0), doctest::Contains("softmax: input has dtype torch.int64"),
                       tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::zeros({2, 3}).log_softmax(2), doctest::Contains("log_softmax: dim = 2 is out of range"),
                       tg::IndexError);
}

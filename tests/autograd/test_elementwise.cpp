// Binary elementwise ops: values and broadcast gradients against PyTorch 1.13,
// and finite differences.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <functional>

#include "../support/golden.h"

namespace {

using BinaryFn = std::function<tg::Tensor(const tg::Tensor&, const tg::Tensor&)>;

struct BinaryCase {
  const char* name;
  bool positive_a;  // pow needs a positive base
  BinaryFn fn;
};

const std::vector<BinaryCase>& cases() {
  static const std::vector<BinaryCase> all = {
      {"add", false, [](const tg::Tensor& a, const tg::Tensor& b) { return a + b; }},
      {"sub", false, [](const tg::Tensor& a, const tg::Tensor& b) { return a - b; }},
      {"mul", false, [](const tg::Tensor& a, const tg::Tensor& b) { return a * b; }},
      {"div", false, [](const tg::Tensor& a, const tg::Tensor& b) { return a / b; }},
      {"add_alpha", false, [](const tg::Tensor& a, const tg::Tensor& b) { return a.add(b, 2.5); }},
      {"sub_alpha", false, [](const tg::Tensor& a, const tg::Tensor& b) { return a.sub(b, 0.5); }},
      {"pow", true, [](const tg::Tensor& a, const tg::Tensor& b) { return a.pow(b); }},
      {"maximum", false, [](const tg::Tensor& a, const tg::Tensor& b) { return tg::maximum(a, b); }},
      {"minimum", false, [](const tg::Tensor& a, const tg::Tensor& b) { return tg::minimum(a, b); }},
      {"where", false, [](const tg::Tensor& a, const tg::Tensor& b) { return tg::where(a > b, a, b); }},
  };
  return all;
}

bool gradcheck2(const BinaryFn& fn, const tg::Tensor& a, const tg::Tensor& b) {
  return tg::autograd::gradcheck([fn](const std::vector<tg::Tensor>& in) { return fn(in[0], in[1]); }, {a, b});
}

tg::Tensor f64(const tg::Tensor& t) { return t.to(tg::kFloat64).requires_grad_(); }

}  // namespace

TEST_CASE("broadcast binary ops match PyTorch values and gradients") {
  // a (2, 3) op b (3,), backward seeded with w (2, 3): b's gradient sums over rows.
  for (const BinaryCase& c : cases()) {
    INFO(std::string(c.name));
    tg::Tensor a = golden::core.leaf(c.positive_a ? "bin/a_pos" : "bin/a");
    tg::Tensor b = golden::core.leaf("bin/b");
    const tg::Tensor out = c.fn(a, b);
    const std::string key = std::string("bin/") + c.name;
    golden::core.check_close(out, key + "/out", 1e-14, 1e-15);
    out.backward(golden::core.tensor("bin/w"));
    golden::core.check_close(a.grad(), key + "/grad_a", 1e-13, 1e-15);
    golden::core.check_close(b.grad(), key + "/grad_b", 1e-13, 1e-15);
  }
}

TEST_CASE("gradcheck passes for every binary op, same shapes and broadcast") {
  const tg::Tensor a = tg::tensor({{0.7, -1.3, 2.1}, {1.4, 0.45, -0.6}}, tg::kFloat64);
  const tg::Tensor b = tg::tensor({{1.1, 0.35, -1.7}, {-0.8, 2.3, 0.95}}, tg::kFloat64);
  for (const BinaryCase& c : cases()) {
    INFO(std::string(c.name));
    const tg::Tensor base = c.positive_a ? a.abs() + 0.5 : a;
    CHECK(gradcheck2(c.fn, f64(base), f64(b)));                            // (2, 3) op (2, 3)
    CHECK(gradcheck2(c.fn, f64(base), f64(b[0])));                         // (2, 3) op (3)
    CHECK(gradcheck2(c.fn, f64(base.narrow(1, 0, 1)), f64(b[1])));         // (2, 1) op (3)
    CHECK(gradcheck2(c.fn, f64(base[1][2]), f64(b)));                      // 0-d op (2, 3)
    CHECK(gradcheck2(c.fn, f64(base.unsqueeze(1)), f64(b.unsqueeze(0))));  // (2, 1, 3) op (1, 2, 3)
  }
}

TEST_CASE("gradcheck passes when only one operand requires grad") {
  const tg::Tensor a = tg::tensor({0.7, 1.3, 2.1}, tg::kFloat64);
  const tg::Tensor b = tg::tensor({1.1, 0.35, -1.7}, tg::kFloat64);
  for (const BinaryCase& c : cases()) {
    INFO(std::string(c.name));
    CHECK(gradcheck2(c.fn, f64(a), b));
    CHECK(gradcheck2(c.fn, a, f64(b)));
  }
}

TEST_CASE("gradcheck passes for C++ scalar operands on either side") {
  const tg::Tensor x = tg::tensor({{0.7, 1.3}, {2.1, 0.4}}, tg::kFloat64).requires_grad_();
  using In = const std::vector<tg::Tensor>&;
  CHECK(tg::autograd::gradcheck([](In in) { return in[0] + 2.0; }, {x}));
  CHECK(tg::autograd::gradcheck([](In in) { return 3 - in[0]; }, {x}));
  CHECK(tg::autograd::gradcheck([](In in) { return in[0] * -1.5; }, {x}));
  CHECK(tg::autograd::gradcheck([](In in) { return 2.0 / in[0]; }, {x}));
  CHECK(tg::autograd::gradcheck([](In in) { return in[0] / 4; }, {x}));
  CHECK(tg::autograd::gradcheck([](In in) { return 1.0 - in[0] * in[0] + in[0] / 3.0; }, {x}));
}

TEST_CASE("a tensor used twice receives both gradients") {
  tg::Tensor x = tg::tensor({3.0}, tg::kFloat64).requires_grad_();
  (x * x + x).backward(tg::ones({1}, tg::kFloat64));
  CHECK(x.grad().item<double>() == 7.0);  // 2x + 1
  CHECK(tg::autograd::gradcheck([](const std::vector<tg::Tensor>& in) { return in[0] * in[0] * in[0]; },
                                {tg::tensor({1.5, -2.0}, tg::kFloat64).requires_grad_()}));
}

TEST_CASE("maximum and minimum split the gradient evenly at ties, as PyTorch") {
  tg::Tensor a = tg::tensor({1.0, 2.0, 3.0}, tg::kFloat64).requires_grad_();
  tg::Tensor b = tg::tensor({1.0, 5.0, 3.0}, tg::kFloat64).requires_grad_();
  tg::maximum(a, b).sum().backward();
  golden::core.check_close(a.grad(), "tie/maximum/grad_a", 0, 0);
  golden::core.check_close(b.grad(), "tie/maximum/grad_b", 0, 0);
  a.mutable_grad() = tg::Tensor();
  b.mutable_grad() = tg::Tensor();
  tg::minimum(a, b).sum().backward();
  golden::core.check_close(a.grad(), "tie/minimum/grad_a", 0, 0);
  golden::core.check_close(b.grad(), "tie/minimum/grad_b", 0, 0);
}

TEST_CASE("pow with a zero base takes the exponent's gradient as 0 there") {
  tg::Tensor base = tg::tensor({0.0, 2.0, 0.0}, tg::kFloat64).requires_grad_();
  tg::Tensor exponent = tg::tensor({2.0, 3.0, 0.5}, tg::kFloat64).requires_grad_();
  base.pow(exponent).sum().backward();
  golden::core.check_close(base.grad(), "pow_zero_base/grad_a");
  golden::core.check_close(exponent.grad(), "pow_zero_base/grad_b");
}

TEST_CASE("binary ops record the PyTorch grad_fn names") {
  const tg::Tensor x = tg::ones({2}).requires_grad_();
  const tg::Tensor y = tg::ones({2});
  CHECK((x + y).grad_fn_name() == "AddBackward0");
  CHECK((x - y).grad_fn_name() == "SubBackward0");
  CHECK((x * y).grad_fn_name() == "MulBackward0");
  CHECK((x / y).grad_fn_name() == "DivBackward0");
  CHECK(x.pow(y).grad_fn_name() == "PowBackward1");
  CHECK(tg::maximum(x, y).grad_fn_name() == "MaximumBackward0");
  CHECK(tg::minimum(y, x).grad_fn_name() == "MinimumBackward0");
  CHECK(tg::where(y > 0.0, x, y).grad_fn_name() == "WhereBackward0");
  CHECK((x * 2.0).grad_fn_name() == "MulBackward0");
}

TEST_CASE("an op with no input requiring grad records nothing") {
  const tg::Tensor x = tg::ones({2}), y = tg::ones({2});
  const tg::Tensor z = x * y + 1.0;
  CHECK_FALSE(z.requires_grad());
  CHECK(z.is_leaf());
  CHECK(z.grad_fn_name().empty());
}

TEST_CASE("comparisons are not differentiable: their bool result does not require grad") {
  const tg::Tensor x = tg::ones({2}).requires_grad_();
  const tg::Tensor c = x > 0.5;
  CHECK(c.dtype() == tg::kBool);
  CHECK_FALSE(c.requires_grad());
  CHECK_FALSE(x.eq(x).requires_grad());
}

TEST_CASE("where sends the gradient to the chosen branch only, and none to the condition") {
  tg::Tensor a = tg::tensor({1.0f, 2.0f, 3.0f}).requires_grad_();
  tg::Tensor b = tg::tensor({10.0f}).requires_grad_();  // broadcast branch
  const tg::Tensor cond = tg::tensor({true, false, false});
  tg::where(cond, a, b).backward(tg::tensor({1.0f, 2.0f, 4.0f}));
  CHECK(a.grad().to_vector<float>() == std::vector<float>{1, 0, 0});
  CHECK(b.grad().to_vector<float>() == std::vector<float>{6});
}

TEST_CASE("a float32 input of a float64 op receives a float32 gradient") {
  tg::Tensor x = tg::tensor({1.5f, -2.0f}).requires_grad_();
  tg::Tensor y = tg::tensor({2.0, 0.5}, tg::kFloat64).requires_grad_();
  const tg::Tensor z = x * y;
  CHECK(z.dtype() == tg::kFloat64);
  z.sum().backward();
  CHECK(x.grad().dtype() == tg::kFloat32);
  CHECK(x.grad().to_vector<float>() == std::vector<float>{2.0f, 0.5f});
  CHECK(y.grad().dtype() == tg::kFloat64);
  CHECK(y.grad().to_vector<double>() == std::vector<double>{1.5, -2.0});
}

TEST_CASE("an integer operand of a float op needs and gets no gradient") {
  tg::Tensor x = tg::tensor({1.0f, 2.0f}).requires_grad_();
  const tg::Tensor ids = tg::tensor({3, 4});
  const tg::Tensor z = x * ids;
  CHECK(z.dtype() == tg::kFloat32);
  z.sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{3, 4});
}

TEST_CASE("to(dtype) is differentiable and casts the gradient back") {
  tg::Tensor x = tg::tensor({1.0f, 2.0f}).requires_grad_();
  const tg::Tensor y = x.to(tg::kFloat64) * 3.0;
  CHECK(y.dtype() == tg::kFloat64);
  y.sum().backward();
  CHECK(x.grad().dtype() == tg::kFloat32);
  CHECK(x.grad().to_vector<float>() == std::vector<float>{3, 3});
  CHECK_THROWS_WITH_AS(x.to(tg::kInt64), doctest::Contains("would drop its gradient"), tg::TypeError);
  tg::NoGradGuard no_grad;
  CHECK_NOTHROW(x.detach().to(tg::kInt64));
}

TEST_CASE("broadcasting gradients sum back over new and size-1 dims") {
  tg::Tensor row = tg::tensor({{1.0f, 2.0f, 3.0f}}).requires_grad_();  // (1, 3)
  tg::Tensor col = tg::tensor({{1.0f}, {2.0f}}).requires_grad_();      // (2, 1)
  tg::Tensor scalar = tg::tensor(2.0f).requires_grad_();               // 0-d
  ((row * col) * scalar).unsqueeze(0).expand({4, 2, 3}).sum().backward();
  CHECK(row.grad().sizes() == tg::Shape{1, 3});
  CHECK(row.grad().to_vector<float>() == std::vector<float>{24, 24, 24});  // 4 * (1 + 2) * 2
  CHECK(col.grad().to_vector<float>() == std::vector<float>{48, 48});      // 4 * 6 * 2
  CHECK(scalar.grad().dim() == 0);
  CHECK(scalar.grad().item<float>() == 72.0f);  // 4 * 6 * 3
}

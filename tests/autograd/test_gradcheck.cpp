// gradcheck itself: it must pass correct rules, catch wrong ones with a message
// that locates the mismatch, and refuse inputs it cannot check.
#include <doctest/doctest.h>

#include <tapegrad/autograd/node.h>
#include <tapegrad/tapegrad.h>

#include "../support/fixtures.h"

namespace {

using In = const std::vector<tg::Tensor>&;

// x^2 with the backward rule 3x instead of 2x.
tg::Tensor wrong_square(const tg::Tensor& x) {
  tg::Tensor out = x.detach() * x.detach();
  if (!tg::autograd::should_record({x})) return out;
  return tg::autograd::record("WrongSquareBackward", out, {x},
                              [saved = tg::autograd::SavedTensor(x)](const tg::Tensor& grad) -> tg::autograd::Gradients {
                                return {grad * saved.get() * 3.0};
                              });
}

tg::Tensor input() { return tg::tensor({0.5, -1.5, 2.0}, tg::kFloat64).requires_grad_(); }

}  // namespace

TEST_CASE("gradcheck returns true for a correct rule") {
  CHECK(tg::autograd::gradcheck([](In in) { return in[0] * in[0]; }, {input()}));
}

TEST_CASE("gradcheck catches a wrong rule and names the input, the elements and both values") {
  CHECK_THROWS_WITH_AS(tg::autograd::gradcheck([](In in) { return wrong_square(in[0]); }, {input()}),
                       doctest::Contains("Jacobian mismatch for inputs[0] element 0 and output element 0: analytic "
                                         "1.5, numeric 1"),
                       tg::Error);
}

TEST_CASE("gradcheck leaves the inputs' values as they were") {
  const tg::Tensor x = input();
  tg::autograd::gradcheck([](In in) { return in[0].exp(); }, {x});
  CHECK(x.to_vector<double>() == std::vector<double>{0.5, -1.5, 2.0});
  CHECK_FALSE(x.grad().defined());  // it uses autograd::grad, not .grad
}

TEST_CASE("gradcheck checks only the inputs that require grad") {
  const tg::Tensor constant = tg::tensor({2.0, 3.0, 4.0}, tg::kFloat64);
  CHECK(tg::autograd::gradcheck([](In in) { return in[0] * in[1]; }, {input(), constant}));
  // A float32 input that does not require grad is allowed.
  CHECK(tg::autograd::gradcheck([](In in) { return in[0] * in[1]; }, {input(), tg::ones({3})}));
}

TEST_CASE("gradcheck passes an output that does not depend on the input") {
  CHECK(tg::autograd::gradcheck([](In in) { return in[0] * 0.0 + 1.0; }, {input()}));
}

TEST_CASE("gradcheck compares a sparse gradient through its dense form") {
  const tg::Tensor table = tg::tensor({{0.5, 1.0}, {-2.0, 0.25}, {3.0, 1.5}}, tg::kFloat64).requires_grad_();
  CHECK(tg::autograd::gradcheck([](In in) { return fixtures::sparse_lookup(in[0], {2, 0, 2}).tanh(); }, {table}));
}

TEST_CASE("gradcheck honours its tolerances") {
  tg::autograd::GradcheckOptions loose;
  loose.atol = 10.0;
  CHECK(tg::autograd::gradcheck([](In in) { return wrong_square(in[0]); }, {input()}, loose));
}

TEST_CASE("gradcheck refuses float32 inputs that require grad, and calls with nothing to check") {
  CHECK_THROWS_WITH_AS(tg::autograd::gradcheck([](In in) { return in[0] * 2.0; }, {tg::ones({2}).requires_grad_()}),
                       doctest::Contains("inputs[0] has dtype torch.float32; expected torch.float64"), tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::autograd::gradcheck([](In in) { return in[0] * 2.0; }, {tg::ones({2}, tg::kFloat64)}),
                       doctest::Contains("no input requires grad"), tg::ValueError);
}

TEST_CASE("gradcheck refuses an expanded input whose elements overlap") {
  const tg::Tensor expanded = tg::tensor({1.0}, tg::kFloat64).expand({3}).requires_grad_();
  CHECK_THROWS_WITH_AS(tg::autograd::gradcheck([](In in) { return in[0] * 2.0; }, {expanded}),
                       doctest::Contains("stride 0 in dim 0"), tg::ValueError);
}

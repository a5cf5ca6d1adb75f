// Broadcasting and PyTorch's type promotion for + - * / and comparisons, checked
// against the table gen_core.py records from PyTorch 1.13.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <variant>

#include "../support/golden.h"

namespace {

using Operand = std::variant<tg::Tensor, tg::Scalar>;
const char* const kDtypes[] = {"float32", "float64", "int32", "int64", "bool"};

// The operands gen_core.py names: t_<dtype> a 1-d tensor, z_<dtype> a 0-d tensor,
// s_bool / s_int / s_float a C++ scalar (a Python number in the generator).
Operand operand(const std::string& kind) {
  const std::string form = kind.substr(0, 1), name = kind.substr(2);
  if (form == "s") {
    if (name == "bool") return tg::Scalar(true);
    if (name == "int") return tg::Scalar(2);
    return tg::Scalar(2.5);
  }
  const tg::Dtype dtype = golden::dtype_named(name);
  tg::Tensor base = dtype == tg::kBool ? tg::tensor({true, false}) : tg::tensor({3, 2}).to(dtype);
  return form == "t" ? base : base[0].clone();
}

tg::Tensor apply(const std::string& op, const Operand& lhs, const Operand& rhs) {
  if (const auto* s = std::get_if<tg::Scalar>(&lhs)) {
    const tg::Tensor& b = std::get<tg::Tensor>(rhs);
    if (op == "add") return *s + b;
    if (op == "sub") return *s - b;
    if (op == "mul") return *s * b;
    if (op == "div") return *s / b;
    if (op == "eq") return b == *s;
    return b > *s;  // s < b
  }
  const tg::Tensor& a = std::get<tg::Tensor>(lhs);
  if (const auto* s = std::get_if<tg::Scalar>(&rhs)) {
    if (op == "add") return a + *s;
    if (op == "sub") return a - *s;
    if (op == "mul") return a * *s;
    if (op == "div") return a / *s;
    if (op == "eq") return a == *s;
    return a < *s;
  }
  const tg::Tensor& b = std::get<tg::Tensor>(rhs);
  if (op == "add") return a + b;
  if (op == "sub") return a - b;
  if (op == "mul") return a * b;
  if (op == "div") return a / b;
  if (op == "eq") return a == b;
  return a < b;
}

std::vector<std::pair<std::string, std::string>> operand_pairs() {
  std::vector<std::string> tensors, zeros;
  for (const char* d : kDtypes) {
    tensors.push_back(std::string("t_") + d);
    zeros.push_back(std::string("z_") + d);
  }
  const std::vector<std::string> scalars = {"s_bool", "s_int", "s_float"};
  std::vector<std::string> rights = tensors;
  rights.insert(rights.end(), zeros.begin(), zeros.end());
  rights.insert(rights.end(), scalars.begin(), scalars.end());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& l : tensors)
    for (const auto& r : rights) out.emplace_back(l, r);
  for (const auto& l : zeros)
    for (const auto& r : rights) out.emplace_back(l, r);
  for (const auto& l : scalars)
    for (const auto& r : tensors) out.emplace_back(l, r);
  return out;
}

void check_promotion_table(const std::string& op) {
  for (const auto& [lhs, rhs] : operand_pairs()) {
    const std::string key = "promo/" + op + "/" + lhs + "/" + rhs;
    const std::string& want = golden::core.text(key);  // a dtype name or "error"
    INFO(key << " (torch: " << want << ")");
    if (want == "error") {
      CHECK_THROWS_AS(apply(op, operand(lhs), operand(rhs)), tg::TypeError);
    } else {
      tg::Tensor out;
      REQUIRE_NOTHROW(out = apply(op, operand(lhs), operand(rhs)));
      CHECK(golden::name_of(out.dtype()) == want);
    }
  }
}

}  // namespace

TEST_CASE("addition promotes like PyTorch for every pair of dtypes, 0-d tensors and C++ scalars") {
  check_promotion_table("add");
}
TEST_CASE("subtraction promotes like PyTorch and refuses bool operands") { check_promotion_table("sub"); }
TEST_CASE("multiplication promotes like PyTorch for every pair of operands") { check_promotion_table("mul"); }
TEST_CASE("division is true division and promotes like PyTorch for every pair of operands") {
  check_promotion_table("div");
}
TEST_CASE("== compares across every pair of operands and returns bool") { check_promotion_table("eq"); }
TEST_CASE("< compares across every pair of operands and returns bool") { check_promotion_table("lt"); }

TEST_CASE("the promotion rules quoted in the API: int + 1, int * 2.5, int + 0-d double, int / int") {
  const tg::Tensor ids = tg::tensor({1, 2, 3});
  CHECK((ids + 1).dtype() == tg::kInt64);
  CHECK((ids + 1).to_vector<int64_t>() == std::vector<int64_t>{2, 3, 4});
  CHECK((ids * 2.5).dtype() == tg::kFloat32);
  CHECK((ids * 2.5).to_vector<float>() == std::vector<float>{2.5f, 5.0f, 7.5f});
  CHECK((ids + tg::scalar_tensor(0.5, tg::kFloat64)).dtype() == tg::kFloat64);
  CHECK((ids / tg::tensor({2, 2, 2})).dtype() == tg::kFloat32);
  CHECK((ids / tg::tensor({2, 2, 2})).to_vector<float>() == std::vector<float>{0.5f, 1.0f, 1.5f});
  // A 0-d float64 tensor does not raise a float32 tensor: same category.
  CHECK((tg::ones({2}) * tg::scalar_tensor(2.0, tg::kFloat64)).dtype() == tg::kFloat32);
  // Two 0-d tensors promote normally.
  CHECK((tg::scalar_tensor(1, tg::kInt32) + tg::scalar_tensor(1, tg::kInt64)).dtype() == tg::kInt64);
}

TEST_CASE("unary ops keep or promote integer dtypes like PyTorch and refuse bool where it does") {
  struct Op {
    const char* name;
    std::function<tg::Tensor(const tg::Tensor&)> fn;
  };
  const std::vector<Op> ops = {
      {"neg", [](const tg::Tensor& t) { return -t; }},
      {"exp", [](const tg::Tensor& t) { return t.exp(); }},
      {"log", [](const tg::Tensor& t) { return t.log(); }},
      {"sqrt", [](const tg::Tensor& t) { return t.sqrt(); }},
      {"abs", [](const tg::Tensor& t) { return t.abs(); }},
      {"sigmoid", [](const tg::Tensor& t) { return t.sigmoid(); }},
      {"tanh", [](const tg::Tensor& t) { return t.tanh(); }},
      {"relu", [](const tg::Tensor& t) { return t.relu(); }},
      {"pow2", [](const tg::Tensor& t) { return t.pow(2.0); }},
      {"pow_half", [](const tg::Tensor& t) { return t.pow(0.5); }},
  };
  for (const Op& op : ops)
    for (const char* d : kDtypes) {
      const std::string key = std::string("unary_dtype/") + op.name + "/" + d;
      const std::string want = golden::core.text(key);
      INFO(key << " (torch: " << want << ")");
      const tg::Tensor input = std::get<tg::Tensor>(operand(std::string("t_") + d));
      if (want == "error") {
        CHECK_THROWS_AS(op.fn(input), tg::TypeError);
      } else {
        CHECK(golden::name_of(op.fn(input).dtype()) == want);
      }
    }
}

TEST_CASE("integer arithmetic matches PyTorch values, true division included") {
  const tg::Tensor a = tg::tensor({7, -7, 9, 0});
  const tg::Tensor b = tg::tensor({2, 2, -4, 3});
  golden::core.check_close(a + b, "int/add");
  CHECK((a + b).dtype() == tg::kInt64);
  golden::core.check_close(a * b, "int/mul");
  golden::core.check_close(a / b, "int/div", 1e-7);
  golden::core.check_close(a + 1, "int/add1");
  golden::core.check_close(a * 2.5, "int/mul2_5");
}

TEST_CASE("integer subtraction stays integer, also with alpha and in place") {
  const tg::Tensor a = tg::tensor({7, -7, 9});
  const tg::Tensor b = tg::tensor({2, 2, -4});
  CHECK((a - b).dtype() == tg::kInt64);
  CHECK((a - b).to_vector<int64_t>() == std::vector<int64_t>{5, -9, 13});
  CHECK(a.add(b, 2).to_vector<int64_t>() == std::vector<int64_t>{11, -3, 1});
  CHECK(a.sub(b, 3).to_vector<int64_t>() == std::vector<int64_t>{1, -13, 21});
  tg::Tensor c = a.clone();
  c.sub_(b);
  CHECK(c.dtype() == tg::kInt64);
  CHECK(c.to_vector<int64_t>() == std::vector<int64_t>{5, -9, 13});
  c.add_(b, 2);
  CHECK(c.to_vector<int64_t>() == std::vector<int64_t>{9, -5, 5});
}

TEST_CASE("a floating alpha with integer operands is refused, as in PyTorch") {
  const tg::Tensor a = tg::tensor({1, 2});
  CHECK_THROWS_WITH_AS(a.add(a, 0.5), doctest::Contains("alpha"), tg::TypeError);
  tg::Tensor c = a.clone();
  CHECK_THROWS_WITH_AS(c.add_(a, 0.5), doctest::Contains("alpha"), tg::TypeError);
}

TEST_CASE("in-place ops refuse a result dtype the destination cannot hold") {
  tg::Tensor ints = tg::tensor({1, 2});
  CHECK_THROWS_WITH_AS(ints.add_(tg::tensor({0.5f, 0.5f})), doctest::Contains("can't be cast"), tg::TypeError);
  CHECK_THROWS_WITH_AS(ints.div_(2.0), doctest::Contains("floating"), tg::TypeError);
  CHECK(ints.to_vector<int64_t>() == std::vector<int64_t>{1, 2});  // untouched
  // A float destination takes an integer operand.
  tg::Tensor floats = tg::tensor({1.5f, 2.5f});
  floats.add_(tg::tensor({1, 2}));
  CHECK(floats.to_vector<float>() == std::vector<float>{2.5f, 4.5f});
}

TEST_CASE("comparisons broadcast and match PyTorch") {
  const tg::Tensor a = tg::tensor({{1, 2, 3}, {4, 5, 6}});
  const tg::Tensor b = tg::tensor({3, 2, 7});
  golden::core.check_close(a == b, "cmp/eq");
  golden::core.check_close(a != b, "cmp/ne");
  golden::core.check_close(a < b, "cmp/lt");
  golden::core.check_close(a <= b, "cmp/le");
  golden::core.check_close(a > b, "cmp/gt");
  golden::core.check_close(a >= b, "cmp/ge");
  CHECK((a >= b).dtype() == tg::kBool);
}

TEST_CASE("comparing across dtypes promotes before comparing") {
  // 3 (int) == 3.0 (float), and 2 < 2.5 only if 2.5 is not truncated.
  CHECK((tg::tensor({3, 2}) == tg::tensor({3.0f, 2.5f})).to_vector<bool>() == std::vector<bool>{true, false});
  CHECK((tg::tensor({3, 2}) < 2.5).to_vector<bool>() == std::vector<bool>{false, true});
}

TEST_CASE("broadcasting follows the right-aligned rule, with size-1 and missing dims") {
  const tg::Tensor a = tg::ones({4, 1, 3});
  const tg::Tensor b = tg::ones({2, 1});
  CHECK((a + b).sizes() == tg::Shape{4, 2, 3});
  CHECK((tg::ones({}) + tg::ones({2, 3})).sizes() == tg::Shape{2, 3});
  CHECK((tg::ones({0, 3}) * tg::ones({3})).sizes() == tg::Shape{0, 3});
  CHECK((tg::ones({1, 0}) * tg::ones({5, 1})).sizes() == tg::Shape{5, 0});
}

TEST_CASE("incompatible shapes are refused with both shapes in the message") {
  CHECK_THROWS_WITH_AS(tg::ones({2, 3}) + tg::ones({4}), doctest::Contains("[2, 3] and [4] cannot be broadcast"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::ones({2, 3}) < tg::ones({2}), doctest::Contains("cannot be broadcast"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::where(tg::ones({3}, tg::kBool), tg::ones({2}), tg::ones({2})),
                       doctest::Contains("cannot be broadcast"), tg::ValueError);
}

TEST_CASE("where broadcasts, promotes its branches and wants a bool condition") {
  const tg::Tensor cond = tg::tensor({{true, false, true}});
  const tg::Tensor out = tg::where(cond, tg::tensor({1, 2, 3}), tg::tensor({{0.5}, {1.5}}));
  CHECK(out.dtype() == tg::kFloat32);
  CHECK(out.sizes() == tg::Shape{2, 3});
  CHECK(out.to_vector<float>() == std::vector<float>{1, 0.5f, 3, 1, 1.5f, 3});
  CHECK_THROWS_WITH_AS(tg::where(tg::tensor({1, 0}), tg::ones({2}), tg::zeros({2})),
                       doctest::Contains("expected torch.bool"), tg::TypeError);
}

TEST_CASE("maximum and minimum promote and propagate NaN") {
  const double nan = std::nan("");
  const tg::Tensor a = tg::tensor({1.0, nan, 3.0}, tg::kFloat64);
  const tg::Tensor b = tg::tensor({2, 0, 1});
  const tg::Tensor hi = tg::maximum(a, b), lo = tg::minimum(a, b);
  CHECK(hi.dtype() == tg::kFloat64);
  const auto h = hi.to_vector<double>(), l = lo.to_vector<double>();
  CHECK(h[0] == 2.0);
  CHECK(std::isnan(h[1]));
  CHECK(h[2] == 3.0);
  CHECK(l[0] == 1.0);
  CHECK(std::isnan(l[1]));
  CHECK(l[2] == 1.0);
  CHECK(tg::maximum(tg::tensor({1, 5}), tg::tensor({3, 2})).to_vector<int64_t>() == std::vector<int64_t>{3, 5});
}

TEST_CASE("elementwise ops refuse sparse operands") {
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{0}}), tg::tensor({1.0f}), {2});
  CHECK_THROWS_WITH_AS(s + tg::ones({2}), doctest::Contains("sparse"), tg::TypeError);
  CHECK_THROWS_WITH_AS(s.exp(), doctest::Contains("sparse"), tg::TypeError);
  CHECK_THROWS_WITH_AS(s < 1, doctest::Contains("sparse"), tg::TypeError);
}

TEST_CASE("an integer tensor takes an integral C++ scalar in place but refuses a fractional one") {
  tg::Tensor ids = tg::tensor({1, 2});
  ids.mul_(3.0);  // the scalar overloads take a double: 3.0 stands for the integer 3
  ids.add_(1.0);
  CHECK(ids.to_vector<int64_t>() == std::vector<int64_t>{4, 7});
  CHECK_THROWS_WITH_AS(ids.mul_(2.5), doctest::Contains("result type torch.float32 can't be cast"), tg::TypeError);
  CHECK_THROWS_WITH_AS(ids.add_(0.5), doctest::Contains("can't be cast to the destination's dtype torch.int64"),
                       tg::TypeError);
  CHECK(ids.to_vector<int64_t>() == std::vector<int64_t>{4, 7});
}

TEST_CASE("integers to negative integer powers are refused, as in PyTorch") {
  CHECK_THROWS_WITH_AS(tg::tensor({2, 3}).pow(-1.0), doctest::Contains("exponent = -1 is a negative integer"),
                       tg::ValueError);
  CHECK(tg::tensor({2, 3}).pow(-0.5).dtype() == tg::kFloat32);
  CHECK(tg::tensor({2, 3}).pow(3.0).to_vector<int64_t>() == std::vector<int64_t>{8, 27});
}

TEST_CASE("clamp of an integer tensor with a fractional bound gives float32, as in PyTorch") {
  const tg::Tensor out = tg::tensor({1, 2, 3}).clamp(0.5, 2.5);
  CHECK(out.dtype() == tg::kFloat32);
  CHECK(out.to_vector<float>() == std::vector<float>{1, 2, 2.5f});
  CHECK(tg::tensor({1, 2, 3}).clamp(2.0, std::nullopt).dtype() == tg::kInt64);
}

TEST_CASE("softplus refuses integer tensors, as in PyTorch") {
  CHECK_THROWS_WITH_AS(tg::tensor({1, 2}).softplus(), doctest::Contains("expected a floating dtype"), tg::TypeError);
}

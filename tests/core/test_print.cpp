// Printing must match PyTorch 1.13's str(t) character for character. The golden
// cases (tests/golden/print.txt, from gen_print.py) describe each tensor by its
// values, dtype, shape, views and autograd suffixes; the hand cases below check the
// path through tg::to_string / operator<< / fmt with real autograd tensors.
#include <doctest/doctest.h>

#include <tapegrad/core/print.h>
#include <tapegrad/tapegrad.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "../support/golden.h"

namespace {

// A case is the records "<case>/<field>" of print.txt; gen_print.py lists the fields.

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

tg::Shape to_shape(const std::vector<std::string>& items, size_t from = 0) {
  tg::Shape shape;
  for (size_t i = from; i < items.size(); ++i) shape.push_back(std::stoll(items[i]));
  return shape;
}

// The fill formulas of gen_print.py, in the same double arithmetic. The product is
// stored before the sum so that no fused multiply-add changes the last bit.
double fill_value(const std::vector<std::string>& fill, int64_t i) {
  if (fill[0] == "arange") {
    volatile double product = static_cast<double>(i) * std::strtod(fill[2].c_str(), nullptr);
    return std::strtod(fill[1].c_str(), nullptr) + product;
  }
  const int64_t mul = std::stoll(fill[1]), mod = std::stoll(fill[2]);
  volatile double product = static_cast<double>((i * mul) % mod) * std::strtod(fill[3].c_str(), nullptr);
  return product + std::strtod(fill[4].c_str(), nullptr);
}

// The large summarised tensors are given by a fill formula instead of their values.
tg::Tensor filled(const std::string& name) {
  const std::vector<std::string> fill = words(golden::print.text(name + "/fill"));
  const tg::Shape shape = golden::print.tensor(name + "/shape").to_vector<int64_t>();
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return tg::dispatch(golden::dtype_named(golden::print.text(name + "/dtype")), [&]<class T>() {
    std::vector<T> data;
    for (int64_t i = 0; i < n; ++i) {
      const double v = fill_value(fill, i);
      if constexpr (std::is_same_v<T, bool>) data.push_back(v != 0);
      else data.push_back(static_cast<T>(v));
    }
    return tg::from_vector<T>(data, shape);
  });
}

tg::Tensor build(const std::string& name) {
  tg::Tensor t = golden::print.has(name + "/values") ? golden::print.tensor(name + "/values") : filled(name);
  for (int k = 0; golden::print.has(name + "/view" + std::to_string(k)); ++k) {
    const std::vector<std::string> view = words(golden::print.text(name + "/view" + std::to_string(k)));
    if (view[0] == "transpose") t = t.transpose(std::stoll(view[1]), std::stoll(view[2]));
    if (view[0] == "narrow") t = t.narrow(std::stoll(view[1]), std::stoll(view[2]), std::stoll(view[3]));
    if (view[0] == "expand") t = t.expand(to_shape(view, 1));
  }
  if (golden::print.has(name + "/indices"))
    t = tg::sparse_coo_tensor(golden::print.tensor(name + "/indices"), t,
                              golden::print.tensor(name + "/sparse_size").to_vector<int64_t>());
  return t;
}

}  // namespace

TEST_CASE("every golden tensor prints exactly as PyTorch 1.13 prints it") {
  const std::vector<std::string> cases = golden::print.cases("", "expected");
  CHECK(cases.size() >= 40);
  for (const std::string& name : cases) {
    INFO("case: ", name);
    const std::vector<std::string> suffixes =
        golden::print.has(name + "/suffix") ? std::vector<std::string>{golden::print.text(name + "/suffix")}
                                            : std::vector<std::string>{};
    CHECK(tg::core::format_tensor(build(name), suffixes) == golden::print.text(name + "/expected"));
  }
}

TEST_CASE("a leaf that requires grad prints requires_grad=True") {
  const tg::Tensor w = tg::tensor({0.5, -1.0}).requires_grad_();
  CHECK(tg::to_string(w) == "tensor([ 0.5000, -1.0000], requires_grad=True)");
}

TEST_CASE("an op result prints its grad_fn after the dtype") {
  const tg::Tensor x = tg::tensor({0.0}, tg::kFloat64).requires_grad_();
  CHECK(tg::to_string(x.sigmoid()) == "tensor([0.5000], dtype=torch.float64, grad_fn=<SigmoidBackward0>)");
}

TEST_CASE("operator<< and fmt::format print what to_string prints") {
  const tg::Tensor t = tg::tensor({{1, 2}, {3, 4}});
  std::ostringstream out;
  out << t;
  CHECK(out.str() == "tensor([[1, 2],\n        [3, 4]])");
  CHECK(fmt::format("{}", t) == out.str());
}

TEST_CASE("an undefined tensor prints as libtorch prints it") {
  CHECK(tg::to_string(tg::Tensor()) == "[ Tensor (undefined) ]");
}

TEST_CASE("a sparse gradient prints its unsorted indices as stored") {
  // Rows 2 and 0 of a (4, 1) table, not sorted: printed in stored order, as
  // PyTorch prints _indices() without coalescing.
  const tg::Tensor grad = tg::sparse_coo_tensor(tg::tensor({{2, 0}}), tg::tensor({{0.25}, {-1.0}}), {4, 1});
  CHECK(tg::to_string(grad) ==
        "tensor(indices=tensor([[2, 0]]),\n"
        "       values=tensor([[ 0.2500],\n"
        "                      [-1.0000]]),\n"
        "       size=(4, 1), nnz=2, layout=torch.sparse_coo)");
}

TEST_CASE("a negative zero keeps its sign and, being zero, does not widen the column") {
  CHECK(tg::to_string(tg::tensor({-0.0, 3.0})) == "tensor([-0., 3.])");
}

TEST_CASE("a 1e6-element tensor prints as a summary of its edges") {
  // Its cost (edges only, microseconds) is measured in bench/, not here.
  const tg::Tensor big = tg::arange(1000000, tg::kFloat32);
  const std::string text = tg::to_string(big);
  CHECK(text == "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.0000e+06, 1.0000e+06,\n"
                "        1.0000e+06])");
}

TEST_CASE("a nan with its sign bit set prints as nan, as Python prints it") {
  CHECK(tg::to_string(tg::tensor({-std::nan(""), 1.5})) == "tensor([   nan, 1.5000])");
}

// Printing must match PyTorch 1.13's str(t) character for character. The golden
// cases (tests/golden/print.txt, from gen_print.py) describe each tensor by its
// values, dtype, shape, views and autograd suffixes; the hand cases below check the
// path through tg::to_string / operator<< / fmt with real autograd tensors.
#include <doctest/doctest.h>

#include <tapegrad/core/print.h>
#include <tapegrad/tapegrad.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct GoldenCase {
  std::string name;
  tg::Dtype dtype = tg::kFloat32;
  tg::Shape shape;
  std::vector<std::string> values;  // row-major, as Python wrote them
  std::vector<std::string> fill;    // {"arange", start, step} or {"mod", mul, mod, scale, offset}
  std::vector<std::vector<std::string>> views;
  tg::Shape sparse_size;
  bool is_sparse = false;
  tg::Shape indices_shape;
  std::vector<int64_t> indices;
  std::vector<std::string> suffixes;
  std::string expected;
};

std::vector<std::string> words(std::istringstream& in) {
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

tg::Shape to_shape(const std::vector<std::string>& items, size_t from = 0) {
  tg::Shape shape;
  for (size_t i = from; i < items.size(); ++i) shape.push_back(std::stoll(items[i]));
  return shape;
}

tg::Dtype parse_dtype(const std::string& name) {
  if (name == "float64") return tg::kFloat64;
  if (name == "int32") return tg::kInt32;
  if (name == "int64") return tg::kInt64;
  if (name == "bool") return tg::kBool;
  return tg::kFloat32;
}

std::vector<GoldenCase> read_golden() {
  std::ifstream file(std::string(TAPEGRAD_GOLDEN_DIR) + "/print.txt");
  REQUIRE_MESSAGE(file.good(), "missing tests/golden/print.txt; run tests/golden/gen_print.py");
  std::vector<GoldenCase> cases;
  GoldenCase current;
  for (std::string line; std::getline(file, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    std::istringstream in(rest);
    if (key == "case") {
      current = GoldenCase{};
      current.name = rest;
    } else if (key == "dtype") {
      current.dtype = parse_dtype(rest);
    } else if (key == "shape") {
      current.shape = to_shape(words(in));
    } else if (key == "values") {
      current.values = words(in);
    } else if (key == "fill") {
      current.fill = words(in);
    } else if (key == "view") {
      current.views.push_back(words(in));
    } else if (key == "sparse") {
      current.is_sparse = true;
      current.sparse_size = to_shape(words(in));
    } else if (key == "indices_shape") {
      current.indices_shape = to_shape(words(in));
    } else if (key == "indices") {
      for (const std::string& w : words(in)) current.indices.push_back(std::stoll(w));
    } else if (key == "suffix") {
      current.suffixes.push_back(rest);
    } else if (key == "expected") {
      const int count = std::stoi(rest);
      for (int i = 0; i < count; ++i) {
        std::getline(file, line);
        current.expected += (i > 0 ? "\n" : "") + line;
      }
    } else if (key == "end") {
      cases.push_back(current);
    }
  }
  return cases;
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

template <class T> T element(const GoldenCase& c, int64_t i) {
  if (!c.fill.empty()) {
    const double v = fill_value(c.fill, i);
    if constexpr (std::is_same_v<T, bool>) return v != 0;
    else return static_cast<T>(v);
  }
  const std::string& text = c.values[i];
  if constexpr (std::is_same_v<T, bool>) return text == "1";
  else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(std::strtod(text.c_str(), nullptr));
  else return static_cast<T>(std::stoll(text));
}

tg::Tensor build(const GoldenCase& c) {
  int64_t n = 1;
  for (int64_t s : c.shape) n *= s;
  tg::Tensor t = tg::dispatch(c.dtype, [&]<class T>() {
    std::vector<T> data;
    for (int64_t i = 0; i < n; ++i) data.push_back(element<T>(c, i));
    return tg::from_vector<T>(data, c.shape);
  });
  for (const auto& view : c.views) {
    if (view[0] == "transpose") t = t.transpose(std::stoll(view[1]), std::stoll(view[2]));
    if (view[0] == "narrow") t = t.narrow(std::stoll(view[1]), std::stoll(view[2]), std::stoll(view[3]));
    if (view[0] == "expand") t = t.expand(to_shape(view, 1));
  }
  if (c.is_sparse) t = tg::sparse_coo_tensor(tg::from_vector<int64_t>(c.indices, c.indices_shape), t, c.sparse_size);
  return t;
}

}  // namespace

TEST_CASE("every golden tensor prints exactly as PyTorch 1.13 prints it") {
  const std::vector<GoldenCase> cases = read_golden();
  CHECK(cases.size() >= 40);
  for (const GoldenCase& c : cases) {
    INFO("case: ", c.name);
    CHECK(tg::core::format_tensor(build(c), c.suffixes) == c.expected);
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

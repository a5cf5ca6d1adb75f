// `std::cout << t.sizes()` and `std::cout << t.dtype()` print what PyTorch users read:
// "[2, 3]" and "torch.float32". tg::Shape stays a std::vector<int64_t> for everything else.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace {

template <class T> std::string streamed(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

TEST_CASE("sizes and strides stream as [2, 3]; a 0-d tensor's as []") {
  const tg::Tensor t = tg::zeros({2, 3});
  CHECK(streamed(t.sizes()) == "[2, 3]");
  CHECK(streamed(t.strides()) == "[3, 1]");
  CHECK(streamed(tg::zeros({}).sizes()) == "[]");
  CHECK(streamed(tg::zeros({0, 7, 1}).sizes()) == "[0, 7, 1]");
  CHECK(streamed(tg::Shape{-1}) == "[-1]");
  std::ostringstream line;
  line << "x: " << t.sizes() << ", " << t.dtype() << '\n';
  CHECK(line.str() == "x: [2, 3], torch.float32\n");
}

TEST_CASE("every dtype streams as PyTorch spells it") {
  CHECK(streamed(tg::kFloat32) == "torch.float32");
  CHECK(streamed(tg::kFloat64) == "torch.float64");
  CHECK(streamed(tg::kInt32) == "torch.int32");
  CHECK(streamed(tg::kInt64) == "torch.int64");
  CHECK(streamed(tg::kBool) == "torch.bool");
  CHECK(streamed(tg::arange(3).dtype()) == "torch.int64");
}

TEST_CASE("tg::Shape converts both ways with std::vector<int64_t> and compares with it") {
  static_assert(std::is_convertible_v<tg::Shape, std::vector<int64_t>>);
  static_assert(std::is_convertible_v<std::vector<int64_t>, tg::Shape>);
  const std::vector<int64_t> plain = tg::zeros({4, 5}).sizes();
  CHECK(plain == std::vector<int64_t>{4, 5});
  CHECK(tg::zeros({4, 5}).sizes() == plain);
  const tg::Shape back = plain;
  CHECK(tg::ones(back).numel() == 20);
  CHECK(tg::ones(plain).sizes() == tg::Shape{4, 5});
  CHECK(tg::Shape(3, 1) == tg::Shape{1, 1, 1});
}

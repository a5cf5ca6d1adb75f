#pragma once
// tg::Shape: sizes, strides and dim lists. A std::vector<int64_t> in everything but its
// name, which is tg's own so that argument-dependent lookup finds tg's operator<<:
// `std::cout << t.sizes()` prints "[2, 3]" as libtorch prints an IntArrayRef.
#include <cstdint>
#include <iosfwd>
#include <utility>
#include <vector>

namespace tg {

class Shape : public std::vector<int64_t> {
 public:
  using std::vector<int64_t>::vector;
  Shape() = default;
  // Either way with std::vector<int64_t>, implicitly: code written for the plain vector keeps working.
  Shape(const std::vector<int64_t>& sizes) : std::vector<int64_t>(sizes) {}
  Shape(std::vector<int64_t>&& sizes) : std::vector<int64_t>(std::move(sizes)) {}
};

// "[2, 3]"; "[]" for a 0-d tensor's sizes (core/shape.cpp).
std::ostream& operator<<(std::ostream& out, const Shape& shape);

}  // namespace tg

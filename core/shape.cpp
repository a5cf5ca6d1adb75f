#include "shape.h"

#include <ostream>

namespace tg {

std::ostream& operator<<(std::ostream& out, const Shape& shape) {
  out << '[';
  for (size_t i = 0; i < shape.size(); ++i) out << (i == 0 ? "" : ", ") << shape[i];
  return out << ']';
}

}  // namespace tg

#include "dtype.h"

#include <algorithm>
#include <ostream>

namespace tg {

size_t element_size(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32: return 4;
    case Dtype::Float64: return 8;
    case Dtype::Int32: return 4;
    case Dtype::Int64: return 8;
    case Dtype::Bool: return 1;
  }
  return 1;
}

bool is_floating(Dtype dtype) { return dtype == Dtype::Float32 || dtype == Dtype::Float64; }

const char* dtype_name(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32: return "torch.float32";
    case Dtype::Float64: return "torch.float64";
    case Dtype::Int32: return "torch.int32";
    case Dtype::Int64: return "torch.int64";
    case Dtype::Bool: return "torch.bool";
  }
  return "?";
}

const char* legacy_type_name(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32: return "torch.FloatTensor";
    case Dtype::Float64: return "torch.DoubleTensor";
    case Dtype::Int32: return "torch.IntTensor";
    case Dtype::Int64: return "torch.LongTensor";
    case Dtype::Bool: return "torch.BoolTensor";
  }
  return "?";
}

static int rank(Dtype dtype) {
  switch (dtype) {
    case Dtype::Bool: return 0;
    case Dtype::Int32: return 1;
    case Dtype::Int64: return 2;
    case Dtype::Float32: return 3;
    case Dtype::Float64: return 4;
  }
  return 0;
}

Dtype promote_types(Dtype a, Dtype b) { return rank(a) >= rank(b) ? a : b; }

std::ostream& operator<<(std::ostream& out, Dtype dtype) { return out << dtype_name(dtype); }

}  // namespace tg

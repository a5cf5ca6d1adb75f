#pragma once
// Reads tests/golden/linalg.txt (written by gen_linalg.py with PyTorch 1.13): one
// tensor per line, `key ndim dims... values...`, stored as float64.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <tapegrad/tapegrad.h>

namespace linalg_golden {

inline const std::map<std::string, tg::Tensor>& table() {
  static const std::map<std::string, tg::Tensor> tensors = [] {
    std::map<std::string, tg::Tensor> out;
    std::ifstream file(TAPEGRAD_GOLDEN_DIR "/linalg.txt");
    std::string line;
    while (std::getline(file, line)) {
      std::istringstream fields(line);
      std::string key;
      int64_t ndim = 0;
      fields >> key >> ndim;
      tg::Shape shape(ndim);
      for (int64_t& d : shape) fields >> d;
      std::vector<double> values;
      double v = 0;
      while (fields >> v) values.push_back(v);
      out.emplace(key, tg::from_vector(values, shape));
    }
    return out;
  }();
  return tensors;
}

// A fresh copy of the stored tensor (tests may modify it), in `dtype`.
inline tg::Tensor get(const std::string& key, tg::Dtype dtype = tg::kFloat64) {
  const auto& tensors = table();
  auto it = tensors.find(key);
  REQUIRE_MESSAGE(it != tensors.end(), "missing golden value " << key << " in linalg.txt");
  return it->second.to(dtype).clone();
}

// An input leaf that requires grad.
inline tg::Tensor leaf(const std::string& key, tg::Dtype dtype = tg::kFloat64) {
  return get(key, dtype).requires_grad_();
}

// Checks shape and every element of `actual` against the stored tensor.
inline void check_close(const tg::Tensor& actual, const std::string& key, double tolerance = 1e-10) {
  INFO("golden value: ", key);
  REQUIRE(actual.defined());
  const tg::Tensor expected = get(key);
  REQUIRE(tg::shape_string(actual.sizes()) == tg::shape_string(expected.sizes()));
  const std::vector<double> got = actual.to(tg::kFloat64).to_vector<double>();
  const std::vector<double> want = expected.to_vector<double>();
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(want[i]).epsilon(tolerance).scale(1.0));
  }
}

}  // namespace linalg_golden

#pragma once
// Reads tests/golden/small_models.txt (written by gen_small_models.py from PyTorch
// 1.13; gen_core.py's record format: key dtype ndim sizes... numel values...).
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace small_golden {

struct Record {
  std::string dtype;
  tg::Shape shape;
  std::vector<double> values;
};

inline const std::map<std::string, Record>& records() {
  static const std::map<std::string, Record> all = [] {
    const std::string path = std::string(TAPEGRAD_GOLDEN_DIR) + "/small_models.txt";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("small_golden: cannot open " + path + "; run tests/golden/gen_small_models.py");
    std::map<std::string, Record> out;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string key, token;
      Record r;
      int64_t ndim = 0, numel = 0;
      fields >> key >> r.dtype >> ndim;
      r.shape.resize(static_cast<size_t>(ndim));
      for (auto& s : r.shape) fields >> s;
      fields >> numel;
      for (int64_t i = 0; i < numel; ++i) {
        fields >> token;  // strtod reads "nan", "inf", "-inf"
        r.values.push_back(std::strtod(token.c_str(), nullptr));
      }
      out.emplace(key, std::move(r));
    }
    return out;
  }();
  return all;
}

inline bool has(const std::string& key) { return records().count(key) != 0; }

inline const Record& get(const std::string& key) {
  auto it = records().find(key);
  if (it == records().end()) throw std::runtime_error("small_golden: no record " + key);
  return it->second;
}

// The record as a tensor of its stored dtype (float64 or int64).
inline tg::Tensor tensor(const std::string& key) {
  const Record& r = get(key);
  if (r.dtype == "int64") return tg::from_vector(std::vector<int64_t>(r.values.begin(), r.values.end()), r.shape);
  return tg::from_vector(r.values, r.shape);
}

// |t - golden| <= atol + rtol |golden| elementwise; NaN matches NaN, infinities exactly.
inline void check_close(const tg::Tensor& t, const std::string& key, double rtol = 1e-10, double atol = 1e-12) {
  const Record& r = get(key);
  INFO("golden record " << key);
  REQUIRE(t.sizes() == r.shape);
  tg::NoGradGuard no_grad;
  const std::vector<double> got = t.to(tg::kFloat64).to_vector<double>();
  for (size_t i = 0; i < got.size(); ++i) {
    const double want = r.values[i];
    INFO("element " << i << ": got " << got[i] << ", want " << want);
    if (std::isnan(want)) CHECK(std::isnan(got[i]));
    else if (std::isinf(want)) CHECK(got[i] == want);
    else CHECK(std::abs(got[i] - want) <= atol + rtol * std::abs(want));
  }
}

}  // namespace small_golden

#pragma once
// Reads tests/golden/core.txt (written by gen_core.py from PyTorch 1.13) and
// compares tensors with its records. Header-only; used by tests/core and
// tests/autograd. A record line is: key dtype ndim sizes... numel values...
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

namespace core_golden {

struct Record {
  std::string dtype;  // "float32", ..., or "error"
  tg::Shape shape;
  std::vector<double> values;
};

inline std::map<std::string, Record> load() {
  const std::string path = std::string(TAPEGRAD_GOLDEN_DIR) + "/core.txt";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("core_golden: cannot open " + path + "; run tests/golden/gen_core.py");
  std::map<std::string, Record> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string key, token;
    Record r;
    int64_t ndim = 0, numel = 0;
    fields >> key >> r.dtype >> ndim;
    r.shape.resize(ndim);
    for (auto& s : r.shape) fields >> s;
    fields >> numel;
    for (int64_t i = 0; i < numel; ++i) {
      fields >> token;  // strtod reads "nan", "inf", "-inf"
      r.values.push_back(std::strtod(token.c_str(), nullptr));
    }
    out.emplace(key, std::move(r));
  }
  return out;
}

inline const Record& get(const std::string& key) {
  static const std::map<std::string, Record> records = load();
  auto it = records.find(key);
  if (it == records.end()) throw std::runtime_error("core_golden: no record " + key);
  return it->second;
}

inline tg::Dtype dtype_named(const std::string& name) {
  if (name == "float32") return tg::kFloat32;
  if (name == "float64") return tg::kFloat64;
  if (name == "int32") return tg::kInt32;
  if (name == "int64") return tg::kInt64;
  if (name == "bool") return tg::kBool;
  throw std::runtime_error("core_golden: unknown dtype " + name);
}

inline std::string name_of(tg::Dtype dtype) {
  std::string full = tg::dtype_name(dtype);  // "torch.float32"
  return full.substr(full.find('.') + 1);
}

// The record as a tensor of its own dtype (or `dtype` when given).
inline tg::Tensor tensor(const std::string& key, std::optional<tg::Dtype> dtype = std::nullopt) {
  const Record& r = get(key);
  tg::Tensor t = tg::from_vector(r.values, r.shape);
  tg::NoGradGuard no_grad;
  return t.to(dtype.value_or(dtype_named(r.dtype)));
}

inline std::vector<double> as_doubles(const tg::Tensor& t) {
  tg::NoGradGuard no_grad;
  return t.to(tg::kFloat64).to_vector<double>();
}

// t has the record's shape and values: |t - golden| <= atol + rtol |golden|, NaN
// matching NaN and infinities matching exactly.
inline void check_close(const tg::Tensor& t, const std::string& key, double rtol = 1e-12, double atol = 1e-12) {
  const Record& r = get(key);
  INFO("golden record " << key);
  REQUIRE(t.sizes() == r.shape);
  const std::vector<double> got = as_doubles(t);
  for (size_t i = 0; i < got.size(); ++i) {
    const double want = r.values[i];
    INFO("element " << i << ": got " << got[i] << ", want " << want);
    if (std::isnan(want)) {
      CHECK(std::isnan(got[i]));
    } else if (std::isinf(want)) {
      CHECK(got[i] == want);
    } else {
      CHECK(std::abs(got[i] - want) <= atol + rtol * std::abs(want));
    }
  }
}

}  // namespace core_golden

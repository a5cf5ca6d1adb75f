#pragma once
// Reads tests/golden/embedding.txt (written by gen_embedding.py with PyTorch 1.13):
// one tensor per line, "<case>/<field> <f64|f32|i64> <ndim> <sizes...> <values...>".
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.h>

namespace golden {

struct Entry {
  std::string kind;
  tg::Shape shape;
  std::vector<double> values;
};

inline const std::map<std::string, Entry>& all() {
  static const std::map<std::string, Entry> entries = [] {
    std::map<std::string, Entry> out;
    std::ifstream in(std::string(TAPEGRAD_GOLDEN_DIR) + "/embedding.txt");
    REQUIRE_MESSAGE(in.good(), "cannot open " TAPEGRAD_GOLDEN_DIR "/embedding.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string key;
      Entry e;
      int64_t ndim = 0;
      fields >> key >> e.kind >> ndim;
      e.shape.resize(static_cast<size_t>(ndim));
      for (auto& s : e.shape) fields >> s;
      // strtod, not >>, so that "inf" and "nan" parse too
      std::string token;
      while (fields >> token) e.values.push_back(std::strtod(token.c_str(), nullptr));
      out.emplace(key, std::move(e));
    }
    return out;
  }();
  return entries;
}

inline bool has(const std::string& key) { return all().count(key) != 0; }

inline const Entry& entry(const std::string& key) {
  auto it = all().find(key);
  if (it == all().end()) FAIL("no golden value " << key);
  return it->second;
}

// The stored tensor, in its stored dtype.
inline tg::Tensor tensor(const std::string& key) {
  const Entry& e = entry(key);
  if (e.kind == "i64") {
    std::vector<int64_t> v(e.values.begin(), e.values.end());
    return tg::from_vector(v, e.shape);
  }
  if (e.kind == "f32") {
    std::vector<float> v(e.values.begin(), e.values.end());
    return tg::from_vector(v, e.shape);
  }
  return tg::from_vector(e.values, e.shape);
}

inline double scalar(const std::string& key) { return entry(key).values.at(0); }

// Case names that have a field `field` ("spec_plain" for "spec_plain/W").
inline std::vector<std::string> cases_with(const std::string& prefix, const std::string& field) {
  std::vector<std::string> out;
  for (const auto& [key, _] : all()) {
    const auto slash = key.find('/');
    if (key.compare(0, prefix.size(), prefix) == 0 && key.substr(slash + 1) == field) out.push_back(key.substr(0, slash));
  }
  return out;
}

// Element-wise comparison with a relative tolerance; names the first mismatch.
inline void check_close(const tg::Tensor& actual, const std::string& key, double rtol = 1e-12, double atol = 1e-12) {
  const Entry& e = entry(key);
  INFO("golden value " << key);
  REQUIRE(actual.sizes() == e.shape);
  const tg::Tensor dense = actual.is_sparse() ? actual.to_dense() : actual;
  const std::vector<double> got = dense.to(tg::kFloat64).to_vector<double>();
  for (size_t i = 0; i < got.size(); ++i) {
    const double want = e.values[i];
    if (std::isnan(want)) {
      CHECK_MESSAGE(std::isnan(got[i]), "element " << i);
      continue;
    }
    if (std::abs(got[i] - want) > atol + rtol * std::abs(want)) {
      CHECK_MESSAGE(got[i] == doctest::Approx(want), "element " << i << " of " << key);
      return;
    }
  }
}

}  // namespace golden

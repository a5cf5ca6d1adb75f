// Reads the record format of tests/golden/golden_writer.py.
#include "golden.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace golden {

struct Contents {
  std::vector<std::string> order;  // keys in file order
  std::map<std::string, Record> records;
};

namespace {

constexpr tg::Dtype kDtypes[] = {tg::kFloat32, tg::kFloat64, tg::kInt32, tg::kInt64, tg::kBool};

[[noreturn]] void malformed(const std::string& where, const std::string& what) {
  throw std::runtime_error("golden file " + where + ": " + what);
}

// One value token as T, the whole token consumed: floats through strtod (which reads
// "nan", "inf" and "-inf") then cast, integers exactly, bools as 0 or 1.
template <class T> T parse_value(const std::string& token, const std::string& where) {
  const char* begin = token.c_str();
  char* end = nullptr;
  errno = 0;
  if constexpr (std::is_same_v<T, bool>) {
    if (token != "0" && token != "1") malformed(where, "bool value '" + token + "' is not 0 or 1");
    return token == "1";
  } else if constexpr (std::is_floating_point_v<T>) {
    const double v = std::strtod(begin, &end);
    if (end == begin || *end != '\0') malformed(where, "'" + token + "' is not a number");
    return static_cast<T>(v);
  } else {
    const long long v = std::strtoll(begin, &end, 10);
    if (end == begin || *end != '\0' || errno == ERANGE) malformed(where, "'" + token + "' is not an integer");
    return static_cast<T>(v);
  }
}

// "<ndim> <size...> <value...>" as a tensor of `dtype`.
tg::Tensor parse_tensor(tg::Dtype dtype, const std::string& fields, const std::string& where) {
  std::istringstream in(fields);
  int64_t ndim = -1;
  if (!(in >> ndim) || ndim < 0) malformed(where, "expected the number of dimensions");
  tg::Shape shape(static_cast<size_t>(ndim));
  int64_t numel = 1;
  for (int64_t& s : shape) {
    if (!(in >> s) || s < 0) malformed(where, "expected " + std::to_string(ndim) + " sizes");
    numel *= s;
  }
  std::vector<std::string> tokens;
  for (std::string token; in >> token;) tokens.push_back(token);
  if (static_cast<int64_t>(tokens.size()) != numel)
    malformed(where, std::to_string(tokens.size()) + " values for " + std::to_string(numel) + " elements");
  return tg::dispatch(dtype, [&]<class T>() {
    std::vector<T> values;
    values.reserve(tokens.size());
    for (const std::string& token : tokens) values.push_back(parse_value<T>(token, where));
    return tg::from_vector<T>(values, shape);
  });
}

// Undoes golden_writer's escapes: "\\" and "\n".
std::string unescape(const std::string& text, const std::string& where) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size() || (text[i] != '\\' && text[i] != 'n')) malformed(where, "bad escape in text");
    out += text[i] == 'n' ? '\n' : '\\';
  }
  return out;
}

Contents read(const std::string& name) {
  const std::string path = std::string(TAPEGRAD_GOLDEN_DIR) + "/" + name;
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open " + path + "; its generator is tests/golden/gen_*.py");
  Contents out;
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    const std::string where = name + ":" + std::to_string(number);
    const size_t key_end = line.find(' ');
    Record r;
    const std::string key = line.substr(0, key_end);
    const size_t type_end = key_end == std::string::npos ? key_end : line.find(' ', key_end + 1);
    r.type = key_end == std::string::npos ? "" : line.substr(key_end + 1, type_end - key_end - 1);
    const std::string rest = type_end == std::string::npos ? "" : line.substr(type_end + 1);
    if (r.type == "text") {
      r.text = unescape(rest, where);
    } else if (r.type == "none") {
      if (!rest.empty()) malformed(where, "a none record has nothing after 'none'");
    } else {
      r.tensor = parse_tensor(dtype_named(r.type), rest, where);
    }
    if (!out.records.emplace(key, std::move(r)).second) malformed(where, "key " + key + " appears twice");
    out.order.push_back(key);
  }
  return out;
}

}  // namespace

const Contents& File::contents() const {
  // Each file is parsed once per process, whichever File object asks first.
  static std::map<std::string, std::unique_ptr<Contents>> cache;
  std::unique_ptr<Contents>& slot = cache[name_];
  if (!slot) slot = std::make_unique<Contents>(read(name_));
  return *slot;
}

bool File::has(const std::string& key) const { return contents().records.count(key) != 0; }

const Record& File::at(const std::string& key) const {
  const auto& records = contents().records;
  const auto it = records.find(key);
  if (it == records.end()) throw std::runtime_error("golden file " + name_ + " has no record " + key);
  return it->second;
}

tg::Tensor File::tensor(const std::string& key, std::optional<tg::Dtype> dtype) const {
  const Record& r = at(key);
  if (!r.tensor.defined())
    throw std::runtime_error("golden record " + name_ + ":" + key + " is " + r.type + ", not a tensor");
  tg::NoGradGuard no_grad;
  return dtype ? r.tensor.to(*dtype).clone() : r.tensor.clone();
}

tg::Tensor File::leaf(const std::string& key, std::optional<tg::Dtype> dtype) const {
  return tensor(key, dtype).requires_grad_();
}

double File::scalar(const std::string& key) const {
  const tg::Tensor t = tensor(key);
  if (t.numel() != 1) throw std::runtime_error("golden record " + name_ + ":" + key + " is not one value");
  return values_of(t)[0];
}

const std::string& File::text(const std::string& key) const {
  const Record& r = at(key);
  if (r.type != "text") throw std::runtime_error("golden record " + name_ + ":" + key + " is " + r.type + ", not text");
  return r.text;
}

bool File::is_none(const std::string& key) const { return at(key).type == "none"; }

std::vector<std::string> File::cases(const std::string& prefix, const std::string& field) const {
  std::vector<std::string> out;
  const std::string suffix = "/" + field;
  for (const std::string& key : contents().order)
    if (key.size() > suffix.size() && key.compare(0, prefix.size(), prefix) == 0 &&
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(key.substr(0, key.size() - suffix.size()));
  return out;
}

void File::check_close(const tg::Tensor& actual, const std::string& key, double rtol, double atol) const {
  INFO("golden record " << name_ << ":" << key);
  golden::check_close(actual, tensor(key), rtol, atol);
}

tg::Dtype dtype_named(const std::string& name) {
  for (tg::Dtype d : kDtypes)
    if (name_of(d) == name) return d;
  throw std::runtime_error("unknown golden dtype '" + name + "'; expected float32, float64, int32, int64 or bool");
}

std::string name_of(tg::Dtype dtype) {
  const std::string full = tg::dtype_name(dtype);  // "torch.float32"
  return full.substr(full.find('.') + 1);
}

std::vector<double> values_of(const tg::Tensor& t) {
  tg::NoGradGuard no_grad;
  const tg::Tensor dense = t.is_sparse() ? t.to_dense() : t;
  return dense.to(tg::kFloat64).to_vector<double>();
}

void check_close(const tg::Tensor& actual, const tg::Tensor& expected, double rtol, double atol) {
  REQUIRE(actual.sizes() == expected.sizes());
  const std::vector<double> got = values_of(actual), want = values_of(expected);
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", want " << want[i]);
    if (std::isnan(want[i])) {
      CHECK(std::isnan(got[i]));
    } else if (std::isinf(want[i])) {
      CHECK(got[i] == want[i]);
    } else {
      CHECK(std::abs(got[i] - want[i]) <= atol + rtol * std::abs(want[i]));
    }
  }
}

}  // namespace golden

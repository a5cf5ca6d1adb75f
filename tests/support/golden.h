#pragma once
// The golden files of tests/golden/: values PyTorch 1.13 computed, written by the
// gen_*.py scripts through golden_writer.py, which documents the one record format.
// Each file is read once, on first use; a missing file, a malformed line or an
// unknown key throws, which fails the test case with the file, line or key named.
#include <tapegrad/tapegrad.h>

#include <optional>
#include <string>
#include <vector>

namespace golden {

// One record: a tensor (type is its dtype's name), a string ("text") or "none".
struct Record {
  std::string type;
  tg::Tensor tensor;
  std::string text;
};

struct Contents;  // a parsed file

// One file, tests/golden/<name>. Cheap to construct; the file is read on first use.
class File {
 public:
  explicit File(std::string name) : name_(std::move(name)) {}

  bool has(const std::string& key) const;
  const Record& at(const std::string& key) const;
  // A fresh copy of a tensor record (tests may modify it), in `dtype` when given.
  tg::Tensor tensor(const std::string& key, std::optional<tg::Dtype> dtype = std::nullopt) const;
  // The same copy, requiring grad: an input of the op under test.
  tg::Tensor leaf(const std::string& key, std::optional<tg::Dtype> dtype = std::nullopt) const;
  double scalar(const std::string& key) const;  // a one-element tensor record
  const std::string& text(const std::string& key) const;
  bool is_none(const std::string& key) const;
  // The cases (keys "<case>/<field>") that start with `prefix` and have `field`, in file order.
  std::vector<std::string> cases(const std::string& prefix, const std::string& field) const;

  // actual has the shape and the values of the tensor record `key` (see golden::check_close).
  void check_close(const tg::Tensor& actual, const std::string& key, double rtol = 1e-12, double atol = 1e-12) const;

 private:
  const Contents& contents() const;
  std::string name_;
};

// The files, one per generator.
inline const File core{"core.txt"};
inline const File embedding{"embedding.txt"};
inline const File embedding_bag{"embedding_bag.txt"};
inline const File index_ops{"index_ops.txt"};
inline const File linalg{"linalg.txt"};
inline const File optim{"optim.txt"};
inline const File print{"print.txt"};
inline const File reduce{"reduce.txt"};
inline const File schedulers{"schedulers.txt"};
inline const File small_models{"small_models.txt"};

// The dtype names of the format: torch's, without "torch.".
tg::Dtype dtype_named(const std::string& name);
std::string name_of(tg::Dtype dtype);

// A tensor's values (dense, row-major) as doubles.
std::vector<double> values_of(const tg::Tensor& t);

// One assertion per element, after a REQUIRE on the shape: |actual - expected| <=
// atol + rtol * |expected|; NaN matches NaN and an infinity only itself. A sparse
// `actual` is compared densified.
void check_close(const tg::Tensor& actual, const tg::Tensor& expected, double rtol = 1e-12, double atol = 1e-12);

}  // namespace golden

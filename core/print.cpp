// Tensor printing, a line-for-line port of PyTorch 1.13's torch/_tensor_str.py at its
// default options, so that `std::cout << t` and Python's str(t) agree character for
// character. The function names below mirror the Python ones (_Formatter,
// _vector_str, _tensor_str_with_formatter, get_summarized_data, _add_suffixes).
//
// Note [what the formatter sees]
// PyTorch picks one number style and one column width per tensor (so columns line up
// across rows), from the elements that will actually be printed: a summarised tensor
// (more than 1000 elements) only looks at its edge items. That also keeps printing a
// 1e6-element tensor cheap: along each long dim only the edge items are read.
#include "print.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <type_traits>

namespace tg::core {

namespace {

constexpr int kPrecision = 4;
constexpr int64_t kThreshold = 1000;  // more elements than this: summarise
constexpr int64_t kEdgeItems = 3;     // items kept at each end of a summarised dim
constexpr int64_t kLineWidth = 80;

// Python prints nan without a sign, whatever its sign bit; fmt would print "-nan".
std::string nonfinite_string(double value) {
  if (std::isnan(value)) return "nan";
  return value > 0 ? "inf" : "-inf";
}

std::string fixed_string(double value, int precision) {
  if (!std::isfinite(value)) return nonfinite_string(value);
  return fmt::format("{:.{}f}", value, precision);
}

std::string scientific_string(double value) {
  if (!std::isfinite(value)) return nonfinite_string(value);
  return fmt::format("{:.{}e}", value, kPrecision);
}

std::string pad_left(std::string text, size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

// "(3, 2)", "(5,)", "()": how Python prints a tuple of sizes.
std::string tuple_string(const Shape& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

// The positions printed along a dim of `size`: all of them, or the edge items when
// summarising (get_summarized_data and the "..." rows of the printer agree on these).
std::vector<int64_t> shown_positions(int64_t size, bool summarize) {
  std::vector<int64_t> positions;
  if (summarize && size > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i) positions.push_back(i);
    for (int64_t i = size - kEdgeItems; i < size; ++i) positions.push_back(i);
  } else {
    for (int64_t i = 0; i < size; ++i) positions.push_back(i);
  }
  return positions;
}

// One number style and width for a whole tensor (PyTorch's _Formatter).
// Integers and bools: their decimal text ("True"/"False"), padded to the widest.
// Floats look only at the finite nonzero elements and choose one of:
//   int mode   every such element is whole: "3." (nan/inf stay bare)
//   sci mode   max/min > 1000, max > 1e8, or (not int mode) min < 1e-4: "1.0000e+10"
//   fixed      otherwise: "3.1416"
// nan, inf and zero never widen a column.
template <class T> class Formatter {
 public:
  explicit Formatter(const std::vector<T>& shown) {
    if constexpr (std::is_floating_point_v<T>) {
      choose_float_style(shown);
    } else {
      for (T value : shown) max_width_ = std::max(max_width_, plain_string(value).size());
    }
  }

  size_t width() const { return max_width_; }

  std::string format(T value) const {
    if constexpr (std::is_floating_point_v<T>) {
      const double v = static_cast<double>(value);
      if (sci_mode_) return pad_left(scientific_string(v), max_width_);
      if (int_mode_) return pad_left(std::isfinite(v) ? fixed_string(v, 0) + "." : nonfinite_string(v), max_width_);
      return pad_left(fixed_string(v, kPrecision), max_width_);
    } else {
      return pad_left(plain_string(value), max_width_);
    }
  }

 private:
  static std::string plain_string(T value) {
    if constexpr (std::is_same_v<T, bool>) return value ? "True" : "False";
    else return fmt::format("{}", value);
  }

  void choose_float_style(const std::vector<T>& shown) {
    std::vector<double> finite_nonzero;
    for (T value : shown)
      if (std::isfinite(value) && value != 0) finite_nonzero.push_back(static_cast<double>(value));
    if (finite_nonzero.empty()) return;  // all zero / nan / inf: int mode, width 1

    // The bounds are compared in double, as PyTorch converts before comparing: a
    // float32 1e-4 is 9.99999974738e-05 and so already calls for scientific notation.
    double min_abs = std::abs(finite_nonzero[0]), max_abs = min_abs;
    for (double v : finite_nonzero) {
      min_abs = std::min(min_abs, std::abs(v));
      max_abs = std::max(max_abs, std::abs(v));
      if (v != std::ceil(v)) int_mode_ = false;
    }
    const bool wide_range = max_abs / min_abs > 1000.0 || max_abs > 1.0e8;
    sci_mode_ = int_mode_ ? wide_range : (wide_range || min_abs < 1.0e-4);
    for (double v : finite_nonzero) {
      size_t len;
      if (sci_mode_) len = scientific_string(v).size();
      else if (int_mode_) len = fixed_string(v, 0).size() + 1;  // + 1 for the "."
      else len = fixed_string(v, kPrecision).size();
      max_width_ = std::max(max_width_, len);
    }
  }

  bool int_mode_ = true;
  bool sci_mode_ = false;
  size_t max_width_ = 1;
};

// Lays out one dense, non-empty tensor's elements (T matches its dtype) as
// _tensor_str_with_formatter does; `indent` is the column the opening "[" sits at.
template <class T> class Printer {
 public:
  explicit Printer(const Tensor& t)
      : data_(static_cast<const T*>(t.raw_data())),
        sizes_(t.sizes()),
        strides_(t.strides()),
        summarize_(t.numel() > kThreshold),
        formatter_(shown_elements()) {}

  std::string str(int64_t indent) const { return tensor_str(0, 0, indent); }

 private:
  int64_t dims() const { return static_cast<int64_t>(sizes_.size()); }

  // get_summarized_data, flattened: every element the printer will show.
  std::vector<T> shown_elements() const {
    std::vector<T> shown;
    collect(0, 0, shown);
    return shown;
  }

  void collect(int64_t dim, int64_t offset, std::vector<T>& shown) const {
    if (dim == dims()) {
      shown.push_back(data_[offset]);
      return;
    }
    for (int64_t i : shown_positions(sizes_[dim], summarize_)) collect(dim + 1, offset + i * strides_[dim], shown);
  }

  bool elided(int64_t dim) const { return summarize_ && sizes_[dim] > 2 * kEdgeItems; }

  std::string tensor_str(int64_t dim, int64_t offset, int64_t indent) const {
    const int64_t remaining = dims() - dim;
    if (remaining == 0) return formatter_.format(data_[offset]);
    if (remaining == 1) return vector_str(dim, offset, indent);

    // Sub-tensors are separated by one blank line per dim below the next one.
    const std::string separator = "," + std::string(remaining - 1, '\n') + std::string(indent + 1, ' ');
    std::string out = "[";
    bool first = true;
    for (int64_t i : shown_positions(sizes_[dim], summarize_)) {
      if (!first) out += separator;
      if (elided(dim) && i == sizes_[dim] - kEdgeItems) out += "..." + separator;
      out += tensor_str(dim + 1, offset + i * strides_[dim], indent + 1);
      first = false;
    }
    return out + "]";
  }

  // One row, wrapped so that a line holds as many ", "-separated columns as fit in
  // the line width; the " ..." of a summarised row counts as one column.
  std::string vector_str(int64_t dim, int64_t offset, int64_t indent) const {
    const int64_t element_length = static_cast<int64_t>(formatter_.width()) + 2;
    const int64_t fit = static_cast<int64_t>(
        std::floor(static_cast<double>(kLineWidth - indent) / static_cast<double>(element_length)));
    const int64_t per_line = std::max<int64_t>(1, fit);

    std::vector<std::string> items;
    for (int64_t i : shown_positions(sizes_[dim], summarize_)) {
      if (elided(dim) && i == sizes_[dim] - kEdgeItems) items.push_back(" ...");
      items.push_back(formatter_.format(data_[offset + i * strides_[dim]]));
    }
    const std::string line_break = ",\n" + std::string(indent + 1, ' ');
    std::string out = "[";
    for (size_t k = 0; k < items.size(); ++k) {
      if (k > 0) out += k % per_line == 0 ? line_break : ", ";
      out += items[k];
    }
    return out + "]";
  }

  const T* data_;
  const Shape& sizes_;
  const Shape& strides_;
  bool summarize_;
  Formatter<T> formatter_;
};

// _tensor_str: the bracketed contents of a dense tensor, without prefix or suffixes.
std::string tensor_str(const Tensor& t, int64_t indent) {
  if (t.numel() == 0) return "[]";
  return dispatch(t.dtype(), [&]<class T>() { return Printer<T>(t).str(indent); });
}

bool has_default_dtype(Dtype dtype) { return dtype == kFloat32 || dtype == kInt64 || dtype == kBool; }

std::string dtype_suffix(Dtype dtype) { return fmt::format("dtype={}", dtype_name(dtype)); }

// _add_suffixes: each suffix goes on the current line while that stays within the
// line width, else on a new line at `indent`. The line-length arithmetic (including
// its "+ 1", which counts 2 when there is no newline) is PyTorch's, kept as is.
std::string add_suffixes(std::string text, const std::vector<std::string>& suffixes, int64_t indent,
                         bool force_newline) {
  const size_t newline = text.rfind('\n');
  const int64_t last_newline = newline == std::string::npos ? -1 : static_cast<int64_t>(newline);
  int64_t last_line_len = static_cast<int64_t>(text.size()) - last_newline + 1;
  for (const std::string& suffix : suffixes) {
    const int64_t suffix_len = static_cast<int64_t>(suffix.size());
    if (force_newline || last_line_len + suffix_len + 2 > kLineWidth) {
      text += ",\n" + std::string(indent, ' ') + suffix;
      last_line_len = indent + suffix_len;
      force_newline = false;
    } else {
      text += ", " + suffix;
      last_line_len += suffix_len + 2;
    }
  }
  return text + ")";
}

// indices=tensor(...) and values=tensor(...) on two lines, each nested at the column
// after its own prefix; an empty part names its size, as it would have no rows.
std::string sparse_contents(const Tensor& t, int64_t indent) {
  const std::string_view indices_prefix = "indices=tensor(";
  const std::string_view values_prefix = "values=tensor(";
  const Tensor indices(t.impl()->sparse->indices);
  const Tensor values(t.impl()->sparse->values);
  std::string indices_str = tensor_str(indices, indent + static_cast<int64_t>(indices_prefix.size()));
  if (indices.numel() == 0) indices_str += ", size=" + tuple_string(indices.sizes());
  std::string values_str = tensor_str(values, indent + static_cast<int64_t>(values_prefix.size()));
  if (values.numel() == 0) values_str += ", size=" + tuple_string(values.sizes());
  return fmt::format("{}{}),\n{}{}{})", indices_prefix, indices_str, std::string(indent, ' '), values_prefix,
                     values_str);
}

}  // namespace

std::string format_tensor(const Tensor& t, const std::vector<std::string>& suffixes) {
  if (!t.defined()) return "[ Tensor (undefined) ]";  // libtorch's spelling
  const std::string prefix = "tensor(";
  const int64_t indent = static_cast<int64_t>(prefix.size());

  // Suffix order is PyTorch's: size, nnz, dtype, layout, then the caller's (autograd).
  std::vector<std::string> all_suffixes;
  std::string contents;
  if (t.is_sparse()) {
    all_suffixes.push_back("size=" + tuple_string(t.sizes()));
    all_suffixes.push_back(fmt::format("nnz={}", t._nnz()));
    if (!has_default_dtype(t.dtype())) all_suffixes.push_back(dtype_suffix(t.dtype()));
    all_suffixes.push_back("layout=torch.sparse_coo");
    contents = sparse_contents(t, indent);
  } else if (t.numel() == 0) {
    // Nothing to show, so the shape (unless it is the plain (0,)) and any dtype but
    // the default float32 are spelled out: an empty int64 tensor does name its dtype.
    if (t.dim() != 1) all_suffixes.push_back("size=" + tuple_string(t.sizes()));
    if (t.dtype() != kFloat32) all_suffixes.push_back(dtype_suffix(t.dtype()));
    contents = "[]";
  } else {
    if (!has_default_dtype(t.dtype())) all_suffixes.push_back(dtype_suffix(t.dtype()));
    contents = tensor_str(t, indent);
  }
  all_suffixes.insert(all_suffixes.end(), suffixes.begin(), suffixes.end());
  return add_suffixes(prefix + contents, all_suffixes, indent, /*force_newline=*/t.is_sparse());
}

}  // namespace tg::core

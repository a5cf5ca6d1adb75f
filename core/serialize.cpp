// The tapegrad file format, version 1 (docs/file-format.md has the byte layout).
// Everything is little-endian. The writer streams entries to a temporary file while
// it accumulates the CRC-32; the reader checks every length against the bytes left
// before it allocates or reads, and checks the CRC before it hands anything back.
#include "serialize.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_map>

#include "files.h"
#include "layout.h"

static_assert(std::endian::native == std::endian::little,
              "tapegrad files are little-endian; a big-endian port must byte-swap in serialize.cpp");

namespace tg::serialize {

namespace {

constexpr char kMagic[8] = {'T', 'A', 'P', 'E', 'G', 'R', 'A', 'D'};
constexpr uint8_t kDense = 0, kSparse = 1;
constexpr uint32_t kMaxDims = 64;
// The smallest entry: an empty name (4), the layout (1), then a 0-d bool tensor: dtype
// (1), ndim (4), nbytes (8) and one data byte.
constexpr uint64_t kMinEntryBytes = 19;

// Whether every product of sizes (each >= 0) fits in int64: numel and each contiguous
// stride. A zero size does not excuse the others: [0, 2^62, 2^62] has stride 2^124.
bool sizes_fit(const Shape& sizes) {
  int64_t product = 1;
  for (int64_t s : sizes)
    if (__builtin_mul_overflow(product, std::max<int64_t>(s, 1), &product)) return false;
  return true;
}

// The first problem with a list of entry names (a NUL byte, a name used twice), or "".
// Sorting positions rather than building a hash set keeps the cost at 8 bytes a name.
std::string name_problem(const NamedTensors& entries) {
  std::vector<size_t> order(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    order[i] = i;
    const std::string& name = entries[i].first;
    if (const size_t nul = name.find('\0'); nul != std::string::npos)
      return fmt::format("entry {}'s name {} holds a NUL byte at position {}; expected names without NUL bytes", i,
                         printable(name), nul);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return entries[a].first < entries[b].first; });
  for (size_t i = 1; i < order.size(); ++i)
    if (entries[order[i]].first == entries[order[i - 1]].first)
      return fmt::format("the name {} is used by entries {} and {}; expected every name once",
                         printable(entries[order[i]].first), order[i - 1], order[i]);
  return "";
}

// Dtype codes are fixed by the format, independent of the enum's order.
uint8_t dtype_code(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32: return 0;
    case Dtype::Float64: return 1;
    case Dtype::Int32: return 2;
    case Dtype::Int64: return 3;
    case Dtype::Bool: return 4;
  }
  return 255;
}

class Writer {
 public:
  explicit Writer(AtomicFile& file) : file_(file) {}
  void bytes(const void* data, size_t size) {
    // Never a null buffer: zlib's crc32 of Z_NULL restarts at 0.
    if (size == 0) return;
    crc_ = crc32_z(crc_, static_cast<const Bytef*>(data), size);
    file_.write(data, size);
  }
  template <class T> void number(T value) { bytes(&value, sizeof value); }
  void string(const std::string& s) {
    number<uint32_t>(static_cast<uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  void dense(const Tensor& t) {
    const Tensor data = core::contiguous(t);
    number<uint8_t>(dtype_code(t.dtype()));
    number<uint32_t>(static_cast<uint32_t>(t.dim()));
    for (int64_t s : t.sizes()) number<int64_t>(s);
    const uint64_t nbytes = static_cast<uint64_t>(t.numel()) * element_size(t.dtype());
    number<uint64_t>(nbytes);
    if (nbytes) bytes(data.raw_data(), nbytes);
  }
  void tensor(const std::string& name, const Tensor& t) {
    if (!t.defined())
      throw ValueError(fmt::format("save: entry {} is an undefined tensor; expected a defined tensor", printable(name)));
    string(name);
    if (!t.is_sparse()) {
      number<uint8_t>(kDense);
      dense(t);
      return;
    }
    number<uint8_t>(kSparse);
    number<uint32_t>(static_cast<uint32_t>(t.dim()));
    for (int64_t s : t.sizes()) number<int64_t>(s);
    number<uint8_t>(t.is_coalesced() ? 1 : 0);
    dense(t.indices());
    dense(t.values());
  }
  void finish() {
    const uint32_t crc = static_cast<uint32_t>(crc_);
    file_.write(&crc, sizeof crc);
  }

 private:
  AtomicFile& file_;
  uLong crc_ = crc32_z(0L, Z_NULL, 0);
};

class Reader {
 public:
  Reader(InputFile& file, std::string path) : file_(file), left_(file.size()), path_(std::move(path)) {}
  uint64_t left() const { return left_; }
  void bytes(void* out, uint64_t size, const char* what) {
    if (size > left_)
      throw Error(fmt::format("load: '{}' is truncated: {} needs {} bytes but only {} remain; expected a complete "
                              "tapegrad file", path_, what, size, left_));
    file_.read(out, size);
    if (size) crc_ = crc32_z(crc_, static_cast<const Bytef*>(out), size);
    left_ -= size;
  }
  template <class T> T number(const char* what) {
    T value;
    bytes(&value, sizeof value, what);
    return value;
  }
  std::string string(const char* what) {
    const uint32_t size = number<uint32_t>(what);
    std::string s(std::min<uint64_t>(size, left_), '\0');
    bytes(s.data(), size, what);
    return s;
  }
  Shape shape(const char* what) {
    const uint32_t ndim = number<uint32_t>(what);
    if (ndim > kMaxDims) corrupt(fmt::format("{} has {} dims (at most {})", what, ndim, kMaxDims));
    Shape sizes(ndim);
    for (int64_t& s : sizes) {
      s = number<int64_t>(what);
      if (s < 0) corrupt(fmt::format("{} has a negative size {}", what, s));
    }
    if (!sizes_fit(sizes))
      corrupt(fmt::format("{} has shape {}, whose sizes multiply past 2^63 - 1", what, shape_string(sizes)));
    return sizes;
  }
  Tensor dense(const char* what) {
    const uint8_t code = number<uint8_t>(what);
    if (code > 4) corrupt(fmt::format("{} has an unknown dtype code {}", what, code));
    constexpr Dtype kByCode[] = {kFloat32, kFloat64, kInt32, kInt64, kBool};
    const Dtype dtype = kByCode[code];
    const Shape sizes = shape(what);
    uint64_t numel = 1;
    for (int64_t s : sizes)
      if (__builtin_mul_overflow(numel, static_cast<uint64_t>(s), &numel)) corrupt(fmt::format("{} is too large", what));
    uint64_t expected = 0;
    if (__builtin_mul_overflow(numel, element_size(dtype), &expected)) corrupt(fmt::format("{} is too large", what));
    const uint64_t nbytes = number<uint64_t>(what);
    if (nbytes != expected)
      corrupt(fmt::format("{} declares {} data bytes for shape {}; expected {}", what, nbytes, shape_string(sizes),
                          expected));
    // Checked before allocating, so a corrupted size cannot ask for more memory than the file holds.
    if (nbytes > left_) bytes(nullptr, nbytes, what);
    Tensor t = core::make_tensor(sizes, dtype);
    bytes(t.raw_data(), nbytes, what);
    if (dtype == kBool) {
      const unsigned char* p = static_cast<const unsigned char*>(t.raw_data());
      for (uint64_t i = 0; i < nbytes; ++i)
        if (p[i] > 1) corrupt(fmt::format("{} holds a bool byte {}", what, p[i]));
    }
    return t;
  }
  void check_crc() {
    const uLong computed = crc_;
    const uint32_t stored = number<uint32_t>("the checksum");
    if (left_ != 0) corrupt(fmt::format("{} unexpected bytes follow the checksum", left_));
    if (stored != static_cast<uint32_t>(computed))
      throw Error(fmt::format("load: '{}' is corrupted: its CRC-32 is {:08x} but its content's is {:08x}; expected "
                              "them to match (the file was damaged after it was written)",
                              path_, stored, static_cast<uint32_t>(computed)));
  }
  [[noreturn]] void corrupt(const std::string& what) {
    throw Error(fmt::format("load: '{}' is corrupted: {}; expected a valid tapegrad file", path_, what));
  }

 private:
  InputFile& file_;
  uint64_t left_;
  std::string path_;
  uLong crc_ = crc32_z(0L, Z_NULL, 0);
};

// Note [Coalesced flag]: a sparse tensor flagged coalesced is trusted to have sorted,
// unique indices (coalesce() returns it as it is, and kernels rely on it), so a file
// that sets the flag over other indices is refused rather than believed.
void check_coalesced(Reader& in, const std::string& name, const Tensor& indices) {
  const int64_t sparse_dim = indices.size(0), nnz = indices.size(1);
  const int64_t* p = indices.data_ptr<int64_t>();  // contiguous: sparse_coo_tensor made it so
  for (int64_t k = 1; k < nnz; ++k) {
    int64_t d = 0;
    while (d < sparse_dim && p[d * nnz + k] == p[d * nnz + k - 1]) ++d;
    if (d == sparse_dim || p[d * nnz + k] < p[d * nnz + k - 1])
      in.corrupt(fmt::format("sparse entry {} is flagged coalesced but its indices at positions {} and {} are {}; "
                             "expected sorted, unique indices", printable(name), k - 1, k,
                             d == sparse_dim ? "equal" : "out of order"));
  }
}

}  // namespace

std::string printable(std::string_view text) {
  constexpr size_t kShown = 200;
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f || c == '\\') out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  out += "'";
  if (text.size() > kShown) out += fmt::format(" (first {} of {} bytes)", kShown, text.size());
  return out;
}

void write_archive(const std::string& path, const Archive& archive) {
  if (const std::string problem = name_problem(archive.entries); !problem.empty())
    throw ValueError(fmt::format("save: '{}': {}", path, problem));
  AtomicFile file(path, "save");  // Note [Atomic files]
  Writer out(file);
  out.bytes(kMagic, sizeof kMagic);
  out.number<uint32_t>(kFormatVersion);
  out.string(archive.kind);
  out.number<uint64_t>(archive.entries.size());
  for (const auto& [name, tensor] : archive.entries) out.tensor(name, tensor);
  out.finish();
  file.commit();
}

Archive read_archive(const std::string& path) {
  InputFile file(path, "load");  // refuses FIFOs, devices and directories before reading
  Reader in(file, path);
  char magic[sizeof kMagic];
  if (in.left() < sizeof magic)
    throw Error(fmt::format("load: '{}' is truncated or not a tapegrad file: {} bytes; expected a header of {}",
                            path, in.left(), sizeof magic + 4));
  in.bytes(magic, sizeof magic, "the header");
  if (std::memcmp(magic, kMagic, sizeof magic) != 0)
    throw Error(fmt::format("load: '{}' is not a tapegrad file: it does not start with \"TAPEGRAD\"", path));
  const uint32_t version = in.number<uint32_t>("the version");
  if (version != kFormatVersion)
    throw Error(fmt::format("load: '{}' has format version {}; expected version {}. It was written by {} version of "
                            "tapegrad", path, version, kFormatVersion, version > kFormatVersion ? "a newer" : "an older"));
  Archive archive;
  archive.kind = in.string("the content kind");
  const uint64_t count = in.number<uint64_t>("the entry count");
  // Note [Memory bounded by the file size]: every entry takes at least kMinEntryBytes of
  // the file, so the count is checked against the bytes left before anything is reserved.
  if (count > in.left() / kMinEntryBytes)
    in.corrupt(fmt::format("it declares {} entries but its {} remaining bytes hold at most {}", count, in.left(),
                           in.left() / kMinEntryBytes));
  archive.entries.reserve(count);
  // A sparse entry's parts wait for the checksum: only then is sparse_coo_tensor asked
  // to check dtypes, shapes and index ranges of content known to be what was written.
  struct SparseEntry {
    size_t position;
    Shape sizes;
    bool coalesced;
    Tensor indices, values;
  };
  std::vector<SparseEntry> sparse;
  for (uint64_t e = 0; e < count; ++e) {
    std::string name = in.string("an entry name");
    const uint8_t layout = in.number<uint8_t>("an entry layout");
    if (layout == kDense) {
      archive.entries.emplace_back(std::move(name), in.dense("a tensor"));
    } else if (layout == kSparse) {
      SparseEntry entry{archive.entries.size(), in.shape("a sparse tensor"), false, {}, {}};
      entry.coalesced = in.number<uint8_t>("a sparse tensor") != 0;
      entry.indices = in.dense("sparse indices");
      entry.values = in.dense("sparse values");
      archive.entries.emplace_back(std::move(name), Tensor());
      sparse.push_back(std::move(entry));
    } else {
      in.corrupt(fmt::format("entry {} ({}) has an unknown layout {}", e, printable(name), layout));
    }
  }
  in.check_crc();
  for (SparseEntry& entry : sparse) {
    const std::string& name = archive.entries[entry.position].first;
    Tensor t;
    try {
      t = sparse_coo_tensor(entry.indices, entry.values, entry.sizes, entry.coalesced);
    } catch (const Error& e) {
      in.corrupt(fmt::format("sparse entry {} is invalid: {}", printable(name), e.what()));
    }
    if (entry.coalesced) check_coalesced(in, name, t.indices());
    archive.entries[entry.position].second = std::move(t);
  }
  if (const std::string problem = name_problem(archive.entries); !problem.empty()) in.corrupt(problem);
  return archive;
}

Archive read_archive(const std::string& path, const std::string& kind) {
  Archive archive = read_archive(path);
  if (archive.kind != kind)
    throw Error(fmt::format("load: '{}' holds {}; expected '{}'", path, printable(archive.kind), kind));
  return archive;
}

std::vector<Tensor> match_targets(const std::string& path, const NamedTensors& loaded, const NamedTensors& targets) {
  std::unordered_map<std::string_view, size_t> position;
  for (size_t i = 0; i < targets.size(); ++i) position.emplace(targets[i].first, i);
  std::vector<Tensor> sources(targets.size());
  for (const auto& [name, value] : loaded) {
    const auto it = position.find(name);
    if (it == position.end())
      throw ValueError(fmt::format("load: '{}' has an entry {} that no target is named; expected names among the "
                                   "targets", path, printable(name)));
    const Tensor& target = targets[it->second].second;
    if (!target.defined() || target.is_sparse() || value.is_sparse() || target.sizes() != value.sizes())
      throw ValueError(fmt::format("load: '{}' entry {} has shape {}; expected a dense tensor of the target's shape {}",
                                   path, printable(name), shape_string(value.sizes()),
                                   target.defined() ? shape_string(target.sizes()) : "(undefined)"));
    sources[it->second] = value;
  }
  for (size_t i = 0; i < targets.size(); ++i)
    if (!sources[i].defined())
      throw ValueError(fmt::format("load: '{}' has no entry {}; expected every target in the file", path,
                                   printable(targets[i].first)));
  return sources;
}

void copy_into_targets(const std::vector<Tensor>& sources, const NamedTensors& targets) {
  for (size_t i = 0; i < targets.size(); ++i) {
    core::copy_into(targets[i].second, sources[i]);
    targets[i].second.bump_version();
  }
}

}  // namespace tg::serialize

namespace tg {

void save(const std::string& path, const Tensor& tensor) { serialize::write_archive(path, {"tensor", {{"", tensor}}}); }

void save(const std::string& path, const NamedTensors& tensors) {
  serialize::write_archive(path, {"named", tensors});
}

Tensor load_tensor(const std::string& path) {
  serialize::Archive archive = serialize::read_archive(path, "tensor");
  if (archive.entries.size() != 1)
    throw Error(fmt::format("load: '{}' holds {} tensors under kind 'tensor'; expected one", path,
                            archive.entries.size()));
  return archive.entries[0].second;
}

NamedTensors load_named(const std::string& path) { return serialize::read_archive(path, "named").entries; }

void load(const std::string& path, Tensor& tensor) {
  Tensor loaded = load_tensor(path);
  if (!tensor.defined()) {
    tensor = loaded;
    return;
  }
  if (tensor.is_sparse() || loaded.is_sparse() || tensor.sizes() != loaded.sizes())
    throw ValueError(fmt::format("load: '{}' holds a {} tensor of shape {}; expected a dense tensor of the target's "
                                 "shape {}", path, loaded.is_sparse() ? "sparse" : "dense",
                                 shape_string(loaded.sizes()), shape_string(tensor.sizes())));
  core::copy_into(tensor, loaded);
  tensor.bump_version();
}

void load(const std::string& path, const NamedTensors& targets) {
  serialize::copy_into_targets(serialize::match_targets(path, load_named(path), targets), targets);
}

// Note [Groups in one file]: kind "groups", each entry named "<group>/<name>". One file
// means one checksum and one rename: the groups are written and verified as a unit.
void save_groups(const std::string& path, const TensorGroups& groups) {
  NamedTensors entries;
  for (const auto& [group, tensors] : groups) {
    if (group.empty() || group.find_first_of(std::string_view("/\0", 2)) != std::string::npos)
      throw ValueError(fmt::format("save: '{}': group name {} is empty or holds '/' or a NUL byte; expected a name "
                                   "such as \"model\"", path, serialize::printable(group)));
    for (const auto& [name, tensor] : tensors) entries.emplace_back(group + "/" + name, tensor);
  }
  serialize::write_archive(path, {"groups", std::move(entries)});
}

TensorGroups load_groups(const std::string& path) {
  serialize::Archive archive = serialize::read_archive(path, "groups");
  TensorGroups groups;
  std::unordered_map<std::string, size_t> position;  // a file may hold many groups
  for (auto& [key, tensor] : archive.entries) {
    const size_t slash = key.find('/');
    if (slash == 0 || slash == std::string::npos)
      throw Error(fmt::format("load: '{}' is corrupted: entry {} has no group; expected \"<group>/<name>\"", path,
                              serialize::printable(key)));
    std::string group = key.substr(0, slash);
    const auto [it, added] = position.emplace(group, groups.size());
    if (added) groups.emplace_back(std::move(group), NamedTensors{});
    groups[it->second].second.emplace_back(key.substr(slash + 1), std::move(tensor));
  }
  return groups;
}

}  // namespace tg

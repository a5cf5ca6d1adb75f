// The tapegrad file format, version 1 (docs/file-format.md has the byte layout).
// Everything is little-endian. The writer streams entries to a temporary file while
// it accumulates the CRC-32; the reader checks every length against the bytes left
// before it allocates or reads, and checks the CRC before it hands anything back.
#include "serialize.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "layout.h"

static_assert(std::endian::native == std::endian::little,
              "tapegrad files are little-endian; a big-endian port must byte-swap in serialize.cpp");

namespace tg::serialize {

namespace {

constexpr char kMagic[8] = {'T', 'A', 'P', 'E', 'G', 'R', 'A', 'D'};
constexpr uint8_t kDense = 0, kSparse = 1;
constexpr uint32_t kMaxDims = 64;

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

std::string system_error(const std::string& what, const std::string& path) {
  return fmt::format("save: {} '{}' failed: {}", what, path, std::strerror(errno));
}

class Writer {
 public:
  Writer(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void bytes(const void* data, size_t size) {
    // Never a null buffer: zlib's crc32 of Z_NULL restarts at 0.
    if (size == 0) return;
    crc_ = crc32_z(crc_, static_cast<const Bytef*>(data), size);
    raw(data, size);
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
      throw ValueError(fmt::format("save: entry '{}' is an undefined tensor; expected a defined tensor", name));
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
    raw(&crc, sizeof crc);
  }

 private:
  void raw(const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t written = ::write(fd_, p, size);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) throw Error(system_error("writing", path_));
      p += written;
      size -= static_cast<size_t>(written);
    }
  }
  int fd_;
  std::string path_;
  uLong crc_ = crc32_z(0L, Z_NULL, 0);
};

class Reader {
 public:
  Reader(std::FILE* file, uint64_t size, std::string path) : file_(file), left_(size), path_(std::move(path)) {}
  uint64_t left() const { return left_; }
  void bytes(void* out, uint64_t size, const char* what) {
    if (size > left_)
      throw Error(fmt::format("load: '{}' is truncated: {} needs {} bytes but only {} remain; expected a complete "
                              "tapegrad file", path_, what, size, left_));
    if (size && std::fread(out, 1, size, file_) != size)
      throw Error(fmt::format("load: reading '{}' failed: {}", path_, std::strerror(errno)));
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
  std::FILE* file_;
  uint64_t left_;
  std::string path_;
  uLong crc_ = crc32_z(0L, Z_NULL, 0);
};

}  // namespace

void write_archive(const std::string& path, const Archive& archive) {
  namespace fs = std::filesystem;
  const fs::path final_path(path);
  const fs::path temp_path = final_path.string() + fmt::format(".tmp{}", ::getpid());
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(system_error("creating", temp_path.string()));
  try {
    Writer out(fd, temp_path.string());
    out.bytes(kMagic, sizeof kMagic);
    out.number<uint32_t>(kFormatVersion);
    out.string(archive.kind);
    out.number<uint64_t>(archive.entries.size());
    for (const auto& [name, tensor] : archive.entries) out.tensor(name, tensor);
    out.finish();
    // On disk before the rename, so the new name never points at a partial file.
    if (::fsync(fd) != 0) throw Error(system_error("flushing", temp_path.string()));
    if (::close(fd) != 0) throw Error(system_error("closing", temp_path.string()));
  } catch (...) {
    ::close(fd);
    ::unlink(temp_path.c_str());
    throw;
  }
  if (std::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    const std::string message = system_error("renaming the temporary file to", path);
    ::unlink(temp_path.c_str());
    throw Error(message);
  }
  const fs::path dir = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
  if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);  // makes the rename itself durable; best effort
    ::close(dir_fd);
  }
}

Archive read_archive(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw Error(fmt::format("load: cannot open '{}': {}", path, std::strerror(errno)));
  struct stat info {};
  if (::fstat(::fileno(file.get()), &info) != 0 || !S_ISREG(info.st_mode))
    throw Error(fmt::format("load: '{}' is not a regular file; expected a tapegrad file", path));
  Reader in(file.get(), static_cast<uint64_t>(info.st_size), path);
  char magic[sizeof kMagic];
  if (in.left() < sizeof magic)
    throw Error(fmt::format("load: '{}' is truncated or not a tapegrad file: {} bytes; expected a header of {}",
                            path, in.left(), sizeof magic + 4));
  in.bytes(magic, sizeof magic, "the header");
  if (std::memcmp(magic, kMagic, sizeof magic) != 0)
    throw Error(fmt::format("load: '{}' is not a tapegrad file: it does not start with \"TAPEGRAD\"", path));
  const uint32_t version = in.number<uint32_t>("the version");
  if (version != kFormatVersion)
    throw Error(fmt::format("load: '{}' has format version {}; expected version {}. It was written by a {} "
                            "tapegrad", path, version, kFormatVersion, version > kFormatVersion ? "newer" : "older"));
  struct Entry {
    std::string name;
    Tensor dense;  // or, for a sparse entry, its parts:
    Shape sizes;
    bool coalesced = false;
    Tensor indices, values;
  };
  std::vector<Entry> entries;
  Archive archive;
  archive.kind = in.string("the content kind");
  const uint64_t count = in.number<uint64_t>("the entry count");
  if (count > in.left()) in.corrupt(fmt::format("it declares {} entries in {} bytes", count, in.left()));
  for (uint64_t e = 0; e < count; ++e) {
    Entry entry;
    entry.name = in.string("an entry name");
    const uint8_t layout = in.number<uint8_t>("an entry layout");
    if (layout == kDense) {
      entry.dense = in.dense("a tensor");
    } else if (layout == kSparse) {
      entry.sizes = in.shape("a sparse tensor");
      entry.coalesced = in.number<uint8_t>("a sparse tensor") != 0;
      entry.indices = in.dense("sparse indices");
      entry.values = in.dense("sparse values");
    } else {
      in.corrupt(fmt::format("entry '{}' has an unknown layout {}", entry.name, layout));
    }
    entries.push_back(std::move(entry));
  }
  in.check_crc();
  // Only now, with the content known to be what was written: sparse_coo_tensor checks
  // dtypes, shapes and index ranges.
  for (Entry& entry : entries) {
    Tensor t = entry.dense.defined() ? entry.dense
                                     : sparse_coo_tensor(entry.indices, entry.values, entry.sizes, entry.coalesced);
    archive.entries.emplace_back(std::move(entry.name), std::move(t));
  }
  return archive;
}

Archive read_archive(const std::string& path, const std::string& kind) {
  Archive archive = read_archive(path);
  if (archive.kind != kind)
    throw Error(fmt::format("load: '{}' holds '{}'; expected '{}'", path, archive.kind, kind));
  return archive;
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
  const NamedTensors loaded = load_named(path);
  std::vector<const Tensor*> sources(targets.size(), nullptr);
  for (const auto& [name, value] : loaded) {
    bool found = false;
    for (size_t i = 0; i < targets.size(); ++i) {
      if (targets[i].first != name) continue;
      found = true;
      const Tensor& target = targets[i].second;
      if (!target.defined() || target.is_sparse() || value.is_sparse() || target.sizes() != value.sizes())
        throw ValueError(fmt::format("load: '{}' entry '{}' has shape {}; expected a dense tensor of the target's "
                                     "shape {}", path, name, shape_string(value.sizes()),
                                     target.defined() ? shape_string(target.sizes()) : "(undefined)"));
      sources[i] = &value;
    }
    if (!found)
      throw ValueError(fmt::format("load: '{}' has an entry '{}' that no target is named; expected names among the "
                                   "targets", path, name));
  }
  for (size_t i = 0; i < targets.size(); ++i)
    if (!sources[i])
      throw ValueError(fmt::format("load: '{}' has no entry '{}'; expected every target in the file", path,
                                   targets[i].first));
  for (size_t i = 0; i < targets.size(); ++i) {
    core::copy_into(targets[i].second, *sources[i]);
    targets[i].second.bump_version();
  }
}

}  // namespace tg

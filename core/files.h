#pragma once
// The one rule for every file tapegrad writes, and the one check before it reads one
// (Note [Atomic files] in files.cpp; docs/reliability.md lists the promises).
//
//   tg::AtomicFile out("weights.tg");          // refuses a FIFO, device, directory or read-only file
//   out.write(bytes, n);                       // buffered; every failure is a tg::Error
//   out.commit();                              // fsync, rename over the old file, fsync the directory
//
//   tg::write_file_atomically("words.vec", [&](std::FILE* f) { fmt::print(f, "{} {}\n", n, dim); ... });
//
// Until commit() returns, the old file (if any) is untouched; an AtomicFile destroyed
// without commit() (an exception, a failed write) leaves no trace.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tg {

class AtomicFile {
 public:
  // Follows a symlink at `path` to its final target (which keeps its name and mode)
  // and opens an unnamed temporary in the target's directory. `where` starts every
  // error message ("save", "train", ...).
  explicit AtomicFile(const std::string& path, std::string where = "save");
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }
  // Flushes, fsyncs, puts the content in place of the target and fsyncs the directory.
  void commit();

  const std::string& path() const { return path_; }
  // The temporary's descriptor, for writers that need one (write_file_atomically); call
  // flush() first if write() was used too.
  int fd() const { return fd_; }
  void flush();

 private:
  [[noreturn]] void fail(const std::string& what) const;
  void check_target() const;
  void open_temporary();
  std::string link_temporary();
  void write_all(const char* data, size_t size);
  void discard();

  std::string path_, where_;
  std::string dir_, name_;  // the final target, after symlinks
  int dir_fd_ = -1, fd_ = -1;
  bool unnamed_ = false;     // O_TMPFILE: no name until commit()
  std::string temp_name_;    // the temporary's name in dir_ while it has one
  bool keep_mode_ = false;
  unsigned mode_ = 0;
  std::vector<char> buffer_;
  bool committed_ = false;
};

// Runs `write` on a stdio stream over an AtomicFile, then commits it. Any stdio error
// (a full disk reported by fwrite, fprintf or fflush) fails the save with a tg::Error
// and leaves the old file in place.
void write_file_atomically(const std::string& path, const std::function<void(std::FILE*)>& write,
                           const std::string& where = "save");

// A file opened for reading: without blocking (a FIFO at the path cannot hang the
// open), and refused unless it is a regular file, so size() is the most any reader
// of it needs to allocate.
class InputFile {
 public:
  explicit InputFile(const std::string& path, std::string where = "load");
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  uint64_t size() const { return size_; }
  // Exactly `size` bytes, or a tg::Error.
  void read(void* out, size_t size);
  // The next read starts at byte `offset` (at most size()): a reader of one part of a
  // large file skips the rest without reading it.
  void seek(uint64_t offset);

 private:
  std::string path_, where_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::vector<char> buffer_;
  size_t begin_ = 0, end_ = 0;
};

// "a FIFO", "a directory", "a character device", ...: what a non-regular file is.
std::string describe_file_type(unsigned mode);

}  // namespace tg

// Note [Atomic files]
// Every file tapegrad writes goes through AtomicFile, so a reader of the path sees the
// complete old content or the complete new content, never a mixture, a truncation or
// nothing, whatever happens to the writer:
//  * The content goes to a temporary in the target's own directory (a rename only
//    replaces atomically within one filesystem). Where the filesystem supports it the
//    temporary is an O_TMPFILE: it has no name, so a writer killed mid-save (kill -9,
//    power loss) leaves nothing behind. Elsewhere it is ".tapegrad-<random>.tmp",
//    created with O_EXCL; only a killed writer can leave one, and its name says what
//    it is. Either way the name needs no room from the target's name: a 255-byte name
//    can be saved.
//  * Every write, the fsync and the close are checked: a full disk fails the save.
//  * commit() gives an unnamed temporary a fresh random name (linkat), then renames it
//    over the target and fsyncs the directory, so the rename itself survives a crash.
//    Two threads or processes saving the same path each use their own temporary:
//    both succeed and the last rename wins.
//  * A symlink at the path is followed to its final target, which is replaced (the
//    link stays a link); an existing target keeps its permission bits.
//  * A target that is not a regular file (a FIFO, a device, a directory, a socket) is
//    refused: replacing /dev/null with a regular file is never what the caller meant.
//    So is a read-only one, judged by its mode bits as well as access(), because root
//    passes every access() check.
#include "files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "error.h"

namespace tg {

namespace {

constexpr size_t kBufferBytes = size_t{1} << 16;
constexpr int kMaxSymlinkHops = 40;  // Linux's own limit (ELOOP)

std::string strerror_now() { return std::strerror(errno); }

// A name no other writer picks: random bits from a per-thread generator seeded with
// the device, the time, the thread and a process-wide counter.
std::string random_temp_name() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng([] {
    std::random_device device;
    std::seed_seq seed{device(), device(),
                       static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()),
                       static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id())),
                       static_cast<unsigned>(counter.fetch_add(1)), static_cast<unsigned>(::getpid())};
    return std::mt19937_64(seed);
  }());
  return fmt::format(".tapegrad-{:016x}.tmp", rng());
}

// Follows symlinks to the final path; a path that does not exist (yet) is its own target.
std::string resolve_symlinks(const std::string& path, const std::string& where) {
  namespace fs = std::filesystem;
  std::string current = path;
  for (int hop = 0; hop <= kMaxSymlinkHops; ++hop) {
    struct stat info {};
    if (::lstat(current.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return current;
    std::vector<char> target(static_cast<size_t>(info.st_size > 0 ? info.st_size : 255) + 1);
    const ssize_t length = ::readlink(current.c_str(), target.data(), target.size());
    if (length < 0 || static_cast<size_t>(length) >= target.size())
      throw Error(fmt::format("{}: cannot read the symlink '{}': {}", where, current,
                              length < 0 ? strerror_now() : "it changed while being read"));
    const fs::path next(std::string(target.data(), static_cast<size_t>(length)));
    current = next.is_absolute() ? next.string() : (fs::path(current).parent_path() / next).string();
  }
  throw Error(fmt::format("{}: '{}' is a chain of more than {} symlinks; expected a file or a symlink to one", where,
                          path, kMaxSymlinkHops));
}

// Linking an O_TMPFILE needs its /proc/self/fd entry (without CAP_DAC_READ_SEARCH).
bool proc_fd_available() {
  static const bool available = ::access("/proc/self/fd", X_OK) == 0;
  return available;
}

}  // namespace

std::string describe_file_type(unsigned mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symlink";
  return "not a regular file";
}

// ---- AtomicFile

AtomicFile::AtomicFile(const std::string& path, std::string where) : path_(path), where_(std::move(where)) {
  namespace fs = std::filesystem;
  if (path.empty()) throw ValueError(fmt::format("{}: the path is empty; expected a file name", where_));
  const fs::path target(resolve_symlinks(path, where_));
  name_ = target.filename().string();
  if (name_.empty() || name_ == "." || name_ == "..")
    throw ValueError(fmt::format("{}: '{}' names a directory; expected a file name", where_, path));
  dir_ = target.has_parent_path() ? target.parent_path().string() : ".";
  check_target();
  dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) fail(fmt::format("opening the directory '{}'", dir_));
  try {
    open_temporary();
  } catch (...) {
    discard();
    throw;
  }
  buffer_.reserve(kBufferBytes);
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_name_.empty()) ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
  if (dir_fd_ >= 0) ::close(dir_fd_);
  fd_ = dir_fd_ = -1;
  temp_name_.clear();
}

void AtomicFile::fail(const std::string& what) const {
  throw Error(fmt::format("{}: '{}': {} failed: {}", where_, path_, what, strerror_now()));
}

// The target, if it exists, must be a writable regular file; run again just before the
// rename to narrow the window in which it could be swapped for something else.
void AtomicFile::check_target() const {
  const std::string target = dir_ + "/" + name_;
  struct stat info {};
  if (::lstat(target.c_str(), &info) != 0) {
    if (errno == ENOENT) return;
    throw Error(fmt::format("{}: cannot inspect '{}': {}", where_, path_, strerror_now()));
  }
  const std::string shown = target == path_ || "./" + path_ == target ? fmt::format("'{}'", path_)
                                                                        : fmt::format("'{}' (-> '{}')", path_, target);
  if (!S_ISREG(info.st_mode))
    throw Error(fmt::format("{}: {} is {}; expected a regular file or a new name (tapegrad never replaces other "
                            "kinds of files)", where_, shown, describe_file_type(info.st_mode)));
  if ((info.st_mode & 0222) == 0 || ::access(target.c_str(), W_OK) != 0)
    throw Error(fmt::format("{}: {} is read-only (mode {:04o}); expected a writable file (make it writable or "
                            "choose another name)", where_, shown, info.st_mode & 07777));
}

void AtomicFile::open_temporary() {
  struct stat info {};
  if (::fstatat(dir_fd_, name_.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0) {
    keep_mode_ = true;
    mode_ = info.st_mode & 07777;
  }
  if (proc_fd_available()) {
    // Mode 0666 less the umask, as for any new file.
    fd_ = ::openat(dir_fd_, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd_ >= 0) unnamed_ = true;
    // Filesystems without O_TMPFILE answer EOPNOTSUPP, old kernels EISDIR; those fall
    // back to a named temporary. Anything else (EACCES, EROFS, ENOSPC) is the answer.
    else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT)
      fail(fmt::format("creating a temporary file in '{}'", dir_));
  }
  for (int attempt = 0; fd_ < 0; ++attempt) {
    const std::string name = random_temp_name();
    fd_ = ::openat(dir_fd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) temp_name_ = name;
    else if (errno != EEXIST || attempt > 100) fail(fmt::format("creating a temporary file in '{}'", dir_));
  }
  if (keep_mode_ && ::fchmod(fd_, mode_) != 0) fail("keeping the file's mode");
}

void AtomicFile::write(const void* data, size_t size) {
  if (committed_ || fd_ < 0)
    throw Error(fmt::format("{}: '{}' was already committed; expected every write before commit()", where_, path_));
  const char* p = static_cast<const char*>(data);
  if (buffer_.size() + size > kBufferBytes) flush();
  if (size >= kBufferBytes) write_all(p, size);  // large blocks go straight to the file
  else buffer_.insert(buffer_.end(), p, p + size);
}

void AtomicFile::flush() {
  write_all(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void AtomicFile::write_all(const char* p, size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd_, p, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      if (written == 0) errno = ENOSPC;
      fail("writing");
    }
    p += written;
    size -= static_cast<size_t>(written);
  }
}

std::string AtomicFile::link_temporary() {
  const std::string proc = fmt::format("/proc/self/fd/{}", fd_);
  for (int attempt = 0;; ++attempt) {
    std::string name = random_temp_name();
    if (::linkat(AT_FDCWD, proc.c_str(), dir_fd_, name.c_str(), AT_SYMLINK_FOLLOW) == 0) return name;
    if (errno != EEXIST || attempt > 100) fail(fmt::format("naming the temporary file in '{}'", dir_));
  }
}

void AtomicFile::commit() {
  if (committed_) return;
  flush();
  // On disk before it gets the target's name, so the name never points at a partial file.
  if (::fsync(fd_) != 0) fail("flushing to disk");
  if (unnamed_) temp_name_ = link_temporary();
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("closing");
  check_target();
  if (::renameat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str()) != 0)
    fail(fmt::format("renaming the temporary file to '{}'", name_));
  temp_name_.clear();
  committed_ = true;
  // Makes the rename durable. Some filesystems cannot sync a directory (EINVAL): there
  // the rename is as durable as that filesystem makes any rename.
  if (::fsync(dir_fd_) != 0 && errno != EINVAL) fail(fmt::format("flushing the directory '{}'", dir_));
}

void write_file_atomically(const std::string& path, const std::function<void(std::FILE*)>& write,
                           const std::string& where) {
  AtomicFile file(path, where);
  const int fd = ::dup(file.fd());
  if (fd < 0) throw Error(fmt::format("{}: writing '{}' failed: {}", where, path, strerror_now()));
  std::FILE* stream = ::fdopen(fd, "w");
  if (!stream) {
    ::close(fd);
    throw Error(fmt::format("{}: writing '{}' failed: {}", where, path, strerror_now()));
  }
  try {
    write(stream);
  } catch (...) {
    std::fclose(stream);
    throw;
  }
  errno = 0;
  const bool failed = std::fflush(stream) != 0 || std::ferror(stream);
  const int saved_errno = errno;
  if (std::fclose(stream) != 0 || failed) {
    errno = saved_errno ? saved_errno : (errno ? errno : EIO);
    throw Error(fmt::format("{}: writing '{}' failed: {}; the previous file (if any) is unchanged", where, path,
                            strerror_now()));
  }
  file.commit();
}

// ---- InputFile

InputFile::InputFile(const std::string& path, std::string where) : path_(path), where_(std::move(where)) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) throw Error(fmt::format("{}: cannot open '{}': {}", where_, path, strerror_now()));
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    const std::string reason = strerror_now();
    ::close(fd_);
    throw Error(fmt::format("{}: cannot inspect '{}': {}", where_, path, reason));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd_);
    throw Error(fmt::format("{}: '{}' is {}; expected a regular file", where_, path, describe_file_type(info.st_mode)));
  }
  // A regular file never blocks; clearing the flag keeps read() semantics plain.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  size_ = static_cast<uint64_t>(info.st_size);
  buffer_.resize(kBufferBytes);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

void InputFile::seek(uint64_t offset) {
  if (offset > size_)
    throw Error(fmt::format("{}: cannot seek to byte {} of '{}'; expected an offset within its {} bytes", where_,
                            offset, path_, size_));
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0)
    throw Error(fmt::format("{}: seeking to byte {} of '{}' failed: {}", where_, offset, path_, strerror_now()));
  begin_ = end_ = 0;
}

void InputFile::read(void* out, size_t size) {
  char* p = static_cast<char*>(out);
  while (size > 0) {
    if (begin_ == end_) {
      // Large reads skip the buffer.
      char* into = size >= buffer_.size() ? p : buffer_.data();
      const size_t want = size >= buffer_.size() ? size : buffer_.size();
      const ssize_t got = ::read(fd_, into, want);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw Error(fmt::format("{}: reading '{}' failed: {}", where_, path_, strerror_now()));
      if (got == 0)
        throw Error(fmt::format("{}: '{}' ended early (was it truncated while being read?); expected {} more bytes",
                                where_, path_, size));
      if (into == p) {
        p += got;
        size -= static_cast<size_t>(got);
        continue;
      }
      begin_ = 0;
      end_ = static_cast<size_t>(got);
    }
    const size_t take = std::min(size, end_ - begin_);
    std::memcpy(p, buffer_.data() + begin_, take);
    begin_ += take;
    p += take;
    size -= take;
  }
}

}  // namespace tg

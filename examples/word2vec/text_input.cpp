#include "text_input.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tapegrad/tapegrad.h>

namespace w2v {

namespace {
std::string file_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}
}  // namespace

TextInput::TextInput(const std::string& path, std::string where) : path_(path), where_(std::move(where)) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0)
    throw tg::Error(fmt::format("{}: cannot open '{}' ({}); expected a readable file", where_, path,
                                std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    const std::string type = file_type(st.st_mode);
    ::close(fd_);
    throw tg::Error(fmt::format("{}: '{}' is {}; expected a regular file", where_, path, type));
  }
  size_ = static_cast<uint64_t>(st.st_size);
  buffer_.resize(size_t{1} << 16);
}

TextInput::~TextInput() {
  if (fd_ >= 0) ::close(fd_);
}

size_t TextInput::read_some(char* out, size_t capacity) {
  if (begin_ < end_) {
    const size_t n = std::min(capacity, end_ - begin_);
    std::memcpy(out, buffer_.data() + begin_, n);
    begin_ += n;
    return n;
  }
  for (;;) {
    const ssize_t n = ::read(fd_, out, capacity);
    if (n >= 0) {
      done_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno != EINTR)
      throw tg::Error(fmt::format("{}: reading '{}' failed after {} bytes ({}); expected the whole file to be "
                                  "readable", where_, path_, done_, std::strerror(errno)));
  }
}

bool TextInput::fill() {
  begin_ = 0;
  end_ = 0;
  end_ = read_some(buffer_.data(), buffer_.size());
  return end_ > 0;
}

bool TextInput::getline(std::string& line) {
  line.clear();
  bool any = false;
  for (;;) {
    if (begin_ == end_ && !fill()) return any;
    any = true;
    const char* start = buffer_.data() + begin_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    if (newline) {
      line.append(start, newline);
      begin_ += static_cast<size_t>(newline - start) + 1;
      return true;
    }
    line.append(start, end_ - begin_);
    begin_ = end_;
  }
}

std::string excerpt(const std::string& text) {
  constexpr size_t kMax = 80;
  if (text.size() <= kMax) return text;
  return fmt::format("{}... ({} bytes)", text.substr(0, kMax), text.size());
}

}  // namespace w2v

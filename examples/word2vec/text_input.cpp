#include "text_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace w2v {

void TextInput::seek(uint64_t offset) {
  file_.seek(offset);
  done_ = offset;
  begin_ = end_ = 0;
}

size_t TextInput::read_some(char* out, size_t capacity) {
  if (begin_ < end_) {
    const size_t n = std::min(capacity, end_ - begin_);
    std::memcpy(out, buffer_.data() + begin_, n);
    begin_ += n;
    return n;
  }
  // The size fstat gave at the open: a file that shrinks meanwhile is an error
  // (InputFile::read), one that grows is read up to that size.
  const auto n = static_cast<size_t>(std::min<uint64_t>(capacity, size() - done_));
  if (n > 0) file_.read(out, n);
  done_ += n;
  return n;
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

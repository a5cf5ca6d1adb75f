#pragma once
// Hands a fuzz input to the loaders as a file: a memfd (a regular file in memory, so
// no disk traffic) rewritten for each input and opened by path through /proc, the
// way a user's file is opened.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace fuzz {

inline std::string as_file(const uint8_t* data, size_t size) {
  static const int fd = [] {
    const int created = ::memfd_create("tapegrad-fuzz", MFD_CLOEXEC);
    if (created < 0) std::abort();
    return created;
  }();
  if (::ftruncate(fd, 0) != 0) std::abort();
  size_t done = 0;
  while (done < size) {
    const ssize_t written = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (written <= 0) std::abort();
    done += static_cast<size_t>(written);
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace fuzz

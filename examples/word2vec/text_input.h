#pragma once
// Reading the text files the example takes (the corpus, .vec files) through
// tg::InputFile (core/files.h): opened without blocking and refused unless regular (a
// FIFO or /dev/zero would hang or never end), every read checked, so an I/O error
// midway is an error and not an early end.
//
//   w2v::TextInput in(path, "neighbors");
//   std::string line;
//   while (in.getline(line)) ...       // tg::Error on a read error
#include <cstdint>
#include <string>
#include <tapegrad/tapegrad.h>
#include <vector>

namespace w2v {

class TextInput {
 public:
  // `where` starts every message ("train: --input", "neighbors", ...).
  TextInput(const std::string& path, const std::string& where) : file_(path, where) {}

  uint64_t size() const { return file_.size(); }  // the file's size when opened
  // The next read starts at byte `offset` of the file.
  void seek(uint64_t offset);
  // Up to `capacity` bytes into `out`; 0 at the end of the file.
  size_t read_some(char* out, size_t capacity);
  // The next line without its '\n'; false at the end of the file. A line costs its own
  // length in memory, never more than the file's size.
  bool getline(std::string& line);

 private:
  bool fill();

  tg::InputFile file_;
  uint64_t done_ = 0;
  std::vector<char> buffer_ = std::vector<char>(size_t{1} << 16);
  size_t begin_ = 0, end_ = 0;
};

// `text` for a message: at most 80 bytes, then "... (N bytes)", so a 100 MB line is not
// echoed whole.
std::string excerpt(const std::string& text);

}  // namespace w2v

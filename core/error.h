#pragma once
// The exception kinds users catch. Messages follow one pattern:
//   "<where>: <what> = <value> <problem>; expected <range or rule>. <hint>"
#include <cstdint>
#include <stdexcept>
#include <string>

namespace tg {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// An index out of range: tensor positions, dims, embedding rows.
struct IndexError : Error {
  using Error::Error;
};
// A bad argument, shape or option value.
struct ValueError : Error {
  using Error::Error;
};
// A wrong dtype or layout.
struct TypeError : Error {
  using Error::Error;
};

// One helper per kind of check, so the wording cannot drift between call sites.
// Returns dim normalised to [0, ndim); accepts [-ndim, ndim) like Python.
int64_t normalize_dim(const char* where, int64_t dim, int64_t ndim);
// Returns index normalised to [0, size); accepts [-size, size).
int64_t normalize_index(const char* where, int64_t index, int64_t size, int64_t dim);

}  // namespace tg

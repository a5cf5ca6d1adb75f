#pragma once
// Inputs several test files build alike: sparse row gradients, as an Embedding
// lookup sends back, and a lookup whose backward is sparse.
#include <tapegrad/tapegrad.h>

#include <vector>

namespace fixtures {

// A sparse COO gradient of a (num_rows, values.size(1)) table: entry i adds row i
// of `values` to row rows[i]; unsorted and with duplicates kept, as given.
tg::Tensor row_gradient(const std::vector<int64_t>& rows, const tg::Tensor& values, int64_t num_rows);

// An (n, width) float64 tensor of the values scale * (i % period - offset), i = 0, 1,
// ... in row-major order: of both signs and, within a period, distinct.
tg::Tensor cyclic_values(int64_t n, int64_t width, double scale, int64_t period, double offset);

// The rows of w (V, D) picked by `rows`, recorded with a sparse gradient, as
// Embedding(sparse = true) records its lookup.
tg::Tensor sparse_lookup(const tg::Tensor& w, const std::vector<int64_t>& rows);

}  // namespace fixtures

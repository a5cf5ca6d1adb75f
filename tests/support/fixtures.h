#pragma once
// Inputs several test files build alike: sparse row gradients, as an Embedding
// lookup sends back, and a lookup whose backward is sparse; and the finite-difference
// check of a one-input function.
#include <tapegrad/tapegrad.h>

#include <functional>
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

// tg::autograd::gradcheck of fn at a fresh leaf copy of x (float64 for meaningful
// differences). A 0-d result is checked as shape (1): gradcheck flattens its output
// with reshape({-1}), which view() refuses for a 0-d tensor.
bool gradcheck(const std::function<tg::Tensor(const tg::Tensor&)>& fn, const tg::Tensor& x);

}  // namespace fixtures

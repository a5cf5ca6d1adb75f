// Tour section 5 (docs/autograd.md): coalescing a sparse gradient.
// Run: ./build/examples/tour_05_coalesce
#include <iostream>

#include <tapegrad/tapegrad.h>

int main() {
  // The gradient that section 4's lookup of words {1, 3, 1} produces: one entry per lookup.
  const tg::Tensor indices = tg::tensor({{1, 3, 1}});
  const tg::Tensor values = tg::tensor({{0.f, 2.f}, {8.f, 10.f}, {0.f, 2.f}});
  const tg::Tensor grad = tg::sparse_coo_tensor(indices, values, {5, 2});
  std::cout << "uncoalesced: nnz = " << grad._nnz() << ", is_coalesced = " << std::boolalpha << grad.is_coalesced()
            << "\nindices = " << grad.indices() << "\nvalues =\n" << grad.values() << "\n\n";

  // coalesce(): sort the entries by row (stable), then add up the entries of each row.
  const tg::Tensor merged = grad.coalesce();
  std::cout << "coalesced: nnz = " << merged._nnz() << ", is_coalesced = " << merged.is_coalesced()
            << "\nindices = " << merged.indices() << "\nvalues =\n" << merged.values() << "\n\n";
  std::cout << "the same gradient, dense:\n" << merged.to_dense() << "\n";
}

#pragma once
// The rules every in-place op follows (autograd/ops/inplace.cpp), shared with the
// in-place ops that live beside their out-of-place twins (index_add_ in index.cpp).
#include "../../core/tensor.h"

namespace tg::autograd {

// Refuses an in-place op on a leaf that requires grad while grad mode is on.
void check_inplace(const char* where, const Tensor& self);

// Writes `result` (self's new value, with its history) into self, which adopts that
// history. Refused for views: their base would not learn of the new history.
Tensor& adopt(const char* where, Tensor& self, const Tensor& result);

// Runs `recorded(old_value)` when history is needed, `kernel()` otherwise. The
// recorded path works on a clone of the old value, which the backward rules may
// read (mul_: d/d other = old self) after self's storage has been overwritten.
template <class Recorded, class Kernel>
Tensor& inplace(const char* where, Tensor& self, bool record_history, Recorded recorded, Kernel kernel) {
  check_inplace(where, self);
  if (record_history) return adopt(where, self, recorded(self.clone()));
  kernel();
  self.bump_version();
  return self;
}

}  // namespace tg::autograd

#pragma once
// What a recorded node keeps only so that it can be shown.
//
// Note [tape info]
// The engine runs a node from three things: its edges, its backward and its sequence
// number. Everything else a node knows about its op is for the instruments
// (autograd/tape.h: print_tape, to_dot, the backward trace, the anomaly check) and
// lives in one TapeInfo per node, which record() (autograd/node.h) fills from what
// the op declares: its output, the tensors its backward saved and where they came
// from, and which inputs receive sparse gradients. The engine never reads it, so an
// instrument that needs more adds a field here, not to Node or SavedTensor.
#include <memory>
#include <string>
#include <vector>

#include "../core/tensor.h"

namespace tg::autograd {

struct SavedSlot;

// One tensor an op saved for its backward, and where it came from.
struct SavedInfo {
  std::shared_ptr<const SavedSlot> slot;  // the tensor and the version it was saved at
  // The node that produced it: the op's own node for its output, an input's grad_fn,
  // null for a leaf or a constant. Compared by identity, never dereferenced: the
  // producer may be gone by the time the tape is printed.
  const void* producer = nullptr;
  std::string leaf_name;  // the leaf's name (parameter name), if any
};

struct TapeInfo {
  Shape output_sizes;
  Dtype output_dtype = kFloat32;
  // Emptied when backward releases the node, as the saved tensors themselves are.
  std::vector<SavedInfo> saved;
  // Per input, whether the gradient sent there is sparse COO; empty when none is.
  std::vector<bool> sparse_gradient;

  bool sends_sparse_gradient(size_t input) const {
    return input < sparse_gradient.size() && sparse_gradient[input];
  }
};

}  // namespace tg::autograd

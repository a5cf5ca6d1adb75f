#pragma once
// Replays one case of tests/golden/small_models.txt (gen_small_models.py): loads its
// inputs, runs fn, and compares the output and every input's gradient (for the stored
// upstream "g") with PyTorch's. The layers' and losses' values are float64, so the
// default tolerance is tighter than float32 would allow.
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "../support/golden.h"

namespace small_golden {

using Inputs = std::map<std::string, tg::Tensor>;

inline tg::Tensor tensor(const std::string& key) { return golden::small_models.tensor(key); }

inline void check_close(const tg::Tensor& actual, const std::string& key, double rtol = 1e-10, double atol = 1e-12) {
  golden::small_models.check_close(actual, key, rtol, atol);
}

// leaves: inputs that get gradients (float64); constants: inputs that do not (targets,
// weights given as options).
inline void check_case(const std::string& key, const std::vector<std::string>& leaves,
                       const std::vector<std::string>& constants, const std::function<tg::Tensor(Inputs&)>& fn,
                       double rtol = 1e-10, double atol = 1e-12) {
  CAPTURE(key);
  Inputs in;
  for (const std::string& name : leaves) in[name] = golden::small_models.leaf(key + "/" + name);
  for (const std::string& name : constants) in[name] = tensor(key + "/" + name);
  const tg::Tensor y = fn(in);
  check_close(y, key + "/y", rtol, atol);
  if (y.numel() > 0 && y.requires_grad()) y.backward(tensor(key + "/g"));
  for (const std::string& name : leaves) {
    if (!golden::small_models.has(key + "/grad_" + name)) continue;
    const tg::Tensor grad = in[name].grad().defined() ? in[name].grad() : tg::zeros_like(in[name]);
    check_close(grad, key + "/grad_" + name, rtol, atol);
  }
}

}  // namespace small_golden

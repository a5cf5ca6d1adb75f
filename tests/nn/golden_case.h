#pragma once
// Replays one case of tests/golden/small_models.txt: loads its inputs, runs fn, and
// compares the output and every input's gradient (for the stored upstream "g") with
// PyTorch's.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "small_models_golden.h"

namespace small_golden {

using Inputs = std::map<std::string, tg::Tensor>;

// leaves: inputs that get gradients (float64); constants: inputs that do not (targets,
// weights given as options).
inline void check_case(const std::string& key, const std::vector<std::string>& leaves,
                       const std::vector<std::string>& constants, const std::function<tg::Tensor(Inputs&)>& fn,
                       double rtol = 1e-10, double atol = 1e-12) {
  CAPTURE(key);
  Inputs in;
  for (const std::string& name : leaves) in[name] = tensor(key + "/" + name).requires_grad_();
  for (const std::string& name : constants) in[name] = tensor(key + "/" + name);
  const tg::Tensor y = fn(in);
  check_close(y, key + "/y", rtol, atol);
  if (y.numel() > 0 && y.requires_grad()) y.backward(tensor(key + "/g"));
  for (const std::string& name : leaves) {
    if (!has(key + "/grad_" + name)) continue;
    const tg::Tensor grad = in[name].grad().defined() ? in[name].grad() : tg::zeros_like(in[name]);
    check_close(grad, key + "/grad_" + name, rtol, atol);
  }
}

}  // namespace small_golden

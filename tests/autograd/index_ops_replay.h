#pragma once
// Replays one case of tests/golden/index_ops.txt (gen_index_ops.py): rebuilds the
// inputs as stored (floating ones as leaves that require grad), runs fn on them,
// checks the output's dtype and values, and, when the case stored an upstream
// gradient "g", back-propagates it and checks every floating input's gradient.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <functional>
#include <string>
#include <vector>

#include "../support/golden.h"

namespace index_ops {

using Inputs = std::vector<tg::Tensor>;
using Fn = std::function<tg::Tensor(const Inputs&)>;

// index_dtype: the dtype the int64 "index" input is converted to (int32 runs the
// same case through the other index type).
inline Inputs replay(const std::string& prefix, const std::vector<std::string>& names, const Fn& fn,
                     tg::Dtype index_dtype = tg::kInt64) {
  INFO("golden case " << prefix);
  const golden::File& file = golden::index_ops;
  Inputs inputs;
  for (const std::string& name : names) {
    const std::string key = prefix + "/" + name;
    tg::Tensor t = file.tensor(key);
    if (name == "index") t = t.to(index_dtype);
    if (t.is_floating_point()) t.requires_grad_();
    inputs.push_back(t);
  }
  const tg::Tensor out = fn(inputs);
  CHECK(golden::name_of(out.dtype()) == file.at(prefix + "/out").type);
  file.check_close(out, prefix + "/out");
  if (!file.has(prefix + "/g")) return inputs;
  out.backward(file.tensor(prefix + "/g"));
  for (size_t i = 0; i < names.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    INFO("gradient of " << names[i]);
    const tg::Tensor grad = inputs[i].grad().defined() ? inputs[i].grad() : tg::zeros_like(inputs[i]);
    file.check_close(grad, prefix + "/grad_" + names[i]);
  }
  return inputs;
}

}  // namespace index_ops

#pragma once
// Saving and resuming optimizer state in the tapegrad file format (docs/file-format.md).
// Save the parameters and the optimizer; to resume, rebuild both the same way, load
// the parameters, then the optimizer: training continues exactly where it stopped.
//
//   tg::save(model, "ckpt.model");  tg::save(adam, "ckpt.optim");
//   ...                              // a fresh process:
//   tg::load(model, "ckpt.model");  tg::load(adam, "ckpt.optim");
#include "optimizer.h"

namespace tg {

namespace optim {
// The state dict as named tensors ("param_groups.0.lr", "state.3.exp_avg", ...), and back.
NamedTensors to_named(const OptimizerStateDict& dict);
OptimizerStateDict from_named(const std::string& optimizer, const NamedTensors& named);
}  // namespace optim

void save(const std::string& path, const optim::Optimizer& optimizer);
// Refuses state saved by another kind of optimizer or for other groups (tg::Error).
void load(const std::string& path, optim::Optimizer& optimizer);

// libtorch's argument order: tg::save(adam, "ckpt.optim"); tg::load(adam, "ckpt.optim").
inline void save(const optim::Optimizer& optimizer, const std::string& path) { save(path, optimizer); }
inline void load(optim::Optimizer& optimizer, const std::string& path) { load(path, optimizer); }

}  // namespace tg

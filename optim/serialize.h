#pragma once
// Saving and resuming optimizer state in the tapegrad file format (docs/file-format.md).
// Save the parameters and the optimizer; to resume, rebuild both the same way, load
// the parameters, then the optimizer: training continues exactly where it stopped.
//
//   tg::save("ckpt.params", model_params);  tg::save("ckpt.optim", adam);
//   ...                                      // a fresh process:
//   tg::load("ckpt.params", model_params);  tg::load("ckpt.optim", adam);
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

}  // namespace tg

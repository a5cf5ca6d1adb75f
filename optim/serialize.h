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
// Refuses state saved by another kind of optimizer or for other groups (tg::Error),
// and state no optimizer writes (Note [Checked optimizer state]).
void load(const std::string& path, optim::Optimizer& optimizer);

// libtorch's argument order: tg::save(adam, "ckpt.optim"); tg::load(adam, "ckpt.optim").
inline void save(const optim::Optimizer& optimizer, const std::string& path) { save(path, optimizer); }
inline void load(optim::Optimizer& optimizer, const std::string& path) { load(path, optimizer); }

// A training checkpoint as ONE file (save_groups): the model's parameters (group
// "model"), the optimizer's state ("optimizer:<name>") and any extra tensors the
// trainer needs to resume ("extra": epochs done, vocabulary counts, ...). Written
// atomically and verified by one checksum, so a model can never be resumed with
// another save's optimizer state.
//   tg::save_checkpoint("run.ckpt", model.named_parameters(), adam, {{"epoch", tg::scalar_tensor(3, tg::kInt64)}});
//   tg::NamedTensors extra = tg::load_checkpoint("run.ckpt", model.named_parameters(), adam);
void save_checkpoint(const std::string& path, const NamedTensors& model, const optim::Optimizer& optimizer,
                     const NamedTensors& extra = {});
// All or nothing: the parameters must match `model` by name and shape and the state
// must fit the optimizer; otherwise a tg::Error and neither is changed. Returns "extra".
NamedTensors load_checkpoint(const std::string& path, const NamedTensors& model, optim::Optimizer& optimizer);

}  // namespace tg

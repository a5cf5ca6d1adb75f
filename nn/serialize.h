#pragma once
// Saving and loading a whole module, in libtorch's argument order: the module's
// state_dict() (parameters and buffers) in the tapegrad file format
// (docs/file-format.md), as the named tensors that tg::save(path, named) writes.
//
//   tg::save(net, "digits.tg");
//   tg::nn::Sequential fresh(...same layers...);
//   tg::load(fresh, "digits.tg");   // copies into fresh's own tensors
//
// Loading checks every name and shape before it copies anything: a file saved from
// another architecture raises tg::Error naming the first mismatch, and the module is
// left as it was.
#include <concepts>
#include <memory>
#include <string>

#include "module.h"

namespace tg {

void save(const nn::Module& module, const std::string& path);
void load(nn::Module& module, const std::string& path);

// A module held by std::shared_ptr, as libtorch's module holders are passed.
template <class M>
  requires std::derived_from<M, nn::Module>
void save(const std::shared_ptr<M>& module, const std::string& path) {
  save(static_cast<const nn::Module&>(*module), path);
}
template <class M>
  requires std::derived_from<M, nn::Module>
void load(const std::shared_ptr<M>& module, const std::string& path) {
  load(static_cast<nn::Module&>(*module), path);
}

}  // namespace tg

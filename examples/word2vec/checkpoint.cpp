#include "checkpoint.h"

#include <fmt/format.h>

namespace w2v {

namespace {
const std::string kOptimPrefix = "optim.";
}  // namespace

void save_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                     const tg::optim::Optimizer& optimizer, int64_t epochs_done) {
  tg::NamedTensors entries{{"model.in", in.weight},
                           {"model.out", out.weight},
                           {"vocab_counts", tg::from_vector(vocab.counts)},
                           {"epochs_done", tg::scalar_tensor(static_cast<double>(epochs_done), tg::kInt64)}};
  const std::string prefix = kOptimPrefix + optimizer.name() + ".";
  for (auto& [name, tensor] : tg::optim::to_named(optimizer.state_dict())) entries.emplace_back(prefix + name, tensor);
  tg::save(path, entries);
}

int64_t load_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                        tg::optim::Optimizer& optimizer) {
  const tg::NamedTensors saved = tg::load_named(path);
  auto refuse = [&](const std::string& what) -> tg::Error {
    return tg::Error(fmt::format("train: --resume '{}' {}", path, what));
  };
  auto find = [&](const std::string& name) {
    for (const auto& [key, t] : saved)
      if (key == name) return t;
    throw refuse(fmt::format("has no '{}'; expected a checkpoint written by --save-model", name));
  };
  const tg::Tensor counts = find("vocab_counts"), epochs = find("epochs_done");
  if (counts.dim() != 1 || counts.dtype() != tg::kInt64 || counts.to_vector<int64_t>() != vocab.counts)
    throw refuse("was trained on another vocabulary; expected the same --input and --min-count as the run that "
                 "saved it");
  if (epochs.numel() != 1 || epochs.dtype() != tg::kInt64 || epochs.item<int64_t>() < 0)
    throw refuse("has an 'epochs_done' that is not one count >= 0; expected a checkpoint written by --save-model");
  const tg::Tensor in_saved = find("model.in"), out_saved = find("model.out");
  if (in_saved.sizes() != in.weight.sizes() || out_saved.sizes() != out.weight.sizes() || in_saved.is_sparse() ||
      out_saved.is_sparse())
    throw refuse(fmt::format("holds tables of shape {} and {}; expected {} (same --dim)",
                             tg::shape_string(in_saved.sizes()), tg::shape_string(out_saved.sizes()),
                             tg::shape_string(in.weight.sizes())));
  // The optimizer's entries, under the kind that wrote them.
  const std::string prefix = kOptimPrefix + optimizer.name() + ".";
  tg::NamedTensors state;
  for (const auto& [key, t] : saved) {
    if (key.rfind(prefix, 0) == 0) state.emplace_back(key.substr(prefix.size()), t);
    else if (key.rfind(kOptimPrefix, 0) == 0)
      throw refuse(fmt::format("holds optimizer state '{}'; expected state of {} (the same --optimizer)", key,
                               optimizer.name()));
  }
  if (state.empty()) throw refuse(fmt::format("holds no {} state; expected the same --optimizer", optimizer.name()));
  optimizer.load_state_dict(tg::optim::from_named(optimizer.name(), state));
  {
    tg::NoGradGuard no_grad;
    in.weight.copy_(in_saved);
    out.weight.copy_(out_saved);
  }
  return epochs.item<int64_t>();
}

}  // namespace w2v

#include "checkpoint.h"

#include <fmt/format.h>

namespace w2v {

namespace {
constexpr const char* kSameRun = "expected the same --input, --min-count, --dim and --optimizer as the run that "
                                 "saved it";
}  // namespace

void save_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                     const tg::optim::Optimizer& optimizer, int64_t epochs_done, int processes) {
  tg::save_checkpoint(path, {{"in", in.weight}, {"out", out.weight}}, optimizer,
                      {{"vocab_counts", tg::from_vector(vocab.counts)},
                       {"epochs_done", tg::scalar_tensor(static_cast<double>(epochs_done), tg::kInt64)},
                       {"processes", tg::scalar_tensor(static_cast<double>(processes), tg::kInt64)}});
}

int64_t load_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                        tg::optim::Optimizer& optimizer, int processes) {
  tg::NamedTensors extra;
  try {
    extra = tg::load_checkpoint(path, {{"in", in.weight}, {"out", out.weight}}, optimizer);
  } catch (const tg::Error& e) {
    throw tg::Error(fmt::format("train: --resume '{}' does not fit this run ({}); {}", path, e.what(), kSameRun));
  }
  auto find = [&](const std::string& name) {
    for (const auto& [key, t] : extra)
      if (key == name) return t;
    if (name == "processes") return tg::scalar_tensor(1, tg::kInt64);  // saved before runs had several
    throw tg::Error(fmt::format("train: --resume '{}' has no '{}'; expected a checkpoint written by --checkpoint",
                                path, name));
  };
  const tg::Tensor counts = find("vocab_counts"), epochs = find("epochs_done");
  // Same sizes (the tables loaded) but other counts: another corpus of as many words.
  if (counts.dim() != 1 || counts.dtype() != tg::kInt64 || counts.to_vector<int64_t>() != vocab.counts)
    throw tg::Error(fmt::format("train: --resume '{}' was trained on another vocabulary; {}", path, kSameRun));
  if (epochs.numel() != 1 || epochs.dtype() != tg::kInt64 || epochs.item<int64_t>() < 0)
    throw tg::Error(fmt::format("train: --resume '{}' has an 'epochs_done' that is not one count >= 0; expected a "
                                "checkpoint written by --checkpoint", path));
  const tg::Tensor saved_by = find("processes");
  if (saved_by.numel() != 1 || saved_by.dtype() != tg::kInt64 || saved_by.item<int64_t>() != processes)
    throw tg::Error(fmt::format("train: --resume '{}' was saved by a run of {} process(es), this run has {}; expected "
                                "the same mpirun -np (each process trains its own shard of the corpus)", path,
                                saved_by.numel() == 1 ? saved_by.item<double>() : -1.0, processes));
  return epochs.item<int64_t>();
}

}  // namespace w2v

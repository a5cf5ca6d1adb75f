#include "checkpoint.h"

#include <fmt/format.h>

#include <stdexcept>

namespace w2v {

void save_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                     const tg::optim::Optimizer& optimizer, int64_t epochs_done) {
  tg::save(path, tg::NamedTensors{{"in", in.weight},
                                  {"out", out.weight},
                                  {"vocab_counts", tg::from_vector(vocab.counts)},
                                  {"epochs_done", tg::scalar_tensor(static_cast<double>(epochs_done), tg::kInt64)}});
  tg::save(path + ".optim", optimizer);
}

int64_t load_checkpoint(const std::string& path, const Vocab& vocab, tg::nn::Embedding& in, tg::nn::Embedding& out,
                        tg::optim::Optimizer& optimizer) {
  const tg::NamedTensors saved = tg::load_named(path);
  auto find = [&](const std::string& name) {
    for (const auto& [key, t] : saved)
      if (key == name) return t;
    throw std::runtime_error(fmt::format("train: --resume '{}' has no '{}'; expected a checkpoint written by "
                                         "--save-model", path, name));
  };
  if (find("vocab_counts").to_vector<int64_t>() != vocab.counts)
    throw std::runtime_error(fmt::format("train: --resume '{}' was trained on another vocabulary; expected the same "
                                         "--input and --min-count as the run that saved it", path));
  const tg::Tensor in_saved = find("in"), out_saved = find("out");
  if (in_saved.sizes() != in.weight.sizes() || out_saved.sizes() != out.weight.sizes())
    throw std::runtime_error(fmt::format("train: --resume '{}' holds tables of shape {}; expected {} (same --dim)",
                                         path, tg::shape_string(in_saved.sizes()),
                                         tg::shape_string(in.weight.sizes())));
  {
    tg::NoGradGuard no_grad;
    in.weight.copy_(in_saved);
    out.weight.copy_(out_saved);
  }
  tg::load(path + ".optim", optimizer);
  return find("epochs_done").item<int64_t>();
}

}  // namespace w2v

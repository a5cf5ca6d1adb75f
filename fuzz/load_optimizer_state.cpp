// libFuzzer target: optimizer state files (tg::load(path, optimizer)) and checkpoints
// (tg::load_checkpoint) on any bytes, for every optimizer. State that loads is then
// stepped with, so a state that passes the checks but breaks an update is found too.
#include <tapegrad/tapegrad.h>

#include <memory>

#include "fuzz_input.h"

using namespace tg::optim;

namespace {
tg::NamedTensors params() {
  return {{"emb.weight", tg::ones({5, 2}, tg::kFloat64).requires_grad_()},
          {"bias", tg::ones({3}, tg::kFloat64).requires_grad_()}};
}

void step(Optimizer& opt, const tg::NamedTensors& p, bool sparse) {
  const tg::Tensor rows = tg::tensor({{1, 3}}, tg::kInt64);
  const tg::Tensor g0 = tg::sparse_coo_tensor(rows, tg::full({2, 2}, 0.5, tg::kFloat64), {5, 2});
  std::vector<tg::Tensor> grads{sparse ? g0 : g0.to_dense()};
  if (opt.param_groups()[0].params().size() == 2) grads.push_back(tg::full({3}, 0.25, tg::kFloat64));
  opt.step_with(grads);
  for (const auto& [name, t] : p)
    for (double v : t.detach().contiguous().to_vector<double>()) (void)v;
}

template <class Make> void try_load(const std::string& path, Make make, bool sparse) {
  {
    const tg::NamedTensors p = params();
    std::unique_ptr<Optimizer> opt = make(p);
    try {
      tg::load(path, *opt);
      step(*opt, p, sparse);
    } catch (const tg::Error&) {
    }
  }
  const tg::NamedTensors p = params();
  std::unique_ptr<Optimizer> opt = make(p);
  try {
    (void)tg::load_checkpoint(path, p, *opt);
    step(*opt, p, sparse);
  } catch (const tg::Error&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::as_file(data, size);
  try_load(path, [](const tg::NamedTensors& p) {
    return std::make_unique<SGD>(p, SGDOptions(0.1).momentum(0.9));
  }, true);
  try_load(path, [](const tg::NamedTensors& p) {
    return std::make_unique<Adam>(p, AdamOptions(0.1).amsgrad(true));
  }, false);
  try_load(path, [](const tg::NamedTensors& p) { return std::make_unique<Adagrad>(p, AdagradOptions(0.1)); }, true);
  try_load(path, [](const tg::NamedTensors& p) {
    return std::make_unique<SparseAdam>(std::vector<tg::Tensor>{p[0].second}, SparseAdamOptions(0.1));
  }, true);
  return 0;
}

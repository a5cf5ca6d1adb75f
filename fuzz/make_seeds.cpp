// Writes the seed corpus of the fuzz targets (tests/fuzz_corpus/<target>/): small valid
// files of every kind and layout, so fuzzing starts from what tapegrad writes.
//   make_seeds <corpus root>
#include <tapegrad/tapegrad.h>

#include <filesystem>

using namespace tg::optim;

namespace {
tg::NamedTensors params() {
  return {{"emb.weight", tg::ones({5, 2}, tg::kFloat64).requires_grad_()},
          {"bias", tg::ones({3}, tg::kFloat64).requires_grad_()}};
}

void step(Optimizer& opt, const tg::NamedTensors& p, bool sparse) {
  const tg::Tensor g0 = tg::sparse_coo_tensor(tg::tensor({{1, 3}}, tg::kInt64), tg::full({2, 2}, 0.5, tg::kFloat64),
                                              {5, 2});
  std::vector<tg::Tensor> grads{sparse ? g0 : g0.to_dense()};
  if (p.size() == 2) grads.push_back(tg::full({3}, 0.25, tg::kFloat64));
  opt.step_with(grads);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::filesystem::path root(argv[1]);
  const std::filesystem::path tensors = root / "load_tensor_file", states = root / "load_optimizer_state";
  std::filesystem::create_directories(tensors);
  std::filesystem::create_directories(states);
  auto at = [](const std::filesystem::path& dir, const char* name) { return (dir / name).string(); };

  tg::save(at(tensors, "dense_f32.tg"), tg::tensor({{1.5f, -2.f}, {3.f, 0.f}}));
  tg::save(at(tensors, "scalar_bool.tg"), tg::scalar_tensor(true, tg::kBool));
  tg::save(at(tensors, "empty_i64.tg"), tg::zeros({0, 3}, tg::kInt64));
  tg::save(at(tensors, "sparse_uncoalesced.tg"),
           tg::sparse_coo_tensor(tg::tensor({{3, 1, 3}}, tg::kInt64), tg::tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}},
                                                                                 tg::kFloat64), {5, 2}));
  tg::save(at(tensors, "sparse_coalesced_2d.tg"),
           tg::sparse_coo_tensor(tg::tensor({{0, 1}, {2, 0}}, tg::kInt64), tg::tensor({1.f, 2.f}), {2, 3}).coalesce());
  tg::save(at(tensors, "named.tg"), tg::NamedTensors{{"a", tg::ones({2, 3})}, {"b", tg::arange(0, 4).to(tg::kFloat32)}});
  tg::save_groups(at(tensors, "groups.tg"), {{"model", {{"w", tg::ones({2})}}},
                                             {"extra", {{"epoch", tg::scalar_tensor(3, tg::kInt64)}}}});

  const tg::NamedTensors p = params();
  SGD sgd(p, SGDOptions(0.1).momentum(0.9));
  step(sgd, p, true);
  tg::save(at(states, "sgd.tg"), sgd);
  Adam adam(params(), AdamOptions(0.1).amsgrad(true));
  tg::save(at(states, "adam_fresh.tg"), adam);
  const tg::NamedTensors q = params();
  Adam stepped(q, AdamOptions(0.1).amsgrad(true));
  step(stepped, q, false);
  tg::save(at(states, "adam.tg"), stepped);
  tg::save_checkpoint(at(states, "adam_checkpoint.tg"), q, stepped, {{"epoch", tg::scalar_tensor(1, tg::kInt64)}});
  const tg::NamedTensors r = params();
  Adagrad adagrad(r, AdagradOptions(0.1));
  step(adagrad, r, true);
  tg::save(at(states, "adagrad.tg"), adagrad);
  const tg::NamedTensors s = params();
  const tg::NamedTensors first{s[0]};
  SparseAdam sparse_adam(first, SparseAdamOptions(0.1));
  step(sparse_adam, first, true);
  tg::save(at(states, "sparse_adam.tg"), sparse_adam);
  return 0;
}

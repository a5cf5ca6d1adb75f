// Optimizer state files that no optimizer writes (Note [Checked optimizer state]), and
// checkpoints: a model and its optimizer saved, verified and loaded as one unit.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include <tapegrad/tapegrad.h>

using namespace tg::optim;

namespace {
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name)
      : path((std::filesystem::temp_directory_path() / ("tapegrad_state_" + std::to_string(::getpid()) + "_" + name))
                 .string()) {}
  ~TempFile() { std::filesystem::remove(path); }
};

tg::NamedTensors two_params() {
  return {{"w", tg::tensor({{1.0, 2.0}, {3.0, 4.0}}, tg::kFloat64).requires_grad_()},
          {"b", tg::tensor({0.5, -0.5}, tg::kFloat64).requires_grad_()}};
}

void one_step(Optimizer& opt, const tg::NamedTensors& params) {
  for (const auto& [name, p] : params) {
    tg::Tensor handle = p;
    handle.mutable_grad() = tg::full(p.sizes(), 0.25, tg::kFloat64);
  }
  opt.step();
  opt.zero_grad();
}

// Writes `opt`'s state after `edit` changed its flattened entries: a forged file whose
// structure and checksum are valid.
void forge(const std::string& path, const Optimizer& opt, const std::function<void(tg::NamedTensors&)>& edit) {
  tg::NamedTensors named = to_named(opt.state_dict());
  edit(named);
  tg::serialize::write_archive(path, {"optimizer:" + opt.name(), named});
}

tg::Tensor& entry(tg::NamedTensors& named, const std::string& name) {
  for (auto& [key, t] : named)
    if (key == name) return t;
  FAIL("no entry " << name);
  throw;
}
}  // namespace

TEST_CASE("optimizer state for a parameter that does not exist is refused") {
  TempFile file("param99.tg");
  const tg::NamedTensors params = two_params();
  Adam adam(params, AdamOptions(0.1));
  one_step(adam, params);
  forge(file.path, adam, [](tg::NamedTensors& named) {
    named.emplace_back("state.99.step", tg::scalar_tensor(1, tg::kInt64));
  });
  Adam fresh(two_params(), AdamOptions(0.1));
  CHECK_THROWS_WITH_AS(tg::load(file.path, fresh),
                       doctest::Contains("holds state for parameter 99 of 2; expected positions 0 to 1"), tg::IndexError);
  forge(file.path, adam, [](tg::NamedTensors& named) { entry(named, "param_groups.0.params") = tg::tensor({0, 7}, tg::kInt64); });
  CHECK_THROWS_WITH_AS(tg::load(file.path, fresh), doctest::Contains("lists parameter 7 of 2 in group 0"),
                       tg::IndexError);
  forge(file.path, adam, [](tg::NamedTensors& named) { entry(named, "param_groups.0.params") = tg::tensor({1, 1}, tg::kInt64); });
  CHECK_THROWS_WITH_AS(tg::load(file.path, fresh), doctest::Contains("lists parameter 1 twice"), tg::Error);
  forge(file.path, adam, [](tg::NamedTensors& named) {
    entry(named, "param_groups.0.params") = tg::tensor({0.0, std::nan("")}, tg::kFloat64);
  });
  CHECK_THROWS_WITH_AS(tg::load(file.path, fresh), doctest::Contains("has dtype torch.float64; expected torch.int64 positions"),
                       tg::Error);
  forge(file.path, adam, [](tg::NamedTensors& named) { entry(named, "state.0.step") = tg::scalar_tensor(1e300, tg::kFloat64); });
  CHECK_THROWS_WITH_AS(tg::load(file.path, fresh), doctest::Contains("step = 1e+300 is invalid"), tg::Error);
}

TEST_CASE("negative or NaN second moments are refused: Adam, AMSGrad, SparseAdam and Adagrad") {
  TempFile file("moments.tg");
  const tg::NamedTensors params = two_params();
  Adam adam(params, AdamOptions(0.1).amsgrad(true));
  one_step(adam, params);
  Adam fresh(two_params(), AdamOptions(0.1).amsgrad(true));
  forge(file.path, adam, [](tg::NamedTensors& named) { entry(named, "state.1.exp_avg_sq") = tg::tensor({0.1, -1.0}, tg::kFloat64); });
  CHECK_THROWS_WITH_AS(tg::load(file.path, fresh),
                       doctest::Contains("state.1.exp_avg_sq holds -1 at element 1; expected values >= 0"),
                       tg::ValueError);
  forge(file.path, adam, [](tg::NamedTensors& named) {
    entry(named, "state.0.max_exp_avg_sq") = tg::full({2, 2}, std::nan(""), tg::kFloat64);
  });
  CHECK_THROWS_WITH_AS(tg::load(file.path, fresh), doctest::Contains("state.0.max_exp_avg_sq holds nan at element 0"),
                       tg::ValueError);
  CHECK(fresh.state_dict().state.empty());  // nothing was loaded

  const tg::NamedTensors adagrad_params = two_params();
  Adagrad adagrad(adagrad_params, AdagradOptions(0.1));
  one_step(adagrad, adagrad_params);
  forge(file.path, adagrad, [](tg::NamedTensors& named) { entry(named, "state.0.sum") = tg::full({2, 2}, -0.5, tg::kFloat64); });
  Adagrad fresh_adagrad(two_params(), AdagradOptions(0.1));
  CHECK_THROWS_WITH_AS(tg::load(file.path, fresh_adagrad), doctest::Contains("state.0.sum holds -0.5 at element 0"),
                       tg::ValueError);
}

TEST_CASE("the SGD state check names the saved shape and the expected one") {
  TempFile file("sgd.tg");
  const tg::NamedTensors params = two_params();
  SGD sgd(params, SGDOptions(0.1).momentum(0.9));
  one_step(sgd, params);
  forge(file.path, sgd, [](tg::NamedTensors& named) { entry(named, "state.0.momentum_buffer") = tg::zeros({3}, tg::kFloat64); });
  SGD fresh(two_params(), SGDOptions(0.1).momentum(0.9));
  CHECK_THROWS_WITH_AS(tg::load(file.path, fresh),
                       doctest::Contains("has a saved momentum_buffer of shape [3]; expected the parameter's shape [2, 2]"),
                       tg::Error);
}

TEST_CASE("a checkpoint resumes the model and the optimizer together, exactly") {
  TempFile file("run.ckpt");
  const tg::NamedTensors straight = two_params();
  Adam straight_adam(straight, AdamOptions(0.1));
  for (int s = 0; s < 3; ++s) one_step(straight_adam, straight);

  const tg::NamedTensors first = two_params();
  Adam first_adam(first, AdamOptions(0.1));
  for (int s = 0; s < 2; ++s) one_step(first_adam, first);
  tg::save_checkpoint(file.path, first, first_adam, {{"epoch", tg::scalar_tensor(2, tg::kInt64)}});

  const tg::NamedTensors resumed = {{"w", tg::zeros({2, 2}, tg::kFloat64).requires_grad_()},
                                    {"b", tg::zeros({2}, tg::kFloat64).requires_grad_()}};
  Adam resumed_adam(resumed, AdamOptions(0.1));
  const tg::NamedTensors extra = tg::load_checkpoint(file.path, resumed, resumed_adam);
  REQUIRE(extra.size() == 1);
  CHECK(extra[0].second.item<int64_t>() == 2);
  one_step(resumed_adam, resumed);
  for (size_t i = 0; i < 2; ++i)
    CHECK(resumed[i].second.to_vector<double>() == straight[i].second.to_vector<double>());
}

TEST_CASE("a checkpoint that does not fit is refused and changes neither the model nor the optimizer") {
  TempFile file("bad.ckpt");
  const tg::NamedTensors params = two_params();
  Adam adam(params, AdamOptions(0.1));
  one_step(adam, params);
  tg::save_checkpoint(file.path, params, adam);

  // The optimizer's state does not fit (another kind): the parameters stay as they were.
  const tg::NamedTensors target = {{"w", tg::zeros({2, 2}, tg::kFloat64).requires_grad_()},
                                   {"b", tg::zeros({2}, tg::kFloat64).requires_grad_()}};
  Adagrad adagrad(target, AdagradOptions(0.1));
  CHECK_THROWS_WITH_AS(tg::load_checkpoint(file.path, target, adagrad), doctest::Contains("saved by Adam"), tg::Error);
  CHECK(target[0].second.sum().item<double>() == 0.0);
  // The model does not fit: the optimizer stays as it was.
  const tg::NamedTensors wrong = {{"w", tg::zeros({3}, tg::kFloat64).requires_grad_()},
                                  {"b", tg::zeros({2}, tg::kFloat64).requires_grad_()}};
  Adam fresh(wrong, AdamOptions(0.1));
  CHECK_THROWS_WITH_AS(tg::load_checkpoint(file.path, wrong, fresh), doctest::Contains("entry 'w' has shape [2, 2]"),
                       tg::ValueError);
  CHECK(fresh.state_dict().state.empty());
  // A plain optimizer file is not a checkpoint.
  tg::save(file.path, adam);
  CHECK_THROWS_WITH_AS(tg::load_checkpoint(file.path, params, adam), doctest::Contains("expected 'groups'"), tg::Error);
}

// Optimizer trajectories against PyTorch 1.13 (tests/golden/gen_optim.py writes
// optim.txt): several steps per case, dense gradients and uncoalesced sparse ones with
// duplicate rows, skipped steps and lr changes. The parameter is compared after every step.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.h>

#include "../support/golden.h"

namespace {

// A case is the records "<case>/<field>" of optim.txt; gen_optim.py lists the fields.
std::unique_ptr<tg::optim::Optimizer> make_optimizer(const std::string& name, const tg::Tensor& param) {
  auto opt = [&](const char* key, double fallback) {
    const std::string option = name + "/" + key;
    return golden::optim.has(option) ? golden::optim.scalar(option) : fallback;
  };
  const std::string& optimizer = golden::optim.text(name + "/optimizer");
  using namespace tg::optim;
  if (optimizer == "SGD")
    return std::make_unique<SGD>(std::vector<tg::Tensor>{param},
                                 SGDOptions(opt("lr", 1e-3)).momentum(opt("momentum", 0)).dampening(opt("dampening", 0))
                                     .weight_decay(opt("weight_decay", 0)).nesterov(opt("nesterov", 0) != 0)
                                     .maximize(opt("maximize", 0) != 0));
  if (optimizer == "SparseAdam")
    return std::make_unique<SparseAdam>(std::vector<tg::Tensor>{param},
                                        SparseAdamOptions(opt("lr", 1e-3)).betas({opt("beta1", 0.9), opt("beta2", 0.999)})
                                            .eps(opt("eps", 1e-8)).maximize(opt("maximize", 0) != 0));
  if (optimizer == "Adagrad")
    return std::make_unique<Adagrad>(std::vector<tg::Tensor>{param},
                                     AdagradOptions(opt("lr", 1e-2)).lr_decay(opt("lr_decay", 0))
                                         .weight_decay(opt("weight_decay", 0))
                                         .initial_accumulator_value(opt("initial_accumulator_value", 0))
                                         .eps(opt("eps", 1e-10)).maximize(opt("maximize", 0) != 0));
  if (optimizer == "AdamW")
    return std::make_unique<AdamW>(std::vector<tg::Tensor>{param},
                                   AdamWOptions(opt("lr", 1e-3)).betas({opt("beta1", 0.9), opt("beta2", 0.999)})
                                       .eps(opt("eps", 1e-8)).weight_decay(opt("weight_decay", 1e-2))
                                       .amsgrad(opt("amsgrad", 0) != 0).maximize(opt("maximize", 0) != 0));
  if (optimizer == "RMSprop")
    return std::make_unique<RMSprop>(std::vector<tg::Tensor>{param},
                                     RMSpropOptions(opt("lr", 1e-2)).alpha(opt("alpha", 0.99)).eps(opt("eps", 1e-8))
                                         .weight_decay(opt("weight_decay", 0)).momentum(opt("momentum", 0))
                                         .centered(opt("centered", 0) != 0).maximize(opt("maximize", 0) != 0));
  return std::make_unique<Adam>(std::vector<tg::Tensor>{param},
                                AdamOptions(opt("lr", 1e-3)).betas({opt("beta1", 0.9), opt("beta2", 0.999)})
                                    .eps(opt("eps", 1e-8)).weight_decay(opt("weight_decay", 0))
                                    .amsgrad(opt("amsgrad", 0) != 0).maximize(opt("maximize", 0) != 0));
}

void run_case(const std::string& name) {
  CAPTURE(name);
  tg::Tensor param = golden::optim.leaf(name + "/param");
  const tg::Dtype dtype = param.dtype();
  // float64 runs the same arithmetic as PyTorch, up to summation order; float32 is
  // compared relative to its precision.
  const double tolerance = dtype == tg::kFloat64 ? 1e-12 : 2e-6;
  std::unique_ptr<tg::optim::Optimizer> optimizer = make_optimizer(name, param);
  int step = 0;
  for (; golden::optim.has(name + "/step" + std::to_string(step) + "/expect"); ++step) {
    const std::string at = name + "/step" + std::to_string(step);
    if (golden::optim.has(at + "/lr")) optimizer->param_groups()[0].set_lr(golden::optim.scalar(at + "/lr"));
    if (golden::optim.has(at + "/grad_indices")) {
      param.mutable_grad() = tg::sparse_coo_tensor(golden::optim.tensor(at + "/grad_indices"),
                                                   golden::optim.tensor(at + "/grad_values"), param.sizes());
    } else if (golden::optim.is_none(at + "/grad")) {
      param.mutable_grad() = tg::Tensor();
    } else {
      param.mutable_grad() = golden::optim.tensor(at + "/grad");
    }
    optimizer->step();
    CAPTURE(step);
    const std::vector<double> expected = golden::values_of(golden::optim.tensor(at + "/expect"));
    const std::vector<double> actual = golden::values_of(param);
    for (size_t i = 0; i < expected.size(); ++i) {
      CAPTURE(i);
      CHECK(std::abs(actual[i] - expected[i]) <= tolerance * std::max(1.0, std::abs(expected[i])));
    }
  }
  CHECK(step > 0);
}

void run_prefix(const std::string& prefix) {
  int count = 0;
  for (const std::string& name : golden::optim.cases(prefix, "optimizer")) {
    run_case(name);
    ++count;
  }
  CHECK(count > 0);
}

}  // namespace

TEST_CASE("SGD trajectories match PyTorch for every option, dense and sparse") { run_prefix("sgd_"); }
TEST_CASE("SparseAdam trajectories match PyTorch, including rows first touched late") { run_prefix("sparse_adam_"); }
TEST_CASE("Adagrad trajectories match PyTorch for every option, dense and sparse") { run_prefix("adagrad_"); }
TEST_CASE("Adam trajectories match PyTorch for every amsgrad x weight_decay x maximize") { run_prefix("adam_"); }
TEST_CASE("AdamW trajectories match PyTorch for every amsgrad x weight_decay x maximize") { run_prefix("adamw_"); }
TEST_CASE("RMSprop trajectories match PyTorch for alpha, eps, weight_decay, momentum, centered, maximize") {
  run_prefix("rmsprop_");
}

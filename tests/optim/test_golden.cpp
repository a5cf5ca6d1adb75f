// Optimizer trajectories against PyTorch 1.13 (tests/golden/gen_optim.py writes
// optim.txt): several steps per case, dense gradients and uncoalesced sparse ones with
// duplicate rows, skipped steps and lr changes. The parameter is compared after every step.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.h>

namespace {

struct GoldenCase {
  std::string name, optimizer, dtype;
  std::map<std::string, double> options;
  std::vector<std::string> lines;  // everything after "param", in order
};

std::vector<GoldenCase> read_cases() {
  std::ifstream file(std::string(TAPEGRAD_GOLDEN_DIR) + "/optim.txt");
  REQUIRE(file.good());
  std::vector<GoldenCase> cases;
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream in(line);
    std::string word;
    in >> word;
    if (word == "case") {
      cases.emplace_back();
      in >> cases.back().name;
    } else if (word == "opt") {
      in >> cases.back().optimizer >> cases.back().dtype;
      std::string option;
      while (in >> option) {
        const size_t eq = option.find('=');
        cases.back().options[option.substr(0, eq)] = std::stod(option.substr(eq + 1));
      }
    } else if (!word.empty() && word != "#" && word != "end") {
      cases.back().lines.push_back(line);
    }
  }
  return cases;
}

std::vector<double> numbers(std::istringstream& in, size_t count) {
  std::vector<double> out(count);
  for (double& v : out) in >> v;
  return out;
}

tg::Tensor make(const std::vector<double>& values, tg::Shape shape, tg::Dtype dtype) {
  return tg::from_vector(values, std::move(shape)).to(dtype);
}

std::unique_ptr<tg::optim::Optimizer> make_optimizer(const GoldenCase& c, const tg::Tensor& param) {
  auto opt = [&](const char* key, double fallback) {
    const auto it = c.options.find(key);
    return it == c.options.end() ? fallback : it->second;
  };
  using namespace tg::optim;
  if (c.optimizer == "SGD")
    return std::make_unique<SGD>(std::vector<tg::Tensor>{param},
                                 SGDOptions(opt("lr", 1e-3)).momentum(opt("momentum", 0)).dampening(opt("dampening", 0))
                                     .weight_decay(opt("weight_decay", 0)).nesterov(opt("nesterov", 0) != 0)
                                     .maximize(opt("maximize", 0) != 0));
  if (c.optimizer == "SparseAdam")
    return std::make_unique<SparseAdam>(std::vector<tg::Tensor>{param},
                                        SparseAdamOptions(opt("lr", 1e-3)).betas({opt("beta1", 0.9), opt("beta2", 0.999)})
                                            .eps(opt("eps", 1e-8)).maximize(opt("maximize", 0) != 0));
  if (c.optimizer == "Adagrad")
    return std::make_unique<Adagrad>(std::vector<tg::Tensor>{param},
                                     AdagradOptions(opt("lr", 1e-2)).lr_decay(opt("lr_decay", 0))
                                         .weight_decay(opt("weight_decay", 0))
                                         .initial_accumulator_value(opt("initial_accumulator_value", 0))
                                         .eps(opt("eps", 1e-10)).maximize(opt("maximize", 0) != 0));
  return std::make_unique<Adam>(std::vector<tg::Tensor>{param},
                                AdamOptions(opt("lr", 1e-3)).betas({opt("beta1", 0.9), opt("beta2", 0.999)})
                                    .eps(opt("eps", 1e-8)).weight_decay(opt("weight_decay", 0))
                                    .amsgrad(opt("amsgrad", 0) != 0).maximize(opt("maximize", 0) != 0));
}

void run_case(const GoldenCase& c) {
  CAPTURE(c.name);
  const tg::Dtype dtype = c.dtype == "float32" ? tg::kFloat32 : tg::kFloat64;
  // float64 runs the same arithmetic as PyTorch, up to summation order; float32 is
  // compared relative to its precision.
  const double tolerance = dtype == tg::kFloat64 ? 1e-12 : 2e-6;
  std::istringstream head(c.lines.at(0));
  std::string word;
  int64_t rows = 0, cols = 0;
  head >> word >> rows >> cols;
  REQUIRE(word == "param");
  tg::Tensor param = make(numbers(head, rows * cols), {rows, cols}, dtype).requires_grad_();
  std::unique_ptr<tg::optim::Optimizer> optimizer = make_optimizer(c, param);
  int step = 0;
  for (size_t l = 1; l < c.lines.size(); ++l) {
    std::istringstream in(c.lines[l]);
    in >> word;
    if (word == "setlr") {
      double lr;
      in >> lr;
      optimizer->param_groups()[0].set_lr(lr);
    } else if (word == "step") {
      std::string kind;
      in >> kind;
      if (kind == "dense") {
        param.mutable_grad() = make(numbers(in, rows * cols), {rows, cols}, dtype);
      } else if (kind == "sparse") {
        int64_t nnz;
        in >> nnz;
        std::vector<int64_t> idx(nnz);
        for (int64_t& i : idx) in >> i;
        param.mutable_grad() = tg::sparse_coo_tensor(tg::from_vector(idx, {1, nnz}),
                                                     make(numbers(in, nnz * cols), {nnz, cols}, dtype), {rows, cols});
      } else {
        param.mutable_grad() = tg::Tensor();
      }
      optimizer->step();
      ++step;
    } else if (word == "expect") {
      CAPTURE(step);
      const std::vector<double> expected = numbers(in, rows * cols);
      const std::vector<double> actual = param.detach().to(tg::kFloat64).to_vector<double>();
      for (size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(i);
        CHECK(std::abs(actual[i] - expected[i]) <= tolerance * std::max(1.0, std::abs(expected[i])));
      }
    }
  }
  CHECK(step > 0);
}

void run_prefix(const std::string& prefix) {
  int count = 0;
  for (const GoldenCase& c : read_cases())
    if (c.name.rfind(prefix, 0) == 0) {
      run_case(c);
      ++count;
    }
  CHECK(count > 0);
}

}  // namespace

TEST_CASE("SGD trajectories match PyTorch for every option, dense and sparse") { run_prefix("sgd_"); }
TEST_CASE("SparseAdam trajectories match PyTorch, including rows first touched late") { run_prefix("sparse_adam_"); }
TEST_CASE("Adagrad trajectories match PyTorch for every option, dense and sparse") { run_prefix("adagrad_"); }
TEST_CASE("Adam trajectories match PyTorch for every amsgrad x weight_decay x maximize") { run_prefix("adam_"); }

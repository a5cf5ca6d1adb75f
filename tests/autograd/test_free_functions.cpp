// tg::relu(x), tg::exp(x), ...: each unary method as a free function, as libtorch has
// them (torch::relu, torch::exp), with the same values and the same gradient.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace {

using Unary = std::function<tg::Tensor(const tg::Tensor&)>;

struct Pair {
  std::string name;
  Unary free, method;
};

const std::vector<Pair>& pairs() {
  static const std::vector<Pair> all{
      {"neg", [](const tg::Tensor& x) { return tg::neg(x); }, [](const tg::Tensor& x) { return x.neg(); }},
      {"exp", [](const tg::Tensor& x) { return tg::exp(x); }, [](const tg::Tensor& x) { return x.exp(); }},
      {"log", [](const tg::Tensor& x) { return tg::log(x.abs() + 0.5); }, [](const tg::Tensor& x) { return (x.abs() + 0.5).log(); }},
      {"sqrt", [](const tg::Tensor& x) { return tg::sqrt(x.abs() + 0.5); }, [](const tg::Tensor& x) { return (x.abs() + 0.5).sqrt(); }},
      {"abs", [](const tg::Tensor& x) { return tg::abs(x); }, [](const tg::Tensor& x) { return x.abs(); }},
      {"sigmoid", [](const tg::Tensor& x) { return tg::sigmoid(x); }, [](const tg::Tensor& x) { return x.sigmoid(); }},
      {"tanh", [](const tg::Tensor& x) { return tg::tanh(x); }, [](const tg::Tensor& x) { return x.tanh(); }},
      {"relu", [](const tg::Tensor& x) { return tg::relu(x); }, [](const tg::Tensor& x) { return x.relu(); }},
      {"logsigmoid", [](const tg::Tensor& x) { return tg::logsigmoid(x); }, [](const tg::Tensor& x) { return x.logsigmoid(); }},
      {"sin", [](const tg::Tensor& x) { return tg::sin(x); }, [](const tg::Tensor& x) { return x.sin(); }},
      {"cos", [](const tg::Tensor& x) { return tg::cos(x); }, [](const tg::Tensor& x) { return x.cos(); }},
      {"erf", [](const tg::Tensor& x) { return tg::erf(x); }, [](const tg::Tensor& x) { return x.erf(); }},
      {"gelu", [](const tg::Tensor& x) { return tg::gelu(x); }, [](const tg::Tensor& x) { return x.gelu(); }},
      {"gelu_tanh", [](const tg::Tensor& x) { return tg::gelu(x, "tanh"); }, [](const tg::Tensor& x) { return x.gelu("tanh"); }},
      {"softplus", [](const tg::Tensor& x) { return tg::softplus(x, 2.0, 1.0); }, [](const tg::Tensor& x) { return x.softplus(2.0, 1.0); }},
      {"pow", [](const tg::Tensor& x) { return tg::pow(x, 3.0); }, [](const tg::Tensor& x) { return x.pow(3.0); }},
      {"clamp", [](const tg::Tensor& x) { return tg::clamp(x, -0.5, std::nullopt); }, [](const tg::Tensor& x) { return x.clamp(-0.5, std::nullopt); }},
      {"clamp_min", [](const tg::Tensor& x) { return tg::clamp_min(x, 0.1); }, [](const tg::Tensor& x) { return x.clamp_min(0.1); }},
      {"clamp_max", [](const tg::Tensor& x) { return tg::clamp_max(x, 0.1); }, [](const tg::Tensor& x) { return x.clamp_max(0.1); }},
  };
  return all;
}

}  // namespace

TEST_CASE("each free function gives its method's values and gradient") {
  tg::manual_seed(3);
  const tg::Tensor base = tg::randn({3, 4}, tg::kFloat64);
  for (const Pair& p : pairs()) {
    CAPTURE(p.name);
    tg::Tensor a = base.clone().requires_grad_(), b = base.clone().requires_grad_();
    const tg::Tensor fa = p.free(a), fb = p.method(b);
    CHECK(fa.grad_fn_name() == fb.grad_fn_name());
    CHECK(fa.to_vector<double>() == fb.to_vector<double>());
    fa.sum().backward();
    fb.sum().backward();
    CHECK(a.grad().to_vector<double>() == b.grad().to_vector<double>());
  }
}

TEST_CASE("tg::exp(x) on a tensor and exp(1.0) on a number live side by side under using namespace tg") {
  using namespace tg;
  const Tensor x = tensor({0.0, 1.0}, kFloat64);
  CHECK(exp(x).to_vector<double>()[1] == doctest::Approx(std::exp(1.0)));
  CHECK(exp(1.0) == doctest::Approx(2.718281828459045));
  CHECK(tanh(0.5) == doctest::Approx(std::tanh(0.5)));
  CHECK(tg::relu(tensor({-1.0, 2.0})).to_vector<float>() == std::vector<float>{0, 2});
}

// Sequential, ModuleList, Functional; buffers, named_modules, apply, to(dtype);
// PyTorch's printout; saving and loading whole modules and optimizers.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <tapegrad/tapegrad.h>

using namespace tg::nn;

namespace {

std::string printed(const Module& m) {
  std::ostringstream out;
  out << m;
  return out.str();
}

std::vector<std::string> keys(const std::vector<std::pair<std::string, tg::Tensor>>& named) {
  std::vector<std::string> out;
  for (const auto& [name, _] : named) out.push_back(name);
  return out;
}

Sequential mlp() { return Sequential(Linear(64, 128), ReLU(), Dropout(0.1), Linear(128, 10)); }

// A temporary file removed at scope exit.
struct TempPath {
  std::string path;
  explicit TempPath(const std::string& name)
      : path((std::filesystem::temp_directory_path() / ("tapegrad_containers_" + name)).string()) {}
  ~TempPath() { std::remove(path.c_str()); }
};

// A module with a buffer, as BatchNorm's running statistics.
struct Scaler : Module {
  tg::Tensor scale = register_parameter("scale", tg::ones({3}));
  tg::Tensor running = register_buffer("running", tg::zeros({3}));
  tg::Tensor forward(const tg::Tensor& x) { return x * scale + running; }
};

}  // namespace

TEST_CASE("Sequential names its children by position, as PyTorch: 0.weight, 3.bias") {
  Sequential net = mlp();
  CHECK(net.size() == 4);
  CHECK(keys(net.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias", "3.weight", "3.bias"});
  CHECK(net.at<Linear>(3).weight.name() == "3.weight");
  CHECK(net.ptr<Linear>(0)->options().out_features() == 128);
  CHECK(net[1]->name() == "ReLU");
}

TEST_CASE("Sequential's forward runs each module in turn, equal to calling them by hand") {
  tg::manual_seed(0);
  Sequential net(Linear(3, 4), Tanh(), Linear(4, 2), LogSoftmax(1));
  const tg::Tensor x = tg::randn({5, 3});
  Linear& a = net.at<Linear>(0);
  Linear& b = net.at<Linear>(2);
  const tg::Tensor want = tg::log_softmax(b(a(x).tanh()), 1);
  CHECK(net(x).to_vector<float>() == want.to_vector<float>());
}

TEST_CASE("a module given as shared_ptr is shared; push_back, named entries and nesting work") {
  auto fc = std::make_shared<Linear>(2, 2);
  Sequential net(fc, ReLU());
  CHECK(net.ptr(0) == fc);
  net.push_back(Functional([](const tg::Tensor& x) { return x * 2.0; }));
  net.push_back("head", Sequential(Linear(2, 1)));
  CHECK(net.size() == 4);
  CHECK(keys(net.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias", "head.0.weight", "head.0.bias"});
  const tg::Tensor x = tg::ones({1, 2});
  auto& head = net.at<Sequential>(3);
  const tg::Tensor want = head((*fc)(x).relu() * 2.0);
  CHECK(net(x).item<float>() == want.item<float>());
  Sequential named({{"fc", AnyModule(Linear(2, 3))}, {"act", AnyModule(ReLU())}});
  CHECK(keys(named.named_parameters()) == std::vector<std::string>{"fc.weight", "fc.bias"});
  named.extend(Sequential(Linear(3, 1)));
  CHECK(keys(named.named_parameters()) == std::vector<std::string>{"fc.weight", "fc.bias", "2.weight", "2.bias"});
}

TEST_CASE("ModuleList holds modules without forward, iterates in order and names them by position") {
  ModuleList blocks;
  for (int i = 1; i <= 3; ++i) blocks.push_back(Linear(i, i + 1));
  blocks.push_back(std::make_shared<Embedding>(4, 2));
  CHECK(blocks.size() == 4);
  int64_t in = 1;
  for (const auto& block : blocks) {
    if (auto fc = std::dynamic_pointer_cast<Linear>(block)) CHECK(fc->options().in_features() == in++);
  }
  CHECK(blocks.at<Embedding>(3).weight.name() == "3.weight");
  CHECK(printed(Functional([](const tg::Tensor& x) { return x; })) == "Functional()");
}

TEST_CASE("Sequential and ModuleList refuse an index out of range and a wrong type, naming them") {
  Sequential net = mlp();
  CHECK_THROWS_WITH_AS(net[4], doctest::Contains("index 4 is out of range; expected an index in [0, 4)"), tg::IndexError);
  CHECK_THROWS_WITH_AS(net.at<Linear>(1), doctest::Contains("child 1 is a ReLU"), tg::TypeError);
  ModuleList list(Linear(1, 1), ReLU());
  CHECK_THROWS_AS(list[2], tg::IndexError);
  CHECK_THROWS_AS(Functional(nullptr), tg::ValueError);
}

TEST_CASE("Sequential, ModuleList and the layers print exactly as PyTorch 1.13") {
  CHECK(printed(mlp()) ==
        "Sequential(\n"
        "  (0): Linear(in_features=64, out_features=128, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.1, inplace=False)\n"
        "  (3): Linear(in_features=128, out_features=10, bias=True)\n"
        ")");
  CHECK(printed(LeakyReLU()) == "LeakyReLU(negative_slope=0.01)");
  CHECK(printed(LeakyReLU(LeakyReLUOptions().negative_slope(0.2))) == "LeakyReLU(negative_slope=0.2)");
  CHECK(printed(Tanh()) == "Tanh()");
  CHECK(printed(Sigmoid()) == "Sigmoid()");
  CHECK(printed(SiLU()) == "SiLU()");
  CHECK(printed(Softmax(1)) == "Softmax(dim=1)");
  CHECK(printed(LogSoftmax(-1)) == "LogSoftmax(dim=-1)");
  CHECK(printed(Identity()) == "Identity()");
  CHECK(printed(Flatten()) == "Flatten(start_dim=1, end_dim=-1)");
  CHECK(printed(Flatten(FlattenOptions().start_dim(0).end_dim(2))) == "Flatten(start_dim=0, end_dim=2)");
  CHECK(printed(Dropout()) == "Dropout(p=0.5, inplace=False)");
  CHECK(printed(Dropout(1.0)) == "Dropout(p=1.0, inplace=False)");
  CHECK(printed(LayerNorm(LayerNormOptions({4}))) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)");
  CHECK(printed(LayerNorm(LayerNormOptions({2, 3}).eps(1e-6).elementwise_affine(false))) ==
        "LayerNorm((2, 3), eps=1e-06, elementwise_affine=False)");
  CHECK(printed(ModuleList(ReLU(), Sequential())) == "ModuleList(\n  (0): ReLU()\n  (1): Sequential()\n)");
  CHECK(printed(Sequential({{"fc", AnyModule(Linear(2, 3))},
                            {"act", AnyModule(Sequential(Tanh(), Linear(LinearOptions(3, 1).bias(false))))}})) ==
        "Sequential(\n"
        "  (fc): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (act): Sequential(\n"
        "    (0): Tanh()\n"
        "    (1): Linear(in_features=3, out_features=1, bias=False)\n"
        "  )\n"
        ")");
}

TEST_CASE("named_modules lists the module itself first with \"\", then every descendant depth first") {
  Sequential net(Linear(1, 2), Sequential(ReLU(), Linear(2, 1)));
  std::vector<std::string> names;
  for (const auto& [name, module] : net.named_modules()) names.push_back(name + ":" + module->name());
  CHECK(names == std::vector<std::string>{":Sequential", "0:Linear", "1:Sequential", "1.0:ReLU", "1.1:Linear"});
  CHECK(net.named_modules()[0].second == &net);
  CHECK(net.named_modules("", /*include_self=*/false).size() == 4);
  CHECK(net.children().size() == 2);
  CHECK(net.named_children()[1].first == "1");
}

TEST_CASE("apply visits children before their parent, as PyTorch's Module.apply") {
  Sequential net(Linear(1, 2), Sequential(ReLU()));
  std::vector<std::string> order;
  net.apply([&](Module& m) { order.push_back(m.name()); });
  CHECK(order == std::vector<std::string>{"Linear", "ReLU", "Sequential", "Sequential"});
  // The usual use: re-initialise every Linear.
  net.apply([](Module& m) {
    if (auto* fc = dynamic_cast<Linear*>(&m)) tg::nn::init::zeros_(fc->weight);
  });
  CHECK(net.at<Linear>(0).weight.to_vector<float>() == std::vector<float>{0, 0});
}

TEST_CASE("train and eval reach modules nested in containers") {
  struct Net : Module {
    std::shared_ptr<ModuleList> blocks =
        register_module("blocks", std::make_shared<ModuleList>(Dropout(0.5), Sequential(Linear(1, 1), Dropout(0.5))));
  };
  Net net;
  CHECK(net.named_modules().size() == 6);
  net.eval();
  for (const auto& [name, m] : net.named_modules()) CHECK_MESSAGE(!m->is_training(), name);
  net.train();
  for (const auto& [name, m] : net.named_modules()) CHECK_MESSAGE(m->is_training(), name);
}

TEST_CASE("buffers are listed, saved and converted, but never parameters") {
  Sequential net;
  net.push_back(Scaler());
  CHECK(keys(net.named_parameters()) == std::vector<std::string>{"0.scale"});
  CHECK(keys(net.named_buffers()) == std::vector<std::string>{"0.running"});
  CHECK(keys(net.state_dict()) == std::vector<std::string>{"0.scale", "0.running"});
  CHECK_FALSE(net.buffers()[0].requires_grad());
  CHECK(net.buffers()[0].name() == "0.running");
  Scaler s;
  CHECK_THROWS_WITH_AS(s.register_buffer("scale", tg::ones({1})), doctest::Contains("a parameter named 'scale'"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(s.register_parameter("running", tg::ones({1})), doctest::Contains("a buffer named 'running'"),
                       tg::ValueError);
}

TEST_CASE("state_dict lists each module's parameters, then its buffers, then its children's, as PyTorch") {
  struct Outer : Module {
    std::shared_ptr<Scaler> inner = register_module("inner", std::make_shared<Scaler>());
    tg::Tensor count = register_buffer("count", tg::zeros({}, tg::kInt64));
    tg::Tensor w = register_parameter("w", tg::ones({1}));
  };
  Outer m;
  CHECK(keys(m.state_dict()) == std::vector<std::string>{"w", "count", "inner.scale", "inner.running"});
}

TEST_CASE("to(dtype) converts floating parameters, buffers and gradients in place, keeping identities") {
  Sequential net;
  net.push_back(Linear(2, 3));
  net.push_back(Scaler());
  Linear& fc = net.at<Linear>(0);
  const tg::Tensor handle = fc.weight;
  const std::vector<float> before = fc.weight.to_vector<float>();
  net(tg::ones({1, 2})).sum().backward();
  net.to(tg::kFloat64);
  CHECK(handle.dtype() == tg::kFloat64);
  CHECK(net.parameters()[0].is_same(fc.weight));
  CHECK(fc.weight.requires_grad());
  CHECK(fc.weight.grad().dtype() == tg::kFloat64);
  CHECK(net.buffers()[0].dtype() == tg::kFloat64);
  const std::vector<double> after = fc.weight.to_vector<double>();
  for (size_t i = 0; i < before.size(); ++i) CHECK(after[i] == static_cast<double>(before[i]));
  CHECK(net(tg::ones({1, 2}, tg::kFloat64)).dtype() == tg::kFloat64);
  CHECK_THROWS_WITH_AS(net.to(tg::kInt64), doctest::Contains("dtype torch.int64 is not floating"), tg::TypeError);
}

TEST_CASE("tg::save(module, path) and tg::load(module, path) round-trip parameters and buffers") {
  TempPath file("roundtrip.tg");
  tg::manual_seed(1);
  Sequential net = mlp();
  net.push_back(Scaler());
  {
    tg::NoGradGuard no_grad;
    net.at<Scaler>(4).running.fill_(0.25);
  }
  tg::save(net, file.path);
  Sequential fresh = mlp();
  fresh.push_back(Scaler());
  const tg::Tensor weight = fresh.at<Linear>(0).weight;
  tg::load(fresh, file.path);
  CHECK(fresh.at<Linear>(0).weight.is_same(weight));  // copied in place
  const auto saved = net.state_dict(), loaded = fresh.state_dict();
  for (size_t i = 0; i < saved.size(); ++i) CHECK(saved[i].second.to_vector<float>() == loaded[i].second.to_vector<float>());
  // The file is the named tensors that the path-first call reads too.
  CHECK(keys(tg::load_named(file.path)) == keys(net.state_dict()));
  auto shared = std::make_shared<Sequential>(mlp());
  shared->push_back(Scaler());
  tg::load(shared, file.path);
  CHECK(shared->at<Scaler>(4).running.to_vector<float>() == std::vector<float>{0.25f, 0.25f, 0.25f});
}

TEST_CASE("loading a file of another architecture names the first mismatch and leaves the module untouched") {
  TempPath file("mismatch.tg");
  tg::save(mlp(), file.path);
  Sequential wider(Linear(64, 256), ReLU(), Dropout(0.1), Linear(256, 10));
  const std::vector<float> before = wider.at<Linear>(3).bias.to_vector<float>();
  CHECK_THROWS_WITH_AS(tg::load(wider, file.path),
                       doctest::Contains("'0.weight' has shape [128, 64] in the state dict but [256, 64] in the module"),
                       tg::ValueError);
  CHECK(wider.at<Linear>(3).bias.to_vector<float>() == before);
  Sequential shorter(Linear(64, 128));
  CHECK_THROWS_WITH_AS(tg::load(shorter, file.path), doctest::Contains("unexpected key '3.weight'"), tg::Error);
  Sequential longer = mlp();
  longer.push_back(Linear(10, 2));
  CHECK_THROWS_WITH_AS(tg::load(longer, file.path), doctest::Contains("missing key '4.weight'"), tg::Error);
}

TEST_CASE("tg::save(optimizer, path) and tg::load(optimizer, path) resume Adam exactly") {
  TempPath model_file("adam.model"), optim_file("adam.optim");
  tg::manual_seed(2);
  Sequential net(Linear(3, 2));
  tg::optim::Adam adam(net.parameters(), tg::optim::AdamOptions(0.1));
  const tg::Tensor x = tg::randn({4, 3});
  auto step = [&](Sequential& model, tg::optim::Optimizer& opt) {
    opt.zero_grad();
    model(x).pow(2.0).sum().backward();
    opt.step();
  };
  step(net, adam);
  tg::save(net, model_file.path);
  tg::save(adam, optim_file.path);
  Sequential resumed(Linear(3, 2));
  tg::optim::Adam resumed_adam(resumed.parameters(), tg::optim::AdamOptions(0.1));
  tg::load(resumed, model_file.path);
  tg::load(resumed_adam, optim_file.path);
  step(net, adam);
  step(resumed, resumed_adam);
  CHECK(resumed.at<Linear>(0).weight.to_vector<float>() == net.at<Linear>(0).weight.to_vector<float>());
}

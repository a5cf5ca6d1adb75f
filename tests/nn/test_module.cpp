// The Module system: registration, dotted names, zero_grad, train/eval, state dicts,
// Linear's construction and init, nn::init.
#include <doctest/doctest.h>

#include <sstream>

#include <tapegrad/tapegrad.h>

using namespace tg::nn;

namespace {

struct Encoder : Module {
  Embedding emb{10, 3};
  Linear proj{3, 2};
  Encoder() {
    register_module("emb", emb);
    register_module("proj", proj);
  }
};

struct Model : Module {
  Encoder encoder;
  std::shared_ptr<Linear> head = std::make_shared<Linear>(LinearOptions(2, 1).bias(false));
  tg::Tensor scale;
  Model() {
    scale = register_parameter("scale", tg::ones({1}));
    register_module("encoder", encoder);
    register_module("head", head);
  }
};

std::vector<std::string> names(const Module& m) {
  std::vector<std::string> out;
  for (const auto& [name, _] : m.named_parameters()) out.push_back(name);
  return out;
}

}  // namespace

TEST_CASE("named_parameters lists own parameters first, then children's with dotted names") {
  Model m;
  CHECK(names(m) == std::vector<std::string>{"scale", "encoder.emb.weight", "encoder.proj.weight",
                                             "encoder.proj.bias", "head.weight"});
  CHECK(m.parameters().size() == 5);
  CHECK(m.parameters(/*recurse=*/false).size() == 1);
}

TEST_CASE("parameters are the layers' own tensors, named for the tape printer") {
  Model m;
  CHECK(m.parameters()[1].is_same(m.encoder.emb.weight));
  CHECK(m.encoder.emb.weight.name() == "encoder.emb.weight");
  CHECK(m.head->weight.name() == "head.weight");
  CHECK(m.scale.name() == "scale");
}

TEST_CASE("register_parameter refuses duplicate and dotted names") {
  Module m;
  m.register_parameter("w", tg::ones({1}));
  CHECK_THROWS_WITH_AS(m.register_parameter("w", tg::ones({1})), doctest::Contains("already registered"),
                       tg::ValueError);
  CHECK_THROWS_AS(m.register_parameter("a.b", tg::ones({1})), tg::ValueError);
}

TEST_CASE("register_parameter with requires_grad = false registers a frozen parameter") {
  Module m;
  tg::Tensor& p = m.register_parameter("frozen", tg::ones({2}), false);
  CHECK_FALSE(p.requires_grad());
  CHECK(m.parameters().size() == 1);
}

TEST_CASE("zero_grad drops gradients by default and zeroes them in place with set_to_none = false") {
  Embedding emb(4, 2);
  emb(tg::tensor({1, 1})).sum().backward();
  tg::Tensor grad = emb.weight.grad();
  emb.zero_grad(false);
  CHECK(grad.to_vector<float>() == std::vector<float>(8, 0.0f));  // same tensor, zeroed
  CHECK(emb.weight.grad().is_same(grad));
  emb.zero_grad();
  CHECK_FALSE(emb.weight.grad().defined());
}

TEST_CASE("zero_grad(false) detaches a gradient that carries history, in place, before zeroing it") {
  Embedding emb(4, 2);
  tg::Tensor x = tg::full({4, 2}, 3.0f).requires_grad_();
  emb.weight.mutable_grad() = x * 2.0;  // a gradient with a grad_fn, as a recorded backward would leave
  const tg::Tensor held = emb.weight.grad();
  REQUIRE(held.grad_fn_name() == "MulBackward0");
  emb.zero_grad(false);
  CHECK(emb.weight.grad().is_same(held));
  CHECK(held.grad_fn_name().empty());
  CHECK_FALSE(held.requires_grad());
  CHECK(held.to_vector<float>() == std::vector<float>(8, 0.0f));
  CHECK(x.to_vector<float>() == std::vector<float>(8, 3.0f));  // the graph's input is untouched
}

TEST_CASE("train and eval reach every child") {
  Model m;
  CHECK(m.is_training());
  m.eval();
  CHECK_FALSE(m.is_training());
  CHECK_FALSE(m.encoder.emb.is_training());
  CHECK_FALSE(m.head->is_training());
  m.train();
  CHECK(m.encoder.proj.is_training());
}

TEST_CASE("load_state_dict copies values into the same parameter tensors") {
  Model a, b;
  b.load_state_dict(a.state_dict());
  CHECK(b.encoder.emb.weight.to_vector<float>() == a.encoder.emb.weight.to_vector<float>());
  CHECK(b.head->weight.to_vector<float>() == a.head->weight.to_vector<float>());
  CHECK(b.parameters()[1].is_same(b.encoder.emb.weight));
  CHECK_FALSE(b.encoder.emb.weight.is_same(a.encoder.emb.weight));
}

TEST_CASE("state_dict entries share storage with the parameters") {
  Embedding emb(3, 2);
  auto state = emb.state_dict();
  CHECK(state[0].second.data_ptr<float>() == emb.weight.data_ptr<float>());
  CHECK_FALSE(state[0].second.requires_grad());
}

TEST_CASE("load_state_dict names the key whose shape differs and leaves the module untouched") {
  Model m;
  auto state = m.state_dict();
  const auto before = m.scale.to_vector<float>();
  state[0].second = tg::zeros({1});           // scale: would be loaded first
  state[1].second = tg::zeros({9, 3});        // encoder.emb.weight: wrong shape
  CHECK_THROWS_WITH_AS(m.load_state_dict(state),
                       doctest::Contains("'encoder.emb.weight' has shape [9, 3] in the state dict but [10, 3]"),
                       tg::ValueError);
  CHECK(m.scale.to_vector<float>() == before);
}

TEST_CASE("load_state_dict reports missing and unexpected keys unless strict is false") {
  Embedding emb(3, 2);
  CHECK_THROWS_WITH_AS(emb.load_state_dict({}), doctest::Contains("missing key 'weight'"), tg::Error);
  StateDict extra = emb.state_dict();
  extra.emplace_back("bias", tg::zeros({2}));
  CHECK_THROWS_WITH_AS(emb.load_state_dict(extra), doctest::Contains("unexpected key 'bias'"), tg::Error);
  CHECK_NOTHROW(emb.load_state_dict(extra, /*strict=*/false));
}

TEST_CASE("a module with children registered by reference refuses to be copied") {
  Encoder e;
  CHECK_THROWS_WITH_AS([&] { Encoder copy(e); }(), doctest::Contains("registered by reference cannot be copied"), tg::Error);
  Embedding leaf(3, 2);
  CHECK_THROWS_AS([&] { Encoder moved(std::move(e)); }(), tg::Error);
  Embedding copy = leaf;  // a leaf module copies as a handle: same weight
  CHECK(copy.weight.is_same(leaf.weight));
  CHECK(copy.parameters()[0].is_same(leaf.weight));
}

TEST_CASE("a container prints its children indented, as PyTorch") {
  Encoder e;
  std::ostringstream s;
  s << e;
  CHECK(s.str() ==
        "Encoder(\n"
        "  (emb): Embedding(10, 3)\n"
        "  (proj): Linear(in_features=3, out_features=2, bias=True)\n"
        ")");
}

TEST_CASE("Linear's default init is uniform within 1/sqrt(in_features), for weight and bias") {
  tg::manual_seed(3);
  Linear fc(LinearOptions(16, 200));
  CHECK(fc.weight.sizes() == tg::Shape{200, 16});
  CHECK(fc.bias.sizes() == tg::Shape{200});
  float lo = 1, hi = -1;
  for (float v : fc.weight.to_vector<float>()) lo = std::min(lo, v), hi = std::max(hi, v);
  CHECK(lo >= -0.25f);
  CHECK(hi <= 0.25f);
  CHECK(lo < -0.24f);  // 3200 draws reach near the bound
  CHECK(hi > 0.24f);
  for (float v : fc.bias.to_vector<float>()) CHECK(std::abs(v) <= 0.25f);
  CHECK(Linear(LinearOptions(3, 2).bias(false)).parameters().size() == 1);
}

TEST_CASE("nn::init fills in place under no-grad, keeping the tensor and bumping its version") {
  tg::manual_seed(7);
  tg::Tensor w = tg::empty({100, 50}).requires_grad_();
  const uint32_t v0 = w.version();
  init::ones_(w);
  CHECK(w.to_vector<float>() == std::vector<float>(5000, 1.0f));
  init::zeros_(w);
  CHECK(w.to_vector<float>() == std::vector<float>(5000, 0.0f));
  init::uniform_(w, -2.0, 3.0);
  for (float x : w.to_vector<float>()) CHECK((x >= -2.0f && x < 3.0f));
  init::xavier_uniform_(w);
  const float bound = std::sqrt(6.0f / 150.0f);
  for (float x : w.to_vector<float>()) CHECK(std::abs(x) <= bound);
  init::normal_(w, 5.0, 0.1);
  double mean = 0;
  for (float x : w.to_vector<float>()) mean += x;
  CHECK(mean / 5000 == doctest::Approx(5.0).epsilon(0.01));
  CHECK(w.version() == v0 + 5);
  CHECK(w.is_leaf());
}

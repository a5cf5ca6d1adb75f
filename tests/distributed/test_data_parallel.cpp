// average_gradients: N ranks, each on 1/N of every batch, step exactly as one process
// on the whole batch (computed beside them on every rank); undefined and mixed
// gradients; the refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include <tapegrad/tapegrad.h>

namespace dist = tg::distributed;
namespace F = tg::nn::functional;
using tg::optim::Optimizer;

namespace {
int rank() { return dist::get_rank(); }
int world() { return dist::get_world_size(); }

constexpr int64_t kVocab = 20, kDim = 4, kClasses = 3, kBatch = 12, kSteps = 6;

// A sparse embedding bag (two ids per example, summed) under a dense linear layer.
struct Model : tg::nn::Module {
  tg::nn::Embedding emb{tg::nn::EmbeddingOptions(kVocab, kDim).sparse(true)};
  tg::nn::Linear fc{kDim, kClasses};
  Model() {
    register_module("emb", emb);
    register_module("fc", fc);
  }
  tg::Tensor loss(const tg::Tensor& ids, const tg::Tensor& targets) {
    return F::cross_entropy(fc(emb(ids).sum(1)), targets);
  }
};

// Step s's batch: ids skewed towards low rows (so shares overlap in some rows and not
// in others), the same on every rank.
std::pair<tg::Tensor, tg::Tensor> batch(int step) {
  std::mt19937 gen(1000 + step);
  std::vector<int64_t> ids, targets;
  for (int64_t i = 0; i < kBatch * 2; ++i) ids.push_back(std::min<int64_t>(gen() % kVocab, gen() % kVocab));
  for (int64_t i = 0; i < kBatch; ++i) targets.push_back(gen() % kClasses);
  return {tg::from_vector(ids, {kBatch, 2}), tg::from_vector(targets)};
}

using Optimizers = std::vector<std::unique_ptr<Optimizer>>;

// Trains a replica on this rank's share with average_gradients, and a second model on
// the whole batch, from the same start; returns the largest parameter difference.
template <class Make> double largest_difference(Make make) {
  REQUIRE(kBatch % world() == 0);
  tg::manual_seed(3);
  Model replica, whole;
  whole.load_state_dict(replica.state_dict());
  Optimizers replica_opt = make(replica), whole_opt = make(whole);
  const int64_t share = kBatch / world();
  for (int s = 0; s < kSteps; ++s) {
    const auto [ids, targets] = batch(s);
    for (auto& o : replica_opt) o->zero_grad();
    replica.loss(ids.narrow(0, rank() * share, share), targets.narrow(0, rank() * share, share)).backward();
    dist::average_gradients(replica.parameters());
    for (auto& o : replica_opt) o->step();

    for (auto& o : whole_opt) o->zero_grad();
    whole.loss(ids, targets).backward();
    for (auto& o : whole_opt) o->step();
  }
  double largest = 0;
  const auto a = replica.parameters(), b = whole.parameters();
  for (size_t i = 0; i < a.size(); ++i) {
    const std::vector<float> x = a[i].detach().to_vector<float>(), y = b[i].detach().to_vector<float>();
    for (size_t k = 0; k < x.size(); ++k) largest = std::max(largest, double(std::abs(x[k] - y[k])));
  }
  // The parameters moved: the comparison is not between two untouched copies.
  tg::manual_seed(3);
  Model start;
  CHECK(std::abs(start.fc.weight.detach().to_vector<float>()[0] - replica.fc.weight.detach().to_vector<float>()[0]) >
        1e-3);
  return largest;
}
}  // namespace

TEST_CASE("data parallel SGD with momentum: N ranks on 1/N of the batch step as one process on all of it") {
  const double diff = largest_difference([](Model& m) {
    Optimizers o;
    o.push_back(std::make_unique<tg::optim::SGD>(m.parameters(), tg::optim::SGDOptions(0.5).momentum(0.9)));
    return o;
  });
  CHECK(diff < 1e-6);
}

TEST_CASE("data parallel SparseAdam on the embedding and Adam on the linear layer") {
  const double diff = largest_difference([](Model& m) {
    Optimizers o;
    o.push_back(std::make_unique<tg::optim::SparseAdam>(m.emb.parameters(), tg::optim::SparseAdamOptions(0.05)));
    o.push_back(std::make_unique<tg::optim::Adam>(m.fc.parameters(), tg::optim::AdamOptions(0.05)));
    return o;
  });
  CHECK(diff < 1e-6);
}

TEST_CASE("data parallel Adagrad on sparse and dense gradients") {
  const double diff = largest_difference([](Model& m) {
    Optimizers o;
    o.push_back(std::make_unique<tg::optim::Adagrad>(m.parameters(), tg::optim::AdagradOptions(0.3)));
    return o;
  });
  CHECK(diff < 1e-6);
}

TEST_CASE("average_gradients: a gradient defined on rank 0 only becomes rank 0's divided by N everywhere") {
  tg::Tensor dense = tg::zeros({2, 2}).requires_grad_();
  tg::Tensor table = tg::zeros({5, 2}).requires_grad_();
  tg::Tensor unused = tg::zeros({3}).requires_grad_();
  const tg::Tensor rows = tg::sparse_coo_tensor(tg::from_vector(std::vector<int64_t>{1, 3, 1}, {1, 3}),
                                                tg::tensor({{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}}), {5, 2});
  if (rank() == 0) {
    dense.mutable_grad() = tg::tensor({{2.f, -4.f}, {6.f, 8.f}});
    table.mutable_grad() = rows;
  }
  dist::average_gradients({dense, table, unused});
  const float n = float(world());
  REQUIRE(dense.grad().defined());
  REQUIRE(table.grad().defined());
  CHECK(dense.grad().to_vector<float>() == std::vector<float>{2 / n, -4 / n, 6 / n, 8 / n});
  CHECK(table.grad().is_sparse());
  CHECK(table.grad().to_dense().to_vector<float>() ==
        std::vector<float>{0, 0, 6 / n, 8 / n, 0, 0, 3 / n, 4 / n, 0, 0});
  CHECK_FALSE(unused.grad().defined());
}

TEST_CASE("average_gradients refuses mixed layouts and different parameter lists, on every rank") {
  tg::Tensor w = tg::zeros({4, 2}).requires_grad_();
  w.set_name("emb.weight");
  w.mutable_grad() = rank() == 0 ? tg::ones({4, 2})
                                 : tg::sparse_coo_tensor(tg::zeros({1, 1}, tg::kInt64), tg::ones({1, 2}), {4, 2});
  CHECK_THROWS_WITH_AS(dist::average_gradients({w}),
                       doctest::Contains("parameters[0] (emb.weight) is dense on some ranks and sparse on others"),
                       tg::ValueError);

  std::vector<tg::Tensor> params{tg::zeros({2}).requires_grad_()};
  if (rank() == 1) params.push_back(tg::zeros({3, 1}).requires_grad_());
  CHECK_THROWS_WITH_AS(dist::average_gradients(params),
                       doctest::Contains("rank 0 has 1 parameters (torch.float32 [2]), rank 1 has 2 parameters "
                                         "(torch.float32 [2], torch.float32 [3, 1])"),
                       tg::ValueError);
}

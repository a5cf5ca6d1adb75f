// EmbeddingBag against PyTorch 1.13: every mode and option, edge cases (empty bags at
// the start, middle and end, all-padding bags, repeated indices, max ties), dense and
// sparse gradients, per_sample_weights' gradient, and optimizer steps on sparse
// gradients. Values from tests/golden/gen_embedding_bag.py. Sparse +
// scale_grad_by_freq (which PyTorch refuses) is compared with PyTorch's dense gradient.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include "../support/golden.h"

namespace F = tg::nn::functional;
using tg::nn::EmbeddingBagMode;

namespace {

const golden::File& file = golden::embedding_bag;

EmbeddingBagMode mode_of(double code) {
  return code == 0 ? EmbeddingBagMode::Sum : code == 1 ? EmbeddingBagMode::Mean : EmbeddingBagMode::Max;
}

// One stored case: forward, backward with the stored upstream gradient, then output,
// the table after (max_norm), the table's gradient (values and, if sparse, layout) and
// per_sample_weights' gradient.
void run_case(const std::string& name) {
  INFO("case " << name);
  tg::Tensor weight = file.leaf(name + "/W");
  const tg::Tensor idx = file.tensor(name + "/idx");
  const double padding = file.scalar(name + "/opt_padding_idx");
  const double max_norm = file.scalar(name + "/opt_max_norm");
  const bool sparse = file.scalar(name + "/opt_sparse") != 0;
  F::EmbeddingBagFuncOptions options;
  options.mode(mode_of(file.scalar(name + "/opt_mode")))
      .norm_type(file.scalar(name + "/opt_norm_type"))
      .scale_grad_by_freq(file.scalar(name + "/opt_scale") != 0)
      .sparse(sparse)
      .include_last_offset(file.scalar(name + "/opt_ilo") != 0);
  if (padding != -1000) options.padding_idx(static_cast<int64_t>(padding));
  if (max_norm >= 0) options.max_norm(max_norm);
  if (!file.is_none(name + "/offsets")) options.offsets(file.tensor(name + "/offsets"));
  tg::Tensor psw;
  if (!file.is_none(name + "/psw")) {
    psw = file.leaf(name + "/psw");
    options.per_sample_weights(psw);
  }

  const tg::Tensor out = F::embedding_bag(idx, weight, options);
  out.backward(file.tensor(name + "/g"));
  const double tol = weight.dtype() == tg::kFloat32 ? 1e-6 : 1e-12;
  file.check_close(out, name + "/out", tol, tol);
  file.check_close(weight.detach(), name + "/W_after", tol, tol);
  const tg::Tensor grad = weight.grad();
  REQUIRE(grad.defined());
  CHECK(grad.is_sparse() == sparse);
  file.check_close(grad, name + "/grad_dense", tol, tol);
  if (psw.defined()) {
    REQUIRE(psw.grad().defined());
    file.check_close(psw.grad(), name + "/grad_psw", tol, tol);
  }
  if (sparse) {
    // A single fresh sparse gradient's layout is exact: one entry per non-padding
    // lookup, in input order.
    const tg::Tensor expected = file.tensor(name + "/grad_indices");
    CHECK(grad.indices().to_vector<int64_t>() == expected.to_vector<int64_t>());
    CHECK(grad.indices().sizes() == expected.sizes());
    file.check_close(grad.values(), name + "/grad_values", tol, tol);
  }
}

void run_all(const std::string& prefix, size_t expected_cases) {
  const auto cases = file.cases(prefix, "W");
  REQUIRE(cases.size() == expected_cases);
  for (const std::string& name : cases) run_case(name);
}

}  // namespace

TEST_CASE("embedding_bag matches PyTorch with empty bags at the start, in the middle and at the end") {
  run_all("empty_", 5);
}

TEST_CASE("embedding_bag matches PyTorch on 2-D input (fixed-size bags) with repeated indices") {
  run_all("fixed_", 5);
}

TEST_CASE("embedding_bag matches PyTorch with include_last_offset") { run_all("ilo_", 5); }

TEST_CASE("embedding_bag leaves padding out of the bag as PyTorch, all-padding bags included") {
  run_all("pad", 11);
}

TEST_CASE("embedding_bag matches PyTorch with per_sample_weights, both gradients") { run_all("psw_", 5); }

TEST_CASE("embedding_bag matches PyTorch with scale_grad_by_freq, dense and sparse") { run_all("scale_", 9); }

TEST_CASE("embedding_bag max gives ties to the earliest lookup, as PyTorch") { run_all("max_ties", 2); }

TEST_CASE("embedding_bag max_norm matches PyTorch for norm_type 1, 2 and inf") { run_all("maxnorm_", 10); }

TEST_CASE("embedding_bag takes int32 indices and offsets, alone or mixed with int64") { run_all("int32_", 3); }

TEST_CASE("embedding_bag on float32 matches PyTorch") { run_all("f32_", 2); }

TEST_CASE("embedding_bag matches PyTorch on a random batch in every mode, padding and sparse combination") {
  run_all("rand_", 10);
}

TEST_CASE("embedding_bag with 2-D input of zero rows gives a (0, D) result") { run_all("no_rows", 1); }

TEST_CASE("SGD, SparseAdam and Adagrad step a sparse EmbeddingBag as in PyTorch") {
  for (const char* optimizer : {"sgd", "sparse_adam", "adagrad"}) {
    for (EmbeddingBagMode mode : {EmbeddingBagMode::Sum, EmbeddingBagMode::Mean}) {
      const std::string key = std::string(optimizer) + (mode == EmbeddingBagMode::Sum ? "_sum" : "_mean");
      CAPTURE(key);
      auto bag = tg::nn::EmbeddingBag::from_pretrained(
          file.tensor("optim/W"),
          tg::nn::EmbeddingBagFromPretrainedOptions().freeze(false).mode(mode).sparse(true).padding_idx(0));
      std::unique_ptr<tg::optim::Optimizer> opt;
      if (key.starts_with("sgd")) opt = std::make_unique<tg::optim::SGD>(bag.parameters(), tg::optim::SGDOptions(0.1));
      if (key.starts_with("sparse_adam"))
        opt = std::make_unique<tg::optim::SparseAdam>(bag.parameters(), tg::optim::SparseAdamOptions(0.05));
      if (key.starts_with("adagrad"))
        opt = std::make_unique<tg::optim::Adagrad>(bag.parameters(), tg::optim::AdagradOptions(0.1));
      for (int i = 0; i < 3; ++i) {
        const std::string n = std::to_string(i);
        opt->zero_grad();
        const tg::Tensor psw = mode == EmbeddingBagMode::Sum ? file.tensor("optim/psw" + n) : tg::Tensor();
        const tg::Tensor out = bag(file.tensor("optim/idx" + n), file.tensor("optim/offsets" + n), psw);
        out.backward(file.tensor("optim/g" + n));
        REQUIRE(bag.weight.grad().is_sparse());
        opt->step();
        file.check_close(bag.weight.detach(), "optim/" + key + "_after" + n, 1e-12, 1e-12);
      }
    }
  }
}

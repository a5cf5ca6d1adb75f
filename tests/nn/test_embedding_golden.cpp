// Embedding against PyTorch 1.13: every option combination, values from
// tests/golden/gen_embedding.py. Sparse + scale_grad_by_freq (which PyTorch refuses)
// is compared with PyTorch's dense scale_grad_by_freq gradient.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include "../support/golden.h"

namespace F = tg::nn::functional;

namespace {

// Runs one stored case: forward, backward with the stored upstream gradient, then
// compares output, the weight after (max_norm), and the gradient's values and layout.
void run_case(const std::string& name) {
  INFO("case " << name);
  tg::Tensor weight = golden::embedding.leaf(name + "/W");
  const tg::Tensor idx = golden::embedding.tensor(name + "/idx");
  const double padding = golden::embedding.scalar(name + "/opt_padding_idx");
  const double max_norm = golden::embedding.scalar(name + "/opt_max_norm");
  const bool sparse = golden::embedding.scalar(name + "/opt_sparse") != 0;
  F::EmbeddingFuncOptions options;
  if (padding != -1000) options.padding_idx(static_cast<int64_t>(padding));
  if (max_norm >= 0) options.max_norm(max_norm);
  options.norm_type(golden::embedding.scalar(name + "/opt_norm_type"))
      .scale_grad_by_freq(golden::embedding.scalar(name + "/opt_scale") != 0)
      .sparse(sparse);

  const tg::Tensor out = F::embedding(idx, weight, options);
  out.backward(golden::embedding.tensor(name + "/g"));
  const double tol = weight.dtype() == tg::kFloat32 ? 0.0 : 1e-12;  // float32 renorm is bitwise
  golden::embedding.check_close(out, name + "/out", tol, tol);
  golden::embedding.check_close(weight.detach(), name + "/W_after", tol, tol);
  const tg::Tensor grad = weight.grad();
  REQUIRE(grad.defined());
  CHECK(grad.is_sparse() == sparse);
  golden::embedding.check_close(grad, name + "/grad_dense", tol, tol);
  if (sparse) {
    // A single fresh sparse gradient's layout is exact (spec 6.1).
    CHECK(grad.indices().to_vector<int64_t>() == golden::embedding.tensor(name + "/grad_indices").to_vector<int64_t>());
    CHECK(grad.indices().sizes() == golden::embedding.tensor(name + "/grad_indices").sizes());
    golden::embedding.check_close(grad.values(), name + "/grad_values");
    CHECK(grad.is_coalesced() == (grad._nnz() == 0));
  }
}

void run_all(const std::string& prefix, size_t expected_cases) {
  const auto cases = golden::embedding.cases(prefix, "W");
  REQUIRE(cases.size() == expected_cases);
  for (const std::string& name : cases) run_case(name);
}

}  // namespace

TEST_CASE("embedding matches PyTorch on the spec's gradient examples (padding, frequency scaling, sparse)") {
  run_all("spec_", 10);
}

TEST_CASE("embedding matches PyTorch for every padding_idx / scale_grad_by_freq / sparse combination") {
  run_all("rand_", 12);
}

TEST_CASE("embedding max_norm matches PyTorch for norm_type 1, 2, 3.5 and inf, dense and sparse") {
  run_all("maxnorm_p", 9);
}

TEST_CASE("embedding max_norm on float32 rescales bit for bit as PyTorch") {
  run_case("maxnorm_f32");
  const tg::Tensor w = golden::embedding.tensor("maxnorm_f32/W_after");
  CHECK(w[0].to_vector<float>() == std::vector<float>{0.6000000238418579f, 0.800000011920929f});
}

TEST_CASE("sparse gradients accumulate over several backward calls and stay sparse") {
  const tg::Tensor w = golden::embedding.leaf("accum/W");
  tg::Tensor first;
  for (int i = 0; i < 3; ++i, first = first.defined() ? first : w.grad())
    (F::embedding(golden::embedding.tensor("accum/idx" + std::to_string(i)), w,
                  F::EmbeddingFuncOptions().sparse(true)) *
     static_cast<double>(i + 1))
        .sum()
        .backward();
  REQUIRE(w.grad().is_sparse());
  CHECK(w.grad()._nnz() == 2 + 2 + 4);  // entries are concatenated, duplicates kept
  CHECK(first._nnz() == 2 + 2 + 4);     // in place: a handle taken after the first call sees them all
  CHECK_FALSE(w.grad().is_coalesced());
  golden::embedding.check_close(w.grad(), "accum/sparse_sparse_sparse");
}

TEST_CASE("a dense gradient meeting a sparse .grad makes it dense, and later sparse ones add into it") {
  const tg::Tensor w = golden::embedding.leaf("accum/W");
  const auto sparse = F::EmbeddingFuncOptions().sparse(true);
  (F::embedding(golden::embedding.tensor("accum/idx0"), w, sparse) * 1.0).sum().backward();
  const tg::Tensor first = w.grad();
  CHECK(first.is_sparse());
  (w * w).sum().backward();
  CHECK_FALSE(w.grad().is_sparse());
  (F::embedding(golden::embedding.tensor("accum/idx2"), w, sparse) * 3.0).sum().backward();
  CHECK_FALSE(w.grad().is_sparse());
  golden::embedding.check_close(w.grad(), "accum/sparse_dense_sparse");
}

TEST_CASE("dense gradients with padding and frequency scaling accumulate as in PyTorch") {
  const tg::Tensor w = golden::embedding.leaf("accum/W");
  for (int i = 0; i < 3; ++i)
    (F::embedding(golden::embedding.tensor("accum/idx" + std::to_string(i)), w,
                  F::EmbeddingFuncOptions().padding_idx(1).scale_grad_by_freq(true)) *
     static_cast<double>(i + 1))
        .sum()
        .backward();
  golden::embedding.check_close(w.grad(), "accum/dense_pad1_scale");
}

TEST_CASE("two sparse lookups in one backward give one sparse gradient with both entry lists") {
  const tg::Tensor w = golden::embedding.leaf("accum/W");
  const auto sparse = F::EmbeddingFuncOptions().sparse(true);
  (F::embedding(golden::embedding.tensor("accum/idx0"), w, sparse).sum() +
   (F::embedding(golden::embedding.tensor("accum/idx1"), w, sparse) * 2.0).sum())
      .backward();
  REQUIRE(w.grad().is_sparse());
  CHECK(w.grad()._nnz() == static_cast<int64_t>(golden::embedding.scalar("accum/two_sparse_one_pass_nnz")));
  golden::embedding.check_close(w.grad(), "accum/two_sparse_one_pass");
}

TEST_CASE("a sparse lookup plus a dense use of the table in one backward gives a dense gradient") {
  const tg::Tensor w = golden::embedding.leaf("accum/W");
  const auto sparse = F::EmbeddingFuncOptions().sparse(true);
  (F::embedding(golden::embedding.tensor("accum/idx0"), w, sparse).sum() + (w * 2.0).sum()).backward();
  CHECK_FALSE(w.grad().is_sparse());
  golden::embedding.check_close(w.grad(), "accum/sparse_plus_dense_one_pass");
}

TEST_CASE("coalesce sorts the rows and sums duplicates as PyTorch") {
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{3, 1, 3, 0}}), tg::tensor({{1., 1.}, {2., 2.}, {10., 10.}, {5., 5.}}, tg::kFloat64), {4, 2});
  const tg::Tensor c = s.coalesce();
  CHECK(c.is_coalesced());
  CHECK(c.indices().to_vector<int64_t>() == golden::embedding.tensor("coalesce/indices").to_vector<int64_t>());
  golden::embedding.check_close(c.values(), "coalesce/values");
}

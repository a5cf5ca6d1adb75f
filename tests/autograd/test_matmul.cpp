#include <doctest/doctest.h>

#include <array>
#include <tapegrad/tapegrad.h>

#include "../support/golden.h"


namespace {

// Runs `prefix` of linalg.txt: out = f(a, b), out.backward(g), checks all three.
void check_case(const std::string& prefix, const std::function<tg::Tensor(const tg::Tensor&, const tg::Tensor&)>& f) {
  tg::Tensor a = golden::linalg.leaf(prefix + "/a"), b = golden::linalg.leaf(prefix + "/b");
  tg::Tensor out = f(a, b);
  golden::linalg.check_close(out, prefix + "/out", 1e-10, 1e-10);
  out.backward(golden::linalg.tensor(prefix + "/g"));
  golden::linalg.check_close(a.grad(), prefix + "/grad_a", 1e-10, 1e-10);
  golden::linalg.check_close(b.grad(), prefix + "/grad_b", 1e-10, 1e-10);
}

tg::Tensor matmul(const tg::Tensor& a, const tg::Tensor& b) { return tg::matmul(a, b); }

bool gradcheck_matmul(const std::vector<tg::Tensor>& inputs) {
  return tg::autograd::gradcheck([](const std::vector<tg::Tensor>& in) { return tg::matmul(in[0], in[1]); }, inputs);
}

}  // namespace

TEST_CASE("matmul matches PyTorch values and gradients in every dispatch case") {
  for (const char* name : {"dot", "mv", "vm", "mm", "fold", "fold_vec", "left_2d", "left_1d", "batched", "broadcast",
                           "broadcast_one"}) {
    SUBCASE(name) { check_case(std::string("matmul/") + name, matmul); }
  }
}

TEST_CASE("matmul of transposed views matches PyTorch") {
  check_case("matmul/mm_t", [](const tg::Tensor& a, const tg::Tensor& b) { return tg::matmul(a.t(), b.t()); });
  check_case("matmul/bmm_t", [](const tg::Tensor& a, const tg::Tensor& b) { return a.transpose(1, 2).matmul(b); });
}

TEST_CASE("matmul records the grad_fn that PyTorch 1.13 shows for each case") {
  auto name_of = [](tg::Shape sa, tg::Shape sb) {
    return tg::matmul(tg::randn(sa).requires_grad_(), tg::randn(sb)).grad_fn_name();
  };
  CHECK(name_of({3}, {3}) == "DotBackward0");
  CHECK(name_of({2, 3}, {3}) == "MvBackward0");
  CHECK(name_of({3}, {3, 4}) == "SqueezeBackward3");
  CHECK(name_of({2, 3}, {3, 4}) == "MmBackward0");
  CHECK(name_of({5, 2, 3}, {3, 4}) == "UnsafeViewBackward0");
  CHECK(name_of({5, 2, 3}, {3}) == "UnsafeViewBackward0");
  CHECK(name_of({3}, {5, 3, 4}) == "UnsafeViewBackward0");
  CHECK(name_of({2, 3}, {5, 3, 4}) == "CloneBackward0");
  CHECK(name_of({5, 2, 3}, {5, 3, 4}) == "UnsafeViewBackward0");
  CHECK(tg::mm(tg::randn({2, 3}).requires_grad_(), tg::randn({3, 4})).grad_fn_name() == "MmBackward0");
  CHECK(tg::bmm(tg::randn({2, 2, 3}).requires_grad_(), tg::randn({2, 3, 4})).grad_fn_name() == "BmmBackward0");
}

TEST_CASE("matmul of two vectors is a 0-d dot product") {
  tg::Tensor out = tg::matmul(tg::tensor({1.0, 2.0, 3.0}), tg::tensor({4.0, -5.0, 6.0}));
  CHECK(out.dim() == 0);
  CHECK(out.item<float>() == 12.0f);  // 4 - 10 + 18
}

TEST_CASE("matmul of float32 operands agrees with the float64 golden values") {
  tg::Tensor a = golden::linalg.leaf("matmul/batched/a", tg::kFloat32);
  tg::Tensor b = golden::linalg.leaf("matmul/batched/b", tg::kFloat32);
  tg::Tensor out = tg::matmul(a, b);
  CHECK(out.dtype() == tg::kFloat32);
  golden::linalg.check_close(out, "matmul/batched/out", 1e-5, 1e-5);
  out.backward(golden::linalg.tensor("matmul/batched/g", tg::kFloat32));
  golden::linalg.check_close(a.grad(), "matmul/batched/grad_a", 1e-5, 1e-5);
  golden::linalg.check_close(b.grad(), "matmul/batched/grad_b", 1e-5, 1e-5);
}

TEST_CASE("matmul of integer tensors multiplies exactly") {
  tg::Tensor a = tg::tensor({{1, 2}, {3, 4}}, tg::kInt64), b = tg::tensor({{5, 6}, {7, 8}}, tg::kInt64);
  tg::Tensor out = tg::matmul(a, b);
  CHECK(out.dtype() == tg::kInt64);
  CHECK(out.to_vector<int64_t>() == std::vector<int64_t>{19, 22, 43, 50});
  // b.t() = [[5, 7], [6, 8]]: a strided operand in the plain loop
  CHECK(tg::matmul(a, b.t()).to_vector<int64_t>() == std::vector<int64_t>{17, 23, 39, 53});
  tg::Tensor a32 = tg::tensor({{{1, 0}, {0, 1}}, {{2, 0}, {0, 2}}}, tg::kInt32);
  CHECK(tg::matmul(a32, tg::tensor({3, 4}, tg::kInt32)).to_vector<int32_t>() == std::vector<int32_t>{3, 4, 6, 8});
}

TEST_CASE("matmul reads expanded and sliced operands through their strides") {
  tg::Tensor row = tg::tensor({{1.0, 2.0}});                // (1, 2)
  tg::Tensor a = row.expand({3, 2});                        // stride 0 along rows
  tg::Tensor b = tg::tensor({{1.0, 0.0, 9.0}, {0.0, 1.0, 9.0}}).narrow(1, 0, 2);  // row stride 3
  CHECK(tg::matmul(a, b).to_vector<float>() == std::vector<float>{1, 2, 1, 2, 1, 2});
  tg::Tensor batch = tg::tensor({{1.0, 2.0}, {3.0, 4.0}}).expand({4, 2, 2});  // batch stride 0
  CHECK(tg::bmm(batch, batch).sum().item<float>() == 4 * (7 + 10 + 15 + 22));
}

TEST_CASE("matmul with an empty contracted dim gives zeros") {
  tg::Tensor out = tg::matmul(tg::ones({2, 0}), tg::ones({0, 3}));
  CHECK(out.sizes() == tg::Shape{2, 3});
  CHECK(out.sum().item<float>() == 0.0f);
  CHECK(tg::matmul(tg::ones({0, 4}), tg::ones({4, 3})).sizes() == tg::Shape{0, 3});
}

TEST_CASE("matmul computes gradients only for inputs that require grad") {
  tg::Tensor a = tg::tensor({{1.0, 2.0}}).requires_grad_();  // (1, 2)
  tg::Tensor b = tg::tensor({{3.0}, {4.0}});                 // (2, 1)
  tg::matmul(a, b).sum().backward();
  CHECK(a.grad().to_vector<float>() == std::vector<float>{3, 4});  // grad B^T
  CHECK_FALSE(b.grad().defined());
}

TEST_CASE("matmul backward passes gradcheck in every dispatch case") {
  auto x = [](tg::Shape s) { return tg::randn(s, tg::kFloat64).requires_grad_(); };
  tg::manual_seed(1);
  // gradcheck cannot seed a 0-d output yet (reshape of 0-d to [-1]), so dot is seen as (1)
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) { return tg::matmul(in[0], in[1]).unsqueeze(0); }, {x({3}), x({3})}));
  CHECK(gradcheck_matmul({x({2, 3}), x({3})}));
  CHECK(gradcheck_matmul({x({3}), x({3, 2})}));
  CHECK(gradcheck_matmul({x({2, 3}), x({3, 2})}));
  CHECK(gradcheck_matmul({x({2, 2, 3}), x({3, 2})}));
  CHECK(gradcheck_matmul({x({2, 2, 3}), x({3})}));
  CHECK(gradcheck_matmul({x({2, 3}), x({2, 3, 2})}));
  CHECK(gradcheck_matmul({x({3}), x({2, 3, 2})}));
  CHECK(gradcheck_matmul({x({2, 1, 2, 3}), x({3, 3, 2})}));
  CHECK(gradcheck_matmul({x({2, 3}), tg::randn({3, 2}, tg::kFloat64)}));  // only a requires grad
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) { return tg::mm(in[0].t(), in[1].t()); }, {x({3, 2}), x({4, 3})}));
  CHECK(tg::autograd::gradcheck(
      [](const std::vector<tg::Tensor>& in) { return tg::bmm(in[0], in[1].transpose(1, 2)); },
      {x({2, 2, 3}), x({2, 4, 3})}));
}

TEST_CASE("matmul names both shapes when the contracted sizes differ") {
  CHECK_THROWS_WITH_AS(tg::matmul(tg::ones({2, 3}), tg::ones({4, 5})),
                       doctest::Contains("matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::matmul(tg::ones({3}), tg::ones({4})),
                       doctest::Contains("shapes [3] and [4] cannot be multiplied (3 != 4)"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::mm(tg::ones({2, 3}), tg::ones({2, 3})),
                       doctest::Contains("mm: shapes [2, 3] and [2, 3] cannot be multiplied (3 != 2)"),
                       tg::ValueError);
}

TEST_CASE("matmul rejects 0-d operands, mixed dtypes and bool") {
  CHECK_THROWS_WITH_AS(tg::matmul(tg::ones({}), tg::ones({2})), doctest::Contains("at least 1-d"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::matmul(tg::ones({2}), tg::ones({2}, tg::kFloat64)),
                       doctest::Contains("torch.float32 and torch.float64"), tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::matmul(tg::ones({2}, tg::kBool), tg::ones({2}, tg::kBool)),
                       doctest::Contains("expected a numeric dtype"), tg::TypeError);
}

TEST_CASE("matmul rejects batch dims that do not broadcast") {
  CHECK_THROWS_WITH_AS(tg::matmul(tg::ones({2, 2, 3}), tg::ones({3, 3, 4})),
                       doctest::Contains("shapes [2, 2, 3] and [3, 3, 4] have batch dims [2] and [3]"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::bmm(tg::ones({2, 2, 3}), tg::ones({3, 3, 4})),
                       doctest::Contains("batch sizes 2 and 3"), tg::ValueError);
}

TEST_CASE("mm and bmm insist on their ranks") {
  CHECK_THROWS_WITH_AS(tg::mm(tg::ones({2, 3, 4}), tg::ones({4, 5})),
                       doctest::Contains("mm: the first operand has shape [2, 3, 4] (3-d); expected a 2-d tensor"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::bmm(tg::ones({2, 3}), tg::ones({3, 4})), doctest::Contains("expected a 3-d tensor"),
                       tg::ValueError);
}

// Note [small products] in core/blas.cpp: below 16384 multiply-adds a matrix, bmm runs its
// own loops, chosen by the operands' strides (rows, dots, matrix-vector, any). Each
// layout, with sizes that leave tails after the 8- and 32-wide blocks, against a float64
// product of the same float32 values.
TEST_CASE("small float32 products agree with float64 in every operand layout") {
  tg::manual_seed(3);
  const int64_t g = 3;
  for (const auto& [m, k, n] : std::vector<std::array<int64_t, 3>>{{5, 37, 6}, {6, 5, 101}, {1, 100, 1}, {9, 1, 33},
                                                                      {4, 13, 1}, {7, 3, 4}}) {
    for (int layout = 0; layout < 4; ++layout) {
      // layout bit 0: a stored transposed; bit 1: b stored transposed.
      const tg::Tensor a = layout & 1 ? tg::randn({g, k, m}).transpose(1, 2) : tg::randn({g, m, k});
      const tg::Tensor b = layout & 2 ? tg::randn({g, n, k}).transpose(1, 2) : tg::randn({g, k, n});
      const tg::Tensor got = tg::bmm(a, b);
      const tg::Tensor want = tg::bmm(a.to(tg::kFloat64), b.to(tg::kFloat64));
      CAPTURE(m);
      CAPTURE(k);
      CAPTURE(n);
      CAPTURE(layout);
      CHECK(got.is_contiguous());
      const double scale = 1.0 + want.abs().max().item<double>();
      CHECK((got.to(tg::kFloat64) - want).abs().max().item<double>() <= 1e-5 * scale);
    }
  }
}

// Note [gradient in the operand's layout] in autograd/ops/matmul.cpp: the gradient of a
// transposed operand comes back transposed, so the leaf behind the transpose receives a
// contiguous gradient, with the values of grad^T a.
TEST_CASE("bmm hands a transposed operand its gradient in the operand's layout") {
  const tg::Tensor u = tg::tensor({{{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}});  // (1, 3, 2)
  const tg::Tensor v = tg::tensor({{{1.0, 0.0}, {0.0, 1.0}}}).requires_grad_();  // (1, 2, 2)
  const tg::Tensor g = tg::tensor({{{1.0, 2.0}, {0.0, 1.0}, {1.0, 0.0}}});  // (1, 3, 2)
  const tg::Tensor grad_v = tg::autograd::grad({tg::bmm(u, v.transpose(1, 2))}, {v}, {g})[0];
  CHECK(grad_v.is_contiguous());
  // grad_v = g^T u: rows (1*1 + 0*3 + 1*5, 1*2 + 0*4 + 1*6) and (2*1 + 1*3 + 0*5, 2*2 + 1*4 + 0*6)
  CHECK(grad_v.to_vector<float>() == std::vector<float>{6, 8, 5, 8});
}

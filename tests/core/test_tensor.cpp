// The Tensor handle: metadata, element access, views over shared storage, copies.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <functional>

#include "../support/golden.h"

namespace {

tg::Shape as_shape(const std::string& key) {
  return golden::core.tensor(key).to_vector<int64_t>();
}

tg::Tensor base24() { return tg::arange(24).view({2, 3, 4}); }

}  // namespace

// ---------------------------------------------------------------- metadata
TEST_CASE("a fresh tensor is contiguous with row-major strides and offset 0") {
  const tg::Tensor t = tg::zeros({2, 3, 4}, tg::kFloat64);
  CHECK(t.sizes() == tg::Shape{2, 3, 4});
  CHECK(t.strides() == tg::Shape{12, 4, 1});
  CHECK(t.storage_offset() == 0);
  CHECK(t.dim() == 3);
  CHECK(t.numel() == 24);
  CHECK(t.dtype() == tg::kFloat64);
  CHECK(t.scalar_type() == tg::kFloat64);
  CHECK(t.is_contiguous());
  CHECK(t.is_floating_point());
  CHECK_FALSE(t.is_sparse());
  CHECK(t.defined());
  CHECK(t.size(-1) == 4);
  CHECK(t.stride(0) == 12);
  CHECK(t.stride(-2) == 4);
}

TEST_CASE("size() and stride() refuse a dim out of range") {
  const tg::Tensor t = tg::zeros({2, 3});
  CHECK_THROWS_WITH_AS(t.size(2), doctest::Contains("dim = 2 is out of range; expected [-2, 1]"), tg::IndexError);
  CHECK_THROWS_WITH_AS(t.stride(-3), doctest::Contains("dim = -3 is out of range"), tg::IndexError);
}

TEST_CASE("dtype names and element sizes follow PyTorch") {
  CHECK(std::string(tg::dtype_name(tg::kFloat32)) == "torch.float32");
  CHECK(std::string(tg::dtype_name(tg::kInt64)) == "torch.int64");
  CHECK(std::string(tg::legacy_type_name(tg::kFloat64)) == "torch.DoubleTensor");
  CHECK(tg::element_size(tg::kBool) == 1);
  CHECK(tg::element_size(tg::kInt32) == 4);
  CHECK(tg::element_size(tg::kFloat64) == 8);
  CHECK(tg::promote_types(tg::kInt64, tg::kFloat32) == tg::kFloat32);
  CHECK(tg::promote_types(tg::kBool, tg::kInt32) == tg::kInt32);
  CHECK(tg::kLong == tg::kInt64);
  CHECK(tg::kDouble == tg::kFloat64);
}

TEST_CASE("an undefined tensor says so instead of crashing") {
  const tg::Tensor t;
  CHECK_FALSE(t.defined());
  CHECK_FALSE(t.is_sparse());
  CHECK_THROWS_WITH_AS(t.sizes(), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t.dtype(), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t.numel(), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t.clone(), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t.to(tg::kFloat64), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t.contiguous(), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t.data_ptr<float>(), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t.detach(), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t.view({1}), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t + tg::ones({1}), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t.exp(), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(t.version(), doctest::Contains("undefined"), tg::Error);
}

// ---------------------------------------------------------------- element access
TEST_CASE("item reads the one element of a 0-d or one-element tensor") {
  CHECK(tg::tensor(2.5).item<float>() == 2.5f);
  CHECK(tg::tensor({{7}}).item<int64_t>() == 7);
  CHECK(tg::tensor({true}).item<bool>());
  CHECK(tg::arange(5)[3].item<int64_t>() == 3);  // through a view's offset
}

TEST_CASE("item refuses several elements and a value the requested type cannot hold") {
  CHECK_THROWS_WITH_AS(tg::ones({2}).item<float>(), doctest::Contains("2 elements; expected exactly one"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::scalar_tensor(3e9, tg::kFloat64).item<int32_t>(),
                       doctest::Contains("cannot be converted to torch.int32 without overflow"), tg::ValueError);
  CHECK_THROWS_AS(tg::scalar_tensor(NAN).item<int64_t>(), tg::ValueError);
}

TEST_CASE("item converts from any dtype, as libtorch") {
  CHECK(tg::scalar_tensor(0.1).item<double>() == static_cast<double>(0.1f));  // float32 widened exactly
  CHECK(tg::scalar_tensor(2.75, tg::kFloat64).item<float>() == 2.75f);
  CHECK(tg::scalar_tensor(-2.75, tg::kFloat64).item<int64_t>() == -2);  // truncation toward zero
  CHECK(tg::tensor({7}).item<double>() == 7.0);
  CHECK(tg::tensor({true}).item<int64_t>() == 1);
  CHECK(tg::scalar_tensor(0.5).item<bool>());
  CHECK_FALSE(tg::tensor({0}).item<bool>());
  CHECK(tg::arange(5, tg::kInt32)[4].item<double>() == 4.0);  // through a view's offset
}

TEST_CASE("data_ptr points at element 0 of the view and checks T") {
  const tg::Tensor t = tg::arange(6, tg::kFloat32);
  float* p = t.data_ptr<float>();
  CHECK(p[5] == 5.0f);
  CHECK(t.narrow(0, 2, 3).data_ptr<float>() == p + 2);
  CHECK_THROWS_WITH_AS(t.data_ptr<int64_t>(), doctest::Contains("requested torch.int64"), tg::TypeError);
  CHECK_THROWS_WITH_AS(t.data_ptr<double>(), doctest::Contains("dtype is torch.float32"), tg::TypeError);
}

TEST_CASE("to_vector copies in row-major order, also from a strided view") {
  const tg::Tensor t = tg::tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK(t.t().to_vector<int64_t>() == std::vector<int64_t>{1, 4, 2, 5, 3, 6});
  CHECK(t.select(1, 1).to_vector<int64_t>() == std::vector<int64_t>{2, 5});
  CHECK(tg::zeros({0}).to_vector<float>().empty());
}

TEST_CASE("to_vector refuses a T that does not match the dtype") {
  CHECK_THROWS_WITH_AS(tg::ones({2}).to_vector<double>(),
                       doctest::Contains("to_vector: requested torch.float64 but the tensor's dtype is torch.float32"),
                       tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::arange(3).to_vector<int32_t>(), doctest::Contains("torch.int32"), tg::TypeError);
  CHECK_THROWS_WITH_AS(tg::ones({2}, tg::kBool).to_vector<float>(), doctest::Contains("torch.bool"), tg::TypeError);
}

// ---------------------------------------------------------------- views: geometry
TEST_CASE("views have PyTorch's sizes, strides, offsets and values") {
  const std::vector<std::pair<std::string, std::function<tg::Tensor(const tg::Tensor&)>>> views = {
      {"transpose02", [](const tg::Tensor& t) { return t.transpose(0, 2); }},
      {"permute201", [](const tg::Tensor& t) { return t.permute({2, 0, 1}); }},
      {"select1_2", [](const tg::Tensor& t) { return t.select(1, 2); }},
      {"index1", [](const tg::Tensor& t) { return t[1]; }},
      {"narrow2_1_2", [](const tg::Tensor& t) { return t.narrow(2, 1, 2); }},
      {"unsqueeze1", [](const tg::Tensor& t) { return t.unsqueeze(1); }},
      {"unsqueeze_m1", [](const tg::Tensor& t) { return t.unsqueeze(-1); }},
      {"view6_4", [](const tg::Tensor& t) { return t.view({6, 4}); }},
      {"view_m1_2", [](const tg::Tensor& t) { return t.view({-1, 2}); }},
      {"flatten", [](const tg::Tensor& t) { return t.flatten(); }},
      {"expand", [](const tg::Tensor&) { return tg::arange(3).view({3, 1}).expand({2, 3, 4}); }},
      {"t_of_select", [](const tg::Tensor& t) { return t[0].t(); }},
      {"narrow_then_select", [](const tg::Tensor& t) { return t.narrow(1, 1, 2).select(2, 3); }},
  };
  for (const auto& [name, make] : views) {
    INFO("view " << name);
    const tg::Tensor v = make(base24());
    CHECK(v.sizes() == as_shape("view/" + name + "/sizes"));
    CHECK(v.strides() == as_shape("view/" + name + "/strides"));
    CHECK(v.storage_offset() == as_shape("view/" + name + "/offset")[0]);
    golden::core.check_close(v, "view/" + name + "/values", 0, 0);
  }
}

TEST_CASE("negative dims and indices count from the end") {
  const tg::Tensor t = base24();
  CHECK(t.select(-1, -1).to_vector<int64_t>() == t.select(2, 3).to_vector<int64_t>());
  CHECK(t.transpose(-1, 0).sizes() == tg::Shape{4, 3, 2});
  CHECK(t.narrow(-2, -2, 2).sizes() == tg::Shape{2, 2, 4});
  CHECK(t.narrow(-2, -2, 2).storage_offset() == 4);
  CHECK(t.permute({-1, -3, -2}).sizes() == tg::Shape{4, 2, 3});
  CHECK(t[-1][0][0].item<int64_t>() == 12);
}

TEST_CASE("squeeze drops size-1 dims; squeeze(d) of a non-1 dim is a no-op") {
  const tg::Tensor t = tg::zeros({1, 3, 1, 2});
  CHECK(t.squeeze().sizes() == tg::Shape{3, 2});
  CHECK(t.squeeze(2).sizes() == tg::Shape{1, 3, 2});
  CHECK(t.squeeze(-1).sizes() == tg::Shape{1, 3, 1, 2});
  CHECK(t.squeeze(1).sizes() == tg::Shape{1, 3, 1, 2});
  CHECK(tg::zeros({}).squeeze().dim() == 0);
  CHECK(tg::zeros({}).squeeze(0).dim() == 0);
  CHECK(tg::zeros({}).unsqueeze(0).sizes() == tg::Shape{1});
}

TEST_CASE("t() swaps the two dims of a matrix and leaves 0-d and 1-d tensors alone") {
  const tg::Tensor m = tg::zeros({2, 5});
  CHECK(m.t().sizes() == tg::Shape{5, 2});
  CHECK(m.t().strides() == tg::Shape{1, 5});
  CHECK_FALSE(m.t().is_contiguous());
  CHECK(tg::zeros({4}).t().sizes() == tg::Shape{4});
  CHECK(tg::zeros({}).t().dim() == 0);
}

TEST_CASE("expand gives stride 0 to new and size-1 dims and accepts -1") {
  const tg::Tensor v = tg::tensor({1, 2, 3}).view({3, 1});
  const tg::Tensor e = v.expand({2, -1, 4});
  CHECK(e.sizes() == tg::Shape{2, 3, 4});
  CHECK(e.strides() == tg::Shape{0, 1, 0});
  CHECK(tg::tensor({1, 2}).expand_as(tg::zeros({3, 2})).sizes() == tg::Shape{3, 2});
}

TEST_CASE("view ops refuse bad dims, indices and shapes") {
  const tg::Tensor t = base24();
  CHECK_THROWS_WITH_AS(t.view({5, -1}), doctest::Contains("shape [5, -1] is invalid for input of size 24"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(t.view({-1, -1}), doctest::Contains("more than one -1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(t.view({4, 5}), doctest::Contains("invalid for input of size 24"), tg::ValueError);
  CHECK_THROWS_WITH_AS(t.reshape({-2, 12}), doctest::Contains("size -2 at dim 0"), tg::ValueError);
  CHECK_THROWS_WITH_AS(t.transpose(0, 1).view({-1}), doctest::Contains("use reshape() instead"), tg::ValueError);
  CHECK_THROWS_WITH_AS(t.select(1, 3), doctest::Contains("index 3 is out of range for dim 1 of size 3"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(t[2], doctest::Contains("index 2 is out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(t.select(3, 0), doctest::Contains("dim = 3 is out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::tensor(1.0)[0], doctest::Contains("0-d"), tg::IndexError);
  CHECK_THROWS_WITH_AS(t.narrow(2, 3, 2), doctest::Contains("start 3 and length 2 exceed dim 2 of size 4"),
                       tg::IndexError);
  CHECK_THROWS_WITH_AS(t.narrow(0, 0, -1), doctest::Contains("length -1"), tg::IndexError);
  CHECK_THROWS_WITH_AS(tg::tensor(1.0).narrow(0, 0, 1), doctest::Contains("0-d"), tg::IndexError);
  CHECK_THROWS_WITH_AS(t.unsqueeze(4), doctest::Contains("dim = 4 is out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(t.squeeze(-4), doctest::Contains("out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(t.transpose(0, 3), doctest::Contains("out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(t.t(), doctest::Contains("3-d; expected a tensor with <= 2 dims"), tg::ValueError);
  CHECK_THROWS_WITH_AS(t.permute({0, 1}), doctest::Contains("got 2 dims"), tg::ValueError);
  CHECK_THROWS_WITH_AS(t.permute({0, 1, 1}), doctest::Contains("appears twice"), tg::ValueError);
  CHECK_THROWS_WITH_AS(t.permute({0, 1, 3}), doctest::Contains("out of range"), tg::IndexError);
  CHECK_THROWS_WITH_AS(t.expand({3, 4}), doctest::Contains("fewer dims"), tg::ValueError);
  CHECK_THROWS_WITH_AS(t.expand({2, 3, 5}), doctest::Contains("expanded size 5 must match the existing size 4"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(t.expand({-1, 2, 3, 4}), doctest::Contains("-1 is not allowed"), tg::ValueError);
}

// ---------------------------------------------------------------- views share storage
TEST_CASE("every view op shares storage with its base") {
  const tg::Tensor t = base24();
  const int64_t* base = t.data_ptr<int64_t>();
  const std::vector<tg::Tensor> views = {
      t.view({6, 4}),  t.reshape({4, 6}), t.flatten(),        t.unsqueeze(0), t.unsqueeze(0).squeeze(),
      t.squeeze(0),    t[1].t(),          t.transpose(0, 1),  t.permute({2, 1, 0}),
      t.select(2, 0),  t.narrow(1, 0, 2), t.narrow(0, 0, 1).expand({5, 3, 4})};
  for (size_t i = 0; i < views.size(); ++i) {
    INFO("view " << i);
    const tg::Tensor& v = views[i];
    CHECK(static_cast<const int64_t*>(v.raw_data()) - v.storage_offset() == base);
    CHECK(v.impl()->storage == t.impl()->storage);
  }
}

TEST_CASE("writing through a view changes the base (t[0].copy_(row) under NoGradGuard)") {
  tg::Tensor t = tg::zeros({3, 2});
  {
    tg::NoGradGuard no_grad;
    t[0].copy_(tg::tensor({1.f, 2.f}));
    t.select(1, 1).fill_(9);
    t.narrow(0, 2, 1).add_(tg::tensor({{0.5f, 0.5f}}));
    t.t()[0].mul_(2.0);
    t.view({6}).narrow(0, 2, 1).zero_();
  }
  CHECK(t.to_vector<float>() == std::vector<float>{2, 9, 0, 9, 1, 9.5f});
}

TEST_CASE("a write through the base shows in every view") {
  tg::Tensor t = tg::zeros({2, 2});
  const tg::Tensor row = t[1], col = t.t()[1], flat = t.view({4});
  t.fill_(3);
  CHECK(row.to_vector<float>() == std::vector<float>{3, 3});
  t.data_ptr<float>()[3] = 7;
  CHECK(col.to_vector<float>() == std::vector<float>{3, 7});
  CHECK(flat.to_vector<float>() == std::vector<float>{3, 3, 3, 7});
}

TEST_CASE("views share the base's version counter") {
  tg::Tensor t = tg::zeros({2, 2});
  tg::Tensor row = t[0];
  const uint32_t v0 = t.version();
  row.add_(1.0);
  CHECK(t.version() == v0 + 1);
  CHECK(row.version() == t.version());
}

TEST_CASE("reshape is a view when the strides allow and a copy otherwise") {
  tg::Tensor t = tg::arange(6).view({2, 3});
  const tg::Tensor as_view = t.reshape({3, 2});
  CHECK(as_view.impl()->storage == t.impl()->storage);
  const tg::Tensor copied = t.t().reshape({-1});  // a transposed matrix cannot be flattened in place
  CHECK(copied.impl()->storage != t.impl()->storage);
  CHECK(copied.to_vector<int64_t>() == std::vector<int64_t>{0, 3, 1, 4, 2, 5});
  t.fill_(0);
  CHECK(copied.to_vector<int64_t>() == std::vector<int64_t>{0, 3, 1, 4, 2, 5});
  CHECK(as_view.to_vector<int64_t>() == std::vector<int64_t>(6, 0));
}

TEST_CASE("view splits and merges dims within contiguous chunks of a strided tensor") {
  const tg::Tensor t = tg::arange(24).view({2, 3, 4}).narrow(2, 0, 2);  // (2, 3, 2), strides (12, 4, 1)
  CHECK(t.view({6, 2}).strides() == tg::Shape{4, 1});  // dims 0 and 1 are one chunk
  CHECK_THROWS_WITH_AS(t.view({12}), doctest::Contains("not compatible"), tg::ValueError);
  const tg::Tensor p = tg::arange(24).view({2, 3, 4}).permute({1, 0, 2});  // (3, 2, 4), strides (4, 12, 1)
  const tg::Tensor split = p.view({3, 2, 2, 2});
  CHECK(split.strides() == tg::Shape{4, 12, 2, 1});
  CHECK(split.to_vector<int64_t>() == p.to_vector<int64_t>());
  CHECK(tg::zeros({2, 0, 3}).view({0, 5}).sizes() == tg::Shape{0, 5});
  CHECK(tg::zeros({}).view({1, 1}).sizes() == tg::Shape{1, 1});
  CHECK(tg::zeros({1}).view({}).dim() == 0);
}

TEST_CASE("flatten of a 0-d tensor has one element") {
  CHECK(tg::tensor(4.0).flatten().sizes() == tg::Shape{1});
}

// ---------------------------------------------------------------- copies and conversions
TEST_CASE("contiguous returns the tensor itself when already contiguous, else a fresh copy") {
  const tg::Tensor t = tg::arange(6).view({2, 3});
  CHECK(t.contiguous().is_same(t));
  const tg::Tensor c = t.t().contiguous();
  CHECK(c.is_contiguous());
  CHECK(c.strides() == tg::Shape{2, 1});
  CHECK(c.impl()->storage != t.impl()->storage);
  CHECK(c.to_vector<int64_t>() == std::vector<int64_t>{0, 3, 1, 4, 2, 5});
}

TEST_CASE("clone is a deep copy with its own storage and version") {
  tg::Tensor t = tg::ones({2, 2});
  const tg::Tensor c = t.clone();
  t.fill_(5);
  CHECK(c.to_vector<float>() == std::vector<float>(4, 1.0f));
  CHECK(c.version() == 0);
  CHECK(t.t().clone().is_contiguous());
}

TEST_CASE("detach shares storage and version but drops history") {
  tg::Tensor x = tg::ones({2}).requires_grad_();
  const tg::Tensor y = x * 2.0;
  tg::Tensor d = y.detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.is_leaf());
  CHECK(d.grad_fn_name().empty());
  CHECK(d.impl()->storage == y.impl()->storage);
  d.fill_(0);
  CHECK(y.to_vector<float>() == std::vector<float>{0, 0});
  CHECK(y.version() == d.version());
}

TEST_CASE("to(dtype) converts values and returns the tensor itself for the same dtype") {
  const tg::Tensor f = tg::tensor({1.7f, -1.7f, 0.0f});
  CHECK(f.to(tg::kFloat32).is_same(f));
  CHECK(f.to(tg::kInt64).to_vector<int64_t>() == std::vector<int64_t>{1, -1, 0});
  CHECK(f.to(tg::kBool).to_vector<bool>() == std::vector<bool>{true, true, false});
  CHECK(f.to(tg::kFloat64).to_vector<double>()[0] == static_cast<double>(1.7f));
  CHECK(tg::tensor({true, false}).to(tg::kFloat32).to_vector<float>() == std::vector<float>{1, 0});
  CHECK(tg::arange(4).view({2, 2}).t().to(tg::kInt32).to_vector<int32_t>() == std::vector<int32_t>{0, 2, 1, 3});
}

TEST_CASE("copy_ broadcasts and converts, and refuses a source that does not broadcast") {
  tg::Tensor t = tg::zeros({2, 3}, tg::kFloat64);
  t.copy_(tg::tensor({1, 2, 3}));
  CHECK(t.to_vector<double>() == std::vector<double>{1, 2, 3, 1, 2, 3});
  t.copy_(tg::tensor(4.5));
  CHECK(t.to_vector<double>() == std::vector<double>(6, 4.5));
  CHECK_THROWS_WITH_AS(t.copy_(tg::ones({2})), doctest::Contains("cannot be broadcast"), tg::ValueError);
  CHECK_THROWS_WITH_AS(t.copy_(tg::ones({1, 2, 3})), doctest::Contains("cannot be broadcast to the destination"),
                       tg::ValueError);
  CHECK(t.to_vector<double>() == std::vector<double>(6, 4.5));  // untouched
}

TEST_CASE("copy_ between overlapping views of one storage is exact when shapes match") {
  tg::Tensor t = tg::arange(6, tg::kFloat32);
  t.narrow(0, 0, 3).copy_(t.narrow(0, 3, 3));
  CHECK(t.to_vector<float>() == std::vector<float>{3, 4, 5, 3, 4, 5});
}

TEST_CASE("elementwise kernels read strided, broadcast and offset views correctly") {
  const tg::Tensor m = tg::arange(12, tg::kFloat64).view({3, 4});
  const tg::Tensor a = m.t().narrow(0, 1, 2);  // (2, 3), strides (1, 4), offset 1
  const tg::Tensor b = m.select(1, 3).unsqueeze(0);  // (1, 3), stride 4, offset 3
  CHECK((a + b).to_vector<double>() == std::vector<double>{4, 12, 20, 5, 13, 21});
  CHECK((a * 2.0).exp().log().to_vector<double>()[5] == doctest::Approx(20.0));
  CHECK((a < b).to_vector<bool>() == std::vector<bool>(6, true));
}

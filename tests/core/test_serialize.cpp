// tg::save / tg::load: round trips, and every damaged file is refused with tg::Error.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <tapegrad/tapegrad.h>

namespace {
// A fresh path per test, removed afterwards.
struct TempPath {
  std::filesystem::path path;
  explicit TempPath(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("tapegrad_" + std::to_string(::getpid()) + "_" + name)) {}
  ~TempPath() { std::filesystem::remove(path); }
  std::string str() const { return path.string(); }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}
}  // namespace

TEST_CASE("a tensor of every dtype round-trips exactly") {
  TempPath file("dtypes.tg");
  for (const tg::Tensor& t : {tg::tensor({{1.5f, -2.25f}, {3.f, 1e-30f}}), tg::tensor({0.1, 1e300}, tg::kFloat64),
                              tg::tensor({1, -7}, tg::kInt32), tg::tensor({1LL << 40}, tg::kInt64),
                              tg::tensor({true, false}, tg::kBool), tg::zeros({0, 3}), tg::scalar_tensor(4.5)}) {
    tg::save(file.str(), t);
    const tg::Tensor back = tg::load_tensor(file.str());
    CHECK(back.dtype() == t.dtype());
    CHECK(back.sizes() == t.sizes());
    CHECK(read_bytes(file.str()).size() > 0);
    if (t.dtype() == tg::kBool) CHECK(back.to_vector<bool>() == t.to_vector<bool>());
    else CHECK(back.to(tg::kFloat64).to_vector<double>() == t.to(tg::kFloat64).to_vector<double>());
  }
}

TEST_CASE("a non-contiguous tensor is saved as its values in row-major order") {
  TempPath file("strided.tg");
  const tg::Tensor t = tg::tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}, tg::kFloat64).t();
  tg::save(file.str(), t);
  CHECK(tg::load_tensor(file.str()).to_vector<double>() == std::vector<double>{1, 4, 2, 5, 3, 6});
}

TEST_CASE("a sparse tensor keeps its indices, values and coalesced flag") {
  TempPath file("sparse.tg");
  const tg::Tensor s = tg::sparse_coo_tensor(tg::tensor({{3, 1, 3}}, tg::kInt64),
                                             tg::tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}, tg::kFloat64), {5, 2});
  tg::save(file.str(), s);
  const tg::Tensor back = tg::load_tensor(file.str());
  REQUIRE(back.is_sparse());
  CHECK_FALSE(back.is_coalesced());
  CHECK(back.indices().to_vector<int64_t>() == std::vector<int64_t>{3, 1, 3});
  CHECK(back.to_dense().to_vector<double>() == s.to_dense().to_vector<double>());
}

TEST_CASE("named tensors round-trip in order, and load into existing tensors in place") {
  TempPath file("named.tg");
  const tg::Tensor w = tg::tensor({{1.0, 2.0}}, tg::kFloat64), b = tg::tensor({0.5f});
  tg::save(file.str(), tg::NamedTensors{{"layer.weight", w}, {"layer.bias", b}});
  const tg::NamedTensors back = tg::load_named(file.str());
  REQUIRE(back.size() == 2);
  CHECK(back[0].first == "layer.weight");
  CHECK(back[1].first == "layer.bias");
  tg::Tensor w2 = tg::zeros({1, 2}, tg::kFloat64).requires_grad_(), b2 = tg::zeros({1});
  const tg::Tensor alias = w2;
  tg::load(file.str(), tg::NamedTensors{{"layer.bias", b2}, {"layer.weight", w2}});
  CHECK(alias.to_vector<double>() == std::vector<double>{1.0, 2.0});  // same tensor, new values
  CHECK(b2.item<float>() == 0.5f);
}

TEST_CASE("loading named tensors refuses missing, unexpected and mis-shaped entries and changes nothing") {
  TempPath file("strict.tg");
  tg::save(file.str(), tg::NamedTensors{{"a", tg::ones({2})}, {"b", tg::ones({3})}});
  tg::Tensor a = tg::zeros({2}), b = tg::zeros({3}), c = tg::zeros({1});
  CHECK_THROWS_WITH_AS(tg::load(file.str(), tg::NamedTensors{{"a", a}}), doctest::Contains("entry 'b'"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::load(file.str(), tg::NamedTensors{{"a", a}, {"b", b}, {"c", c}}),
                       doctest::Contains("no entry 'c'"), tg::ValueError);
  tg::Tensor wrong = tg::zeros({4});
  CHECK_THROWS_WITH_AS(tg::load(file.str(), tg::NamedTensors{{"a", a}, {"b", wrong}}),
                       doctest::Contains("expected a dense tensor of the target's shape [4]"), tg::ValueError);
  CHECK(a.sum().item<float>() == 0.f);
}

TEST_CASE("load into a tensor copies in place, or assigns an undefined one") {
  TempPath file("into.tg");
  tg::save(file.str(), tg::tensor({1.0, 2.0}, tg::kFloat64));
  tg::Tensor target = tg::zeros({2});  // float32: the values convert
  tg::load(file.str(), target);
  CHECK(target.to_vector<float>() == std::vector<float>{1.f, 2.f});
  tg::Tensor fresh;
  tg::load(file.str(), fresh);
  CHECK(fresh.dtype() == tg::kFloat64);
  tg::Tensor small = tg::zeros({3});
  CHECK_THROWS_AS(tg::load(file.str(), small), tg::ValueError);
}

TEST_CASE("every truncation of a file is refused with tg::Error") {
  TempPath file("truncated.tg");
  tg::save(file.str(), tg::NamedTensors{{"w", tg::randn({3, 4})},
                                        {"s", tg::sparse_coo_tensor(tg::tensor({{0, 2}}, tg::kInt64), tg::ones({2, 4}),
                                                                    {3, 4})}});
  const std::string bytes = read_bytes(file.str());
  for (size_t size = 0; size < bytes.size(); ++size) {
    CAPTURE(size);
    write_bytes(file.str(), bytes.substr(0, size));
    CHECK_THROWS_AS(tg::load_named(file.str()), tg::Error);
  }
}

TEST_CASE("every single flipped byte is refused with tg::Error, never loaded") {
  TempPath file("corrupt.tg");
  tg::save(file.str(), tg::NamedTensors{{"w", tg::randn({2, 3})},
                                        {"s", tg::sparse_coo_tensor(tg::tensor({{1}}, tg::kInt64), tg::ones({1, 3}),
                                                                    {2, 3})}});
  const std::string bytes = read_bytes(file.str());
  for (size_t i = 0; i < bytes.size(); ++i) {
    CAPTURE(i);
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    write_bytes(file.str(), damaged);
    CHECK_THROWS_AS(tg::load_named(file.str()), tg::Error);
  }
  std::string damaged = bytes;
  damaged[damaged.size() / 2] ^= 1;
  write_bytes(file.str(), damaged);
  CHECK_THROWS_WITH_AS(tg::load_named(file.str()), doctest::Contains("is corrupted"), tg::Error);
}

TEST_CASE("a file of another format version, or not a tapegrad file, is refused") {
  TempPath file("version.tg");
  tg::save(file.str(), tg::ones({2}));
  std::string bytes = read_bytes(file.str());
  bytes[8] = 2;  // the version follows the 8-byte magic
  write_bytes(file.str(), bytes);
  CHECK_THROWS_WITH_AS(tg::load_tensor(file.str()), doctest::Contains("has format version 2; expected version 1"),
                       tg::Error);
  write_bytes(file.str(), "PK\x03\x04 definitely a zip file");
  CHECK_THROWS_WITH_AS(tg::load_tensor(file.str()), doctest::Contains("is not a tapegrad file"), tg::Error);
  CHECK_THROWS_WITH_AS(tg::load_tensor(file.str() + ".missing"), doctest::Contains("cannot open"), tg::Error);
}

TEST_CASE("a file of another kind is refused by the loader of a different kind") {
  TempPath file("kind.tg");
  tg::save(file.str(), tg::NamedTensors{{"a", tg::ones({1})}});
  CHECK_THROWS_WITH_AS(tg::load_tensor(file.str()), doctest::Contains("holds 'named'; expected 'tensor'"), tg::Error);
}

TEST_CASE("saving replaces the file atomically and leaves no temporary behind") {
  TempPath file("atomic.tg");
  tg::save(file.str(), tg::ones({2}));
  tg::save(file.str(), tg::full({3}, 7.0));
  CHECK(tg::load_tensor(file.str()).to_vector<float>() == std::vector<float>{7.f, 7.f, 7.f});
  for (const auto& entry : std::filesystem::directory_iterator(file.path.parent_path()))
    CHECK(entry.path().filename().string().find(file.path.filename().string() + ".tmp") == std::string::npos);
  // A save that fails (undefined entry) keeps the previous file whole.
  CHECK_THROWS_AS(tg::save(file.str(), tg::NamedTensors{{"x", tg::Tensor()}}), tg::ValueError);
  CHECK(tg::load_tensor(file.str()).numel() == 3);
  CHECK_THROWS_AS(tg::save("/nonexistent-dir/x.tg", tg::ones({1})), tg::Error);
}

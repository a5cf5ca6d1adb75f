// tg::save / tg::load: round trips, and every damaged file is refused with tg::Error.
#include <doctest/doctest.h>
#include <malloc.h>
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

size_t heap_in_use() {
  const struct mallinfo2 info = ::mallinfo2();
  return info.uordblks + info.hblkhd;
}

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

// ---- Forged files: a checksum-valid file whose content no tapegrad writes.
namespace {
uint32_t crc32_of(const std::string& bytes) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// Writes the byte layout of docs/file-format.md directly.
struct Forge {
  std::string bytes = "TAPEGRAD";
  template <class T> Forge& number(T value) {
    bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
    return *this;
  }
  Forge& string(const std::string& s) {
    number<uint32_t>(static_cast<uint32_t>(s.size()));
    bytes += s;
    return *this;
  }
  Forge(const std::string& kind, uint64_t count) { number<uint32_t>(1).string(kind).number<uint64_t>(count); }
  Forge& shape(const std::vector<int64_t>& sizes) {
    number<uint32_t>(static_cast<uint32_t>(sizes.size()));
    for (int64_t s : sizes) number<int64_t>(s);
    return *this;
  }
  // dtype code 1 (float64) or 3 (int64): both 8 bytes an element.
  Forge& dense(uint8_t code, const std::vector<int64_t>& sizes, const std::vector<double>& values) {
    number<uint8_t>(code).shape(sizes).number<uint64_t>(values.size() * 8);
    for (double v : values) code == 1 ? number<double>(v) : number<int64_t>(static_cast<int64_t>(v));
    return *this;
  }
  Forge& dense_entry(const std::string& name, const std::vector<int64_t>& sizes, const std::vector<double>& values) {
    return string(name).number<uint8_t>(0).dense(1, sizes, values);
  }
  Forge& sparse_entry(const std::string& name, const std::vector<int64_t>& sizes, bool coalesced,
                      const std::vector<double>& indices, const std::vector<double>& values) {
    string(name).number<uint8_t>(1).shape(sizes).number<uint8_t>(coalesced ? 1 : 0);
    dense(3, {1, static_cast<int64_t>(indices.size())}, indices);
    std::vector<int64_t> value_sizes{static_cast<int64_t>(values.size())};
    return dense(1, value_sizes, values);
  }
  void write(const std::string& path) {
    const uint32_t crc = crc32_of(bytes);
    write_bytes(path, bytes + std::string(reinterpret_cast<const char*>(&crc), 4));
  }
};
}  // namespace

TEST_CASE("the forge writes what tg::save writes, so the forged files below differ only where intended") {
  TempPath saved("forge_a.tg"), forged("forge_b.tg");
  tg::save(saved.str(), tg::NamedTensors{{"w", tg::tensor({1.5, -2.0}, tg::kFloat64)}});
  Forge("named", 1).dense_entry("w", {2}, {1.5, -2.0}).write(forged.str());
  CHECK(read_bytes(saved.str()) == read_bytes(forged.str()));
}

TEST_CASE("a sparse entry flagged coalesced over duplicate or unsorted indices is refused") {
  TempPath file("forged_coalesced.tg");
  Forge("tensor", 1).sparse_entry("", {5}, true, {3, 1, 3}, {1, 2, 3}).write(file.str());
  CHECK_THROWS_WITH_AS(tg::load_tensor(file.str()),
                       doctest::Contains("is flagged coalesced but its indices at positions 0 and 1 are out of order"),
                       tg::Error);
  Forge("tensor", 1).sparse_entry("", {5}, true, {1, 3, 3}, {1, 2, 3}).write(file.str());
  CHECK_THROWS_WITH_AS(tg::load_tensor(file.str()), doctest::Contains("at positions 1 and 2 are equal"), tg::Error);
  // Without the flag the same indices load, and coalesce() sums the duplicates.
  Forge("tensor", 1).sparse_entry("", {5}, false, {1, 3, 3}, {1, 2, 3}).write(file.str());
  CHECK(tg::load_tensor(file.str()).coalesce().values().to_vector<double>() == std::vector<double>{1, 5});
}

TEST_CASE("duplicate entry names are refused, on load and on save") {
  TempPath file("forged_duplicate.tg");
  Forge("named", 3).dense_entry("a", {1}, {1}).dense_entry("b", {1}, {2}).dense_entry("a", {1}, {3}).write(file.str());
  CHECK_THROWS_WITH_AS(tg::load_named(file.str()),
                       doctest::Contains("the name 'a' is used by entries 0 and 2; expected every name once"), tg::Error);
  CHECK_THROWS_WITH_AS(tg::save(file.str(), tg::NamedTensors{{"x", tg::ones({1})}, {"x", tg::ones({1})}}),
                       doctest::Contains("the name 'x' is used by entries 0 and 1"), tg::ValueError);
}

TEST_CASE("a NUL in an entry name is refused with the whole name in the message") {
  TempPath file("forged_nul.tg");
  Forge("named", 1).dense_entry(std::string("emb\0weight", 10), {1}, {1}).write(file.str());
  try {
    tg::load_named(file.str());
    FAIL("loaded a name with a NUL byte");
  } catch (const tg::Error& e) {
    const std::string message = e.what();
    CHECK(message.find("'emb\\x00weight' holds a NUL byte at position 3") != std::string::npos);
    CHECK(message.find("expected names without NUL bytes") != std::string::npos);
  }
}

TEST_CASE("a declared entry count larger than the file can hold is refused before any allocation") {
  TempPath file("forged_count.tg");
  Forge("named", 1000).dense_entry("a", {1}, {1}).write(file.str());
  CHECK_THROWS_WITH_AS(tg::load_named(file.str()), doctest::Contains("declares 1000 entries but its"), tg::Error);
  Forge("named", uint64_t{1} << 62).write(file.str());
  CHECK_THROWS_WITH_AS(tg::load_named(file.str()), doctest::Contains("hold at most 0"), tg::Error);
}

TEST_CASE("a sparse entry whose sizes overflow int64 is refused; a huge representable one loads") {
  TempPath file("forged_huge.tg");
  Forge("tensor", 1).sparse_entry("", {int64_t{1} << 62}, false, {5}, {1.0}).write(file.str());
  const tg::Tensor huge = tg::load_tensor(file.str());
  CHECK(huge.sizes() == tg::Shape{int64_t{1} << 62});
  CHECK(huge.indices().to_vector<int64_t>() == std::vector<int64_t>{5});
  Forge forged("tensor", 1);
  forged.string("").number<uint8_t>(1).shape({int64_t{1} << 40, int64_t{1} << 40}).number<uint8_t>(0);
  forged.dense(3, {2, 0}, {}).dense(1, {0}, {});
  forged.write(file.str());
  CHECK_THROWS_WITH_AS(tg::load_tensor(file.str()),
                       doctest::Contains("has shape [1099511627776, 1099511627776], whose sizes multiply past 2^63 - 1"),
                       tg::Error);
}

TEST_CASE("an empty dense entry whose other sizes overflow the strides is refused (found by fuzzing)") {
  TempPath file("forged_strides.tg");
  Forge("tensor", 1).dense_entry("", {0, int64_t{1} << 62, int64_t{1} << 62}, {}).write(file.str());
  CHECK_THROWS_WITH_AS(tg::load_tensor(file.str()), doctest::Contains("whose sizes multiply past 2^63 - 1"), tg::Error);
  Forge("tensor", 1).dense_entry("", {0, int64_t{1} << 31, int64_t{1} << 31}, {}).write(file.str());
  CHECK(tg::load_tensor(file.str()).numel() == 0);
}

TEST_CASE("a file of another version names it as written by a newer or an older tapegrad") {
  TempPath file("version_words.tg");
  tg::save(file.str(), tg::ones({1}));
  std::string bytes = read_bytes(file.str());
  bytes[8] = 0;
  write_bytes(file.str(), bytes);
  CHECK_THROWS_WITH_AS(tg::load_tensor(file.str()), doctest::Contains("written by an older version of tapegrad"),
                       tg::Error);
  bytes[8] = 7;
  write_bytes(file.str(), bytes);
  CHECK_THROWS_WITH_AS(tg::load_tensor(file.str()), doctest::Contains("written by a newer version of tapegrad"),
                       tg::Error);
}

TEST_CASE("a file of many tiny entries loads within a few hundred bytes per entry") {
  // Note [Memory bounded by the file size]: each entry costs its tensor (two small
  // allocations) and its name; the loader keeps nothing else per entry.
  TempPath file("many.tg");
  constexpr int kEntries = 200000;
  {
    tg::NamedTensors many;
    for (int i = 0; i < kEntries; ++i) many.emplace_back(std::to_string(i), tg::scalar_tensor(true, tg::kBool));
    tg::save(file.str(), many);
  }
  const size_t before = heap_in_use();
  const tg::NamedTensors back = tg::load_named(file.str());
  const double per_entry = static_cast<double>(heap_in_use() - before) / kEntries;
  REQUIRE(back.size() == kEntries);
  CHECK(back[kEntries - 1].first == std::to_string(kEntries - 1));
  MESSAGE("bytes per loaded entry: " << per_entry);
  CHECK(per_entry < 400);
}

TEST_CASE("groups saved together load together, in order") {
  TempPath file("groups.tg");
  tg::save_groups(file.str(), {{"model", {{"w", tg::ones({2})}, {"b", tg::zeros({1})}}},
                               {"extra", {{"epoch", tg::scalar_tensor(3, tg::kInt64)}}}});
  const tg::TensorGroups groups = tg::load_groups(file.str());
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].first == "model");
  CHECK(groups[0].second[1].first == "b");
  CHECK(groups[1].second[0].second.item<int64_t>() == 3);
  CHECK_THROWS_WITH_AS(tg::save_groups(file.str(), {{"a/b", {{"w", tg::ones({1})}}}}),
                       doctest::Contains("group name 'a/b' is empty or holds '/'"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::load_named(file.str()), doctest::Contains("holds 'groups'; expected 'named'"), tg::Error);
  Forge("groups", 1).dense_entry("nogroup", {1}, {1}).write(file.str());
  CHECK_THROWS_WITH_AS(tg::load_groups(file.str()), doctest::Contains("entry 'nogroup' has no group"), tg::Error);
}

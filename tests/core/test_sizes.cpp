// Note [Checked sizes] (core/checked.h): shapes whose element count, byte count or
// strides do not fit in int64 are refused before anything is allocated, negative sizes
// are refused, and an allocation that fails is a tg::Error naming bytes and shape.
// Each case crashed, wrapped or threw std::bad_alloc before the rule existed.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>

namespace F = tg::nn::functional;

namespace {

constexpr int64_t k31 = int64_t{1} << 31;
constexpr int64_t k32 = int64_t{1} << 32;
constexpr int64_t k40 = int64_t{1} << 40;

// The span of [2^31, 2^31] float32 is 2^64 bytes: it wrapped to 0 and gave a 0-byte buffer.
const auto kTooManyBytes = doctest::Contains("[2147483648, 2147483648] and dtype torch.float32 would span about "
                                             "1.845e+19 bytes");
const auto kLimit = doctest::Contains("expected at most 9223372036854775807 bytes");

// With overcommit "always" (vm.overcommit_memory = 1) Linux maps 4 TiB on request and
// only fails when the pages are touched; every other setting refuses it up front.
bool kernel_refuses_huge_maps() {
  std::ifstream in("/proc/sys/vm/overcommit_memory");
  int mode = 0;
  return !(in >> mode) || mode != 1;
}

}  // namespace

TEST_CASE("a shape whose byte count overflows int64 is refused before allocating, naming the shape and the limit") {
  // zeros(...).sum() read 2^62 floats from that buffer: SIGSEGV.
  CHECK_THROWS_WITH_AS(tg::zeros({k31, k31}).sum(), kTooManyBytes, tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::zeros({k31, k31}), kLimit, tg::ValueError);
  // Writing one element went past the end of the same 0-byte buffer.
  CHECK_THROWS_WITH_AS(tg::zeros({k31, k31}).select(0, 5).fill_(1.0), kTooManyBytes, tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::ones({k31, k31}), kTooManyBytes, tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::full({k31, k31}, 2.0), kTooManyBytes, tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::empty({k31, k31}), kTooManyBytes, tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::randn({k31, k31}), kTooManyBytes, tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::rand({k31, k31}), kTooManyBytes, tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::eye(k31), kTooManyBytes, tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::randint(0, 10, {k31, k31}, tg::kInt64),
                       doctest::Contains("[2147483648, 2147483648] and dtype torch.int64 would span about 3.689e+19"),
                       tg::ValueError);
  // Every dim of a tensor with a zero size still has a stride: [0, 2^31, 2^31] would
  // need a stride of 2^62 elements, 2^64 bytes, in dim 0.
  CHECK_THROWS_WITH_AS(tg::zeros({0, k31, k31}), doctest::Contains("would span about 1.845e+19 bytes"),
                       tg::ValueError);
}

TEST_CASE("a shape whose element count overflows int64 is refused instead of giving numel 0") {
  CHECK_THROWS_WITH_AS(tg::zeros({k32, k32}),
                       doctest::Contains("[4294967296, 4294967296] and dtype torch.float32 would span about 7.379e+19"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::zeros({k32, k32, 0}), kLimit, tg::ValueError);
  // 2^61 elements fit; their 2^64 bytes of int64 do not.
  CHECK_THROWS_WITH_AS(tg::zeros({int64_t{1} << 61}, tg::kInt64), doctest::Contains("would span about 1.845e+19"),
                       tg::ValueError);
}

TEST_CASE("ranges whose length or bytes overflow are refused") {
  CHECK_THROWS_WITH_AS(tg::arange(0, int64_t{1} << 62),
                       doctest::Contains("[4611686018427387904] and dtype torch.int64 would span about 3.689e+19"),
                       tg::ValueError);
  // end - start does not even fit in int64 here.
  constexpr int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  CHECK_THROWS_WITH_AS(tg::arange(lo, hi),
                       doctest::Contains("arange: the range [-9223372036854775808, 9223372036854775807) with step 1 "
                                         "has 18446744073709551615 elements; expected at most 9223372036854775807"),
                       tg::ValueError);
  // The same range in four steps: every value fits though the distance does not.
  CHECK(tg::arange(lo, hi, int64_t{1} << 62).to_vector<int64_t>() ==
        std::vector<int64_t>{lo, -(int64_t{1} << 62), 0, int64_t{1} << 62});
  CHECK(tg::arange(hi, lo, -(int64_t{1} << 62)).to_vector<int64_t>() ==
        std::vector<int64_t>{hi, (int64_t{1} << 62) - 1, -1, -(int64_t{1} << 62) - 1});
  CHECK_THROWS_WITH_AS(tg::linspace(0, 1, int64_t{1} << 62),
                       doctest::Contains("[4611686018427387904] and dtype torch.float32 would span"), tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::randperm(int64_t{1} << 62),
                       doctest::Contains("[4611686018427387904] and dtype torch.int64 would span"), tg::ValueError);
}

TEST_CASE("negative sizes are refused with PyTorch's message, naming the value") {
  CHECK_THROWS_WITH_AS(tg::zeros({-1}), "Trying to create tensor with negative dimension -1: [-1]", tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::randint(0, 3, {2, -4}), "Trying to create tensor with negative dimension -4: [2, -4]",
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::eye(-2), "eye: n = -2 is negative; expected n >= 0", tg::ValueError);
  // expand({-5, 3}) gave a tensor of shape [-5, 3].
  CHECK_THROWS_WITH_AS(tg::ones({1, 3}).expand({-5, 3}),
                       doctest::Contains("expand: the expanded size -5 at dim 0 is negative; expected a size >= 0"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::ones({3}).expand({-5, 3}), doctest::Contains("expanded size -5 at dim 0 is negative"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::ones({3}).expand({-1, 3}), doctest::Contains("-1 is not allowed in a leading, new dim"),
                       tg::ValueError);
  CHECK(tg::ones({1, 3}).expand({-1, 3}).sizes() == tg::Shape{1, 3});
}

TEST_CASE("views count their elements: an overflowing view is refused, a large expanded one is not") {
  // The -1-free product wrapped to 0 and matched an empty tensor's numel.
  CHECK_THROWS_WITH_AS(tg::zeros({0}).view({k32, k32}),
                       doctest::Contains("view: shape [4294967296, 4294967296] is invalid for input of size 0"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::zeros({0}).reshape({-1, k32, k32}), doctest::Contains("invalid for input of size 0"),
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::ones({3}).expand({int64_t{1} << 62, 3}),
                       doctest::Contains("shape [4611686018427387904, 3] has too many elements"), tg::ValueError);
  // An expanded view shares its base's 12 bytes: only its element count must fit, as in PyTorch.
  const tg::Tensor wide = tg::ones({3}).expand({int64_t{1} << 61, 3});
  CHECK(wide.numel() == 3 * (int64_t{1} << 61));
  CHECK(wide.select(0, (int64_t{1} << 61) - 1).to_vector<float>() == std::vector<float>{1, 1, 1});
  const tg::Tensor half = tg::ones({1}).expand({int64_t{1} << 62});
  CHECK_THROWS_WITH_AS(tg::cat({half, half}), doctest::Contains("cat: the sizes in dim 0 add up to more than "
                                                                "9223372036854775807 (at tensors[1]"),
                       tg::ValueError);
}

TEST_CASE("a sparse tensor too large to densify raises on to_dense") {
  const tg::Tensor huge = tg::sparse_coo_tensor(tg::tensor({{0}, {0}}), tg::tensor({1.f}), {k31, k31});
  CHECK(huge._nnz() == 1);
  CHECK_THROWS_WITH_AS(huge.to_dense(), kTooManyBytes, tg::ValueError);
}

TEST_CASE("a sparse tensor's size must be countable and non-negative") {
  // Coalescing linearised [2^32 - 1, 2^32 - 1] over [2^32, 2^32]: a signed overflow.
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(tg::tensor({{k32 - 1}, {k32 - 1}}), tg::tensor({1.f}), {k32, k32}),
                       doctest::Contains("sparse_coo_tensor: shape [4294967296, 4294967296] has too many elements"),
                       tg::ValueError);
  // With no entries, no index check could notice a negative size.
  CHECK_THROWS_WITH_AS(tg::sparse_coo_tensor(tg::zeros({2, 0}, tg::kInt64), tg::zeros({0}), {-3, 2}),
                       "sparse_coo_tensor: Trying to create tensor with negative dimension -3: [-3, 2]",
                       tg::ValueError);
}

TEST_CASE("an allocation the system refuses is a tg::Error naming the bytes and the shape") {
  // 2^45 floats are 128 TiB: more than a 47-bit address space can map, whatever the
  // overcommit policy.
  CHECK_THROWS_WITH_AS(tg::zeros({int64_t{1} << 45}),
                       "out of memory: a tensor of shape [35184372088832] and dtype torch.float32 needs "
                       "140737488355328 bytes (128 TiB), which could not be allocated; expected a size that fits in "
                       "the memory available",
                       tg::Error);
  CHECK_THROWS_WITH_AS(tg::randn({int64_t{1} << 45}), doctest::Contains("needs 140737488355328 bytes"), tg::Error);
  if (kernel_refuses_huge_maps()) {
    CHECK_THROWS_WITH_AS(tg::zeros({k40}), doctest::Contains("[1099511627776] and dtype torch.float32 needs "
                                                            "4398046511104 bytes (4 TiB)"),
                         tg::Error);
    CHECK_THROWS_WITH_AS(tg::linspace(0, 1, k40), doctest::Contains("needs 4398046511104 bytes"), tg::Error);
    CHECK_THROWS_WITH_AS(tg::randperm(k40), doctest::Contains("[1099511627776] and dtype torch.int64 needs "
                                                             "8796093022208 bytes (8 TiB)"),
                         tg::Error);
  }
}

TEST_CASE("nn::Embedding with an overflowing table is refused at construction") {
  CHECK_THROWS_WITH_AS(tg::nn::Embedding(k31, k31), kTooManyBytes, tg::ValueError);
}

TEST_CASE("a negative or NaN max_norm is refused instead of flipping the sign of rows") {
  const auto negative = doctest::Contains("max_norm = -1 is negative; expected max_norm >= 0");
  CHECK_THROWS_WITH_AS(tg::nn::Embedding(tg::nn::EmbeddingOptions(4, 3).max_norm(-1.0)),
                       doctest::Contains("Embedding: max_norm = -1 is negative"), tg::ValueError);
  const tg::Tensor table = tg::ones({4, 3});
  CHECK_THROWS_WITH_AS(F::embedding(tg::tensor({1}), table, F::EmbeddingFuncOptions().max_norm(-1.0)), negative,
                       tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::embedding_renorm_(table, tg::tensor({1}), -1.0, 2.0), negative, tg::ValueError);
  CHECK_THROWS_WITH_AS(tg::embedding_renorm_(table, tg::tensor({1}), std::nan(""), 2.0),
                       doctest::Contains("max_norm = nan is not a number"), tg::ValueError);
  CHECK(table.to_vector<float>() == std::vector<float>(12, 1.f));  // untouched
  // 0 is a bound (every referenced row shrinks to about 0), and norm_type <= 0 is
  // accepted as in PyTorch: the 0-"norm" of a row of ones counts 3 non-zeros.
  tg::embedding_renorm_(table, tg::tensor({1}), 0.0, 2.0);
  CHECK(table[1].to_vector<float>() == std::vector<float>(3, 0.f));
  tg::embedding_renorm_(table, tg::tensor({2}), 1.5, 0.0);
  CHECK(table[2].to_vector<float>()[0] == doctest::Approx(1.5 / (3 + 1e-7)));
}

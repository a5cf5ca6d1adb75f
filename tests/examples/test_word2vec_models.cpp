// The word2vec example's word-vector models (examples/word2vec): fastText's n-grams and
// hash, the bag step's gradient, the model file and word2vec's binary vectors, on cases
// worked out by hand below.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "bag_input.h"
#include "eval_commands.h"
#include "model_file.h"
#include "subwords.h"
#include "vectors_io.h"

namespace fs = std::filesystem;

namespace {

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("tapegrad_w2v_models_" + std::to_string(::getpid()) + "_" + name);
}

std::vector<float> values_of(const tg::Tensor& t) {
  const tg::Tensor c = t.detach().to(tg::kFloat32).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

TEST_CASE("fnv1a is fastText's: standard FNV-1a on ASCII, bytes >= 0x80 sign-extended") {
  CHECK(w2v::fnv1a("") == 2166136261u);
  CHECK(w2v::fnv1a("a") == 0xe40c292cu);       // the published FNV-1a 32 test vectors
  CHECK(w2v::fnv1a("foobar") == 0xbf9cf968u);
  // "é" = C3 A9: standard FNV-1a gives 513665217; xoring 0xFFFFFFC3, 0xFFFFFFA9 gives:
  CHECK(w2v::fnv1a("\xc3\xa9") == 1023043777u);
}

TEST_CASE("n-grams: boundary marks, lengths in UTF-8 characters, lone marks left out") {
  // One bucket: every n-gram is row V + 0, so the list shows how many n-grams there are.
  const w2v::Subwords one{1, 2, 1};
  std::vector<int64_t> rows;
  one.rows_of("ab", 7, 10, rows);  // "<ab>": <a, a, ab, b, b> (not "<" nor ">")
  CHECK(rows == std::vector<int64_t>{7, 10, 10, 10, 10, 10});
  rows.clear();
  one.rows_of("\xc3\xa9", -1, 10, rows);  // "<é>": <é, é, é> -- é is one character
  CHECK(rows == std::vector<int64_t>{10, 10, 10});
  rows.clear();
  const w2v::Subwords three{3, 3, 1000};
  three.rows_of("ab", 0, 5, rows);  // "<ab", "ab>"
  CHECK(rows == std::vector<int64_t>{0, 5 + w2v::fnv1a("<ab") % 1000, 5 + w2v::fnv1a("ab>") % 1000});
  rows.clear();
  w2v::Subwords{}.rows_of("ab", 3, 5, rows);  // words only
  CHECK(rows == std::vector<int64_t>{3});

  const w2v::Bags bags = w2v::vocabulary_bags({"ab", "c"}, one);  // "<c>": <c, c, c>
  CHECK(bags.offsets == std::vector<int64_t>{0, 6, 10});
  CHECK(bags.indices == std::vector<int64_t>{0, 2, 2, 2, 2, 2, 1, 2, 2, 2});
}

TEST_CASE("a bag's mean gets word2vec's update: every row the whole gradient of the mean") {
  tg::Tensor weight = tg::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}).reshape({3, 2}).requires_grad_();
  const w2v::Bags bags = w2v::vocabulary_bags({"x", "y", "z"}, w2v::Subwords{});
  w2v::BagBatch batch;
  batch.start();
  batch.add(bags, 0);
  batch.add(bags, 1);
  batch.start();
  batch.add(bags, 2);
  const tg::Tensor u = batch.hidden(weight);
  CHECK(values_of(u) == std::vector<float>{2, 3, 5, 6});
  const tg::Tensor loss = (u * tg::tensor({1.0f, 10.0f, 100.0f, 1000.0f}).reshape({2, 2})).sum();
  const tg::Tensor grad = tg::autograd::grad({loss}, {weight})[0];
  CHECK(grad.is_sparse());
  CHECK(values_of(grad.to_dense()) == std::vector<float>{1, 10, 1, 10, 100, 1000});
}

TEST_CASE("a model file answers a word it never saw from its n-grams") {
  // V = 2 words, one bucket: row 2 holds every n-gram. "ab" = mean(row 0, 5 x row 2).
  const tg::Tensor input = tg::tensor({6.0f, 0.0f, 0.0f, 12.0f, 0.0f, 6.0f}).reshape({3, 2});
  const fs::path path = temp_file("m.tgw2v");
  w2v::save_model(path, w2v::ModelFile{"cbow", w2v::Subwords{1, 2, 1}, {"ab", "c"}, {5, 3}, input});
  CHECK(w2v::is_model_file(path));
  const w2v::ModelFile m = w2v::load_model(path);
  CHECK(m.model == "cbow");
  CHECK(m.words == std::vector<std::string>{"ab", "c"});
  CHECK(m.counts == std::vector<int64_t>{5, 3});
  CHECK(values_of(m.vectors({"ab", "zz"}, "test")) == std::vector<float>{1, 5, 0, 6});
  std::ostringstream out;
  w2v::run_vector(path, {"zz", "c"}, out);  // "c": mean(row 1, 3 x row 2) = (0, 7.5)
  CHECK(out.str() == "zz 0 6\nc 0 7.5\n");
  fs::remove(path);
}

TEST_CASE("word2vec binary vectors round-trip exactly and load beside .vec files") {
  const tg::Tensor vectors = tg::tensor({0.1f, -2.5f, 1e-7f, 3.0f}).reshape({2, 2});
  const fs::path bin = temp_file("v.bin"), vec = temp_file("v.vec");
  w2v::save_vectors_binary(bin, {"king", "queen"}, vectors);
  w2v::save_vectors(vec, {"king", "queen"}, vectors);
  const w2v::WordVectors b = w2v::load_vectors(bin), t = w2v::load_vectors(vec);
  CHECK(b.words == std::vector<std::string>{"king", "queen"});
  CHECK(values_of(b.table.weight) == values_of(vectors));  // float32 kept bit for bit
  CHECK(t.words == b.words);
  CHECK(values_of(t.table.weight) == values_of(vectors));  // 6 digits print these exactly
  fs::remove(bin);
  fs::remove(vec);
}

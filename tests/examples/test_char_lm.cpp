// The character-level language model of examples/char_lm_model.h: its data pipeline on
// hand-made lines, the shapes of its forward pass, and that Adam makes it learn.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include <cmath>

#include "char_lm_model.h"

TEST_CASE("char_lm turns each line into (context, next character) pairs padded with the boundary") {
  const std::vector<std::string> lines{"ab", "b"};
  const char_lm::Vocabulary vocab(lines);
  CHECK(vocab.size() == 3);  // boundary, 'a', 'b'
  CHECK(vocab.id('a') == 1);
  CHECK(vocab.character(2) == 'b');
  const char_lm::Examples examples = char_lm::make_examples(lines, vocab, 2);
  // "ab": [_ _] -> a, [_ a] -> b, [a b] -> end;  "b": [_ _] -> b, [_ b] -> end
  CHECK(examples.contexts == std::vector<int64_t>{0, 0, 0, 1, 1, 2, 0, 0, 0, 2});
  CHECK(examples.targets == std::vector<int64_t>{1, 2, 0, 2, 0});
}

TEST_CASE("char_lm maps a batch of contexts to one logit per character") {
  tg::manual_seed(0);
  char_lm::CharLM model(/*vocab_size=*/7, /*context=*/3, /*embedding_dim=*/4, /*hidden_dim=*/5);
  tg::Tensor logits = model(tg::tensor({{0, 1, 2}, {3, 4, 6}}));
  CHECK(logits.sizes() == tg::Shape{2, 7});
  const auto names = model.named_parameters();
  REQUIRE(names.size() == 5);
  CHECK(names[0].first == "embedding.weight");
  CHECK(names[1].first == "hidden.weight");
  CHECK(names[1].second.sizes() == tg::Shape{5, 12});  // (H, n*E): the contexts' embeddings side by side
}

TEST_CASE("char_lm learns a repeated line with Adam and then samples it") {
  const std::vector<std::string> lines(20, "hello world");
  const char_lm::Vocabulary vocab(lines);
  const char_lm::Examples examples = char_lm::make_examples(lines, vocab, 3);
  tg::manual_seed(1);
  std::mt19937_64 rng(1);
  char_lm::CharLM model(vocab.size(), 3, 8, 32);
  tg::optim::Adam adam(model.parameters(), tg::optim::AdamOptions(1e-2));
  const double first_loss = char_lm::train_step(model, adam, char_lm::draw_batch(examples, 32, rng));
  CHECK(first_loss == doctest::Approx(std::log(9.0)).epsilon(0.25));  // near a uniform guess over 9 symbols
  double last_loss = 0;
  for (int step = 0; step < 150; ++step)
    last_loss = char_lm::train_step(model, adam, char_lm::draw_batch(examples, 32, rng));
  // Every next character (the end of the line included) is determined by the previous
  // three, so the loss can reach 0.
  CHECK(last_loss < 0.05);
  CHECK(char_lm::sample_line(model, vocab, 40, 0.5, rng) == "hello world");
}

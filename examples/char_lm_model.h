#pragma once
// A character-level language model in the style of Bengio et al. (2003), "A Neural
// Probabilistic Language Model": the previous n characters are looked up in an
// embedding table, concatenated, passed through one tanh hidden layer, and a linear
// layer gives a score (logit) for every possible next character.
//
//   char_lm::Vocabulary vocab(lines);
//   char_lm::CharLM model(vocab.size(), /*context=*/5, /*embedding_dim=*/16, /*hidden=*/128);
//   tg::Tensor logits = model(contexts);   // contexts (B, 5) int64 -> logits (B, V)
//
// examples/char_lm.cpp trains it; tests/examples/test_char_lm.cpp checks that it learns.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.h>

namespace char_lm {

// B batch, n context length, E embedding width, H hidden width, V characters.

// The characters of the training text, with id 0 kept for the line boundary: it pads
// the context before a line's first character and is the target after its last one,
// so the model also learns where lines end.
class Vocabulary {
 public:
  static constexpr int64_t kBoundary = 0;

  explicit Vocabulary(const std::vector<std::string>& lines) {
    std::vector<bool> seen(256, false);
    for (const std::string& line : lines)
      for (unsigned char ch : line) seen[ch] = true;
    chars_.push_back('\n');  // how the boundary prints
    ids_.assign(256, -1);
    for (int ch = 0; ch < 256; ++ch)
      if (seen[ch] && ch != '\n') {
        ids_[ch] = static_cast<int64_t>(chars_.size());
        chars_.push_back(static_cast<char>(ch));
      }
  }
  int64_t size() const { return static_cast<int64_t>(chars_.size()); }
  int64_t id(char ch) const { return ids_[static_cast<unsigned char>(ch)]; }
  char character(int64_t id) const { return chars_[id]; }

 private:
  std::vector<char> chars_;
  std::vector<int64_t> ids_;
};

// Every (context, next character) pair of every line: contexts is (N * n) ids row by
// row, targets (N).
struct Examples {
  int64_t context = 0;
  std::vector<int64_t> contexts;
  std::vector<int64_t> targets;
  int64_t size() const { return static_cast<int64_t>(targets.size()); }
};

inline Examples make_examples(const std::vector<std::string>& lines, const Vocabulary& vocab, int64_t context) {
  Examples examples;
  examples.context = context;
  for (const std::string& line : lines) {
    std::vector<int64_t> window(context, Vocabulary::kBoundary);
    for (size_t i = 0; i <= line.size(); ++i) {
      const int64_t next = i < line.size() ? vocab.id(line[i]) : Vocabulary::kBoundary;
      examples.contexts.insert(examples.contexts.end(), window.begin(), window.end());
      examples.targets.push_back(next);
      window.erase(window.begin());  // slide: drop the oldest character, append the new one
      window.push_back(next);
    }
  }
  return examples;
}

class CharLM : public tg::nn::Module {
 public:
  CharLM(int64_t vocab_size, int64_t context, int64_t embedding_dim, int64_t hidden_dim)
      : embedding(vocab_size, embedding_dim),
        hidden(context * embedding_dim, hidden_dim),
        output(hidden_dim, vocab_size),
        context_(context) {
    register_module("embedding", embedding);
    register_module("hidden", hidden);
    register_module("output", output);
  }

  // contexts (B, n) int64 -> logits (B, V): unnormalised log-probabilities of the next character.
  tg::Tensor forward(const tg::Tensor& contexts) {
    const int64_t batch = contexts.size(0);
    tg::Tensor x = embedding(contexts).reshape({batch, -1});  // (B, n, E) -> (B, n*E): the concatenation
    tg::Tensor h = hidden(x).tanh();                          // (B, H)
    return output(h);                                         // (B, V)
  }
  tg::Tensor operator()(const tg::Tensor& contexts) { return forward(contexts); }
  int64_t context() const { return context_; }

  tg::nn::Embedding embedding;  // (V, E), dense gradients: V is small
  tg::nn::Linear hidden;        // (n*E) -> H
  tg::nn::Linear output;        // H -> V

 private:
  int64_t context_;
};

// A random minibatch of `batch` examples, drawn with replacement.
struct Batch {
  tg::Tensor contexts;  // (B, n) int64
  tg::Tensor targets;   // (B) int64
};
inline Batch draw_batch(const Examples& examples, int64_t batch, std::mt19937_64& rng) {
  std::uniform_int_distribution<int64_t> pick(0, examples.size() - 1);
  std::vector<int64_t> contexts, targets;
  contexts.reserve(batch * examples.context);
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t i = pick(rng);
    auto first = examples.contexts.begin() + i * examples.context;
    contexts.insert(contexts.end(), first, first + examples.context);
    targets.push_back(examples.targets[i]);
  }
  return {tg::from_vector(contexts, {batch, examples.context}), tg::from_vector(targets)};
}

// One optimisation step: forward, cross-entropy, backward, update. Returns the loss.
inline double train_step(CharLM& model, tg::optim::Optimizer& optimizer, const Batch& batch) {
  optimizer.zero_grad();
  tg::Tensor loss = tg::nn::functional::cross_entropy(model(batch.contexts), batch.targets);
  loss.backward();
  optimizer.step();
  return loss.item<float>();
}

// Samples characters one at a time from softmax(logits / temperature) until the model
// ends the line or max_length characters are out.
inline std::string sample_line(CharLM& model, const Vocabulary& vocab, int64_t max_length, double temperature,
                               std::mt19937_64& rng) {
  tg::NoGradGuard no_grad;
  std::vector<int64_t> window(model.context(), Vocabulary::kBoundary);
  std::string text;
  while (static_cast<int64_t>(text.size()) < max_length) {
    tg::Tensor logits = model(tg::from_vector(window, {1, model.context()}));  // (1, V)
    std::vector<float> probs = (logits / temperature).softmax(1).to_vector<float>();
    std::discrete_distribution<int64_t> next_char(probs.begin(), probs.end());
    const int64_t next = next_char(rng);
    if (next == Vocabulary::kBoundary) break;
    text.push_back(vocab.character(next));
    window.erase(window.begin());
    window.push_back(next);
  }
  return text;
}

}  // namespace char_lm

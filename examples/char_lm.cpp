// A character-level language model trained with tapegrad (Bengio et al. 2003 style,
// examples/char_lm_model.h): it reads lines of text, learns to predict each character
// from the previous few, prints its loss as it falls, and ends by writing new lines
// character by character.
//
//   ./build/examples/char_lm                         # tests/data/tiny_corpus.txt, or a built-in text
//   ./build/examples/char_lm data/corpus.txt --steps 5000 --max-lines 50000
//
// The program exits with status 1 if training did not lower the loss (the test relies on it).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "char_lm_model.h"

namespace {

// Used when no corpus is given and tests/data/tiny_corpus.txt is not there: the
// opening of Genesis (King James Version), in the corpus's normalised form.
const char* kBuiltInText =
    "in the beginning god created the heaven and the earth\n"
    "and the earth was without form and void and darkness was upon the face of the deep\n"
    "and the spirit of god moved upon the face of the waters\n"
    "and god said let there be light and there was light\n"
    "and god saw the light that it was good and god divided the light from the darkness\n"
    "and god called the light day and the darkness he called night\n"
    "and the evening and the morning were the first day\n"
    "and god said let there be a firmament in the midst of the waters\n"
    "and let it divide the waters from the waters\n"
    "and god made the firmament and divided the waters which were under the firmament "
    "from the waters which were above the firmament and it was so\n"
    "and god called the firmament heaven and the evening and the morning were the second day\n"
    "and god said let the waters under the heaven be gathered together unto one place "
    "and let the dry land appear and it was so\n"
    "and god called the dry land earth and the gathering together of the waters called he seas "
    "and god saw that it was good\n";

std::vector<std::string> read_lines(std::istream& in, int64_t max_lines) {
  std::vector<std::string> lines;
  for (std::string line; static_cast<int64_t>(lines.size()) < max_lines && std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Character-level language model (Bengio et al. 2003) trained with tapegrad"};
  std::string corpus;
  int64_t steps = 3000, print_every = 250, batch = 128, context = 5, embedding_dim = 16, hidden_dim = 128;
  int64_t max_lines = 20000, samples = 5, sample_length = 80;
  double lr = 3e-3, temperature = 0.8;
  uint64_t seed = 1;
  app.add_option("corpus", corpus, "Text file, one sentence per line (default: tests/data/tiny_corpus.txt if "
                                   "present, else a built-in text)");
  app.add_option("--steps", steps, "Training steps")->check(CLI::PositiveNumber);
  app.add_option("--print-every", print_every, "Print the mean loss every this many steps")->check(CLI::PositiveNumber);
  app.add_option("--batch", batch, "Examples per step")->check(CLI::PositiveNumber);
  app.add_option("--context", context, "Characters of context (n)")->check(CLI::PositiveNumber);
  app.add_option("--embedding-dim", embedding_dim, "Width of a character's embedding")->check(CLI::PositiveNumber);
  app.add_option("--hidden", hidden_dim, "Width of the tanh hidden layer")->check(CLI::PositiveNumber);
  app.add_option("--lr", lr, "Adam learning rate")->check(CLI::PositiveNumber);
  app.add_option("--max-lines", max_lines, "Read at most this many lines of the corpus")->check(CLI::PositiveNumber);
  app.add_option("--samples", samples, "Lines to sample at the end")->check(CLI::NonNegativeNumber);
  app.add_option("--sample-length", sample_length, "Longest sampled line")->check(CLI::PositiveNumber);
  app.add_option("--temperature", temperature, "Sampling temperature")->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "Seed of the initialisation, the batches and the samples");
  CLI11_PARSE(app, argc, argv);

  try {
    if (corpus.empty() && std::filesystem::exists("tests/data/tiny_corpus.txt")) corpus = "tests/data/tiny_corpus.txt";
    std::vector<std::string> lines;
    if (corpus.empty()) {
      std::istringstream text(kBuiltInText);
      lines = read_lines(text, max_lines);
    } else {
      std::ifstream file(corpus);
      if (!file) throw tg::Error(fmt::format("char_lm: cannot open corpus = '{}'; expected a readable text file", corpus));
      lines = read_lines(file, max_lines);
    }
    if (lines.empty()) throw tg::ValueError(fmt::format("char_lm: corpus = '{}' has no text; expected lines of text", corpus));

    const char_lm::Vocabulary vocab(lines);
    const char_lm::Examples examples = char_lm::make_examples(lines, vocab, context);
    fmt::print("{}: {} lines, {} characters to predict, {} distinct characters\n",
               corpus.empty() ? "built-in text" : corpus, lines.size(), examples.size(), vocab.size() - 1);

    tg::manual_seed(seed);
    std::mt19937_64 rng(seed);
    char_lm::CharLM model(vocab.size(), context, embedding_dim, hidden_dim);
    tg::optim::Adam adam(model.parameters(), tg::optim::AdamOptions(lr));
    int64_t num_parameters = 0;
    for (const tg::Tensor& p : model.parameters()) num_parameters += p.numel();
    fmt::print("model: context {} chars, embedding {}, hidden {}, {} parameters; Adam lr {}\n", context,
               embedding_dim, hidden_dim, num_parameters, lr);

    // A uniform guess over the characters scores log(V): where the loss starts.
    fmt::print("{:>6}  {:>8}   (log V = {:.3f})\n", "step", "loss", std::log(static_cast<double>(vocab.size())));
    const auto start = std::chrono::steady_clock::now();
    double first_loss = 0, interval_sum = 0, last_mean = 0;
    int64_t interval_count = 0;
    for (int64_t step = 1; step <= steps; ++step) {
      const double loss = char_lm::train_step(model, adam, char_lm::draw_batch(examples, batch, rng));
      if (step == 1) {
        first_loss = loss;
        fmt::print("{:>6}  {:8.4f}\n", step, loss);
      }
      interval_sum += loss;
      ++interval_count;
      if (step % print_every == 0 || step == steps) {
        last_mean = interval_sum / static_cast<double>(interval_count);
        fmt::print("{:>6}  {:8.4f}   (mean of the last {} steps)\n", step, last_mean, interval_count);
        interval_sum = 0;
        interval_count = 0;
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("trained {} steps in {:.1f} s\n\nsamples (temperature {}):\n", steps, seconds, temperature);
    for (int64_t i = 0; i < samples; ++i)
      fmt::print("  {}\n", char_lm::sample_line(model, vocab, sample_length, temperature, rng));

    if (!(last_mean < first_loss)) {
      fmt::print(stderr, "char_lm: the loss did not fall (first step {:.4f}, last steps {:.4f})\n", first_loss,
                 last_mean);
      return 1;
    }
    return 0;
  } catch (const tg::Error& error) {
    fmt::print(stderr, "{}\n", error.what());
    return 1;
  }
}

// A small classifier the way a PyTorch tutorial writes it: an MLP on scikit-learn's
// 8x8 handwritten digits (1,797 images, 10 classes), trained with Adam, evaluated
// with a confusion matrix, saved and loaded back.
//
//   scripts/fetch_digits.sh                 # data/digits.csv.gz (from Debian's python3-sklearn)
//   ./build/examples/digits                 # 30 epochs: test accuracy ~0.97
//   ./build/examples/digits --synthetic     # no download: generated digit-like data
//
// The recipe (bench/digits/digits_torch.py runs the same one in PyTorch):
// pixels / 16, a seeded 1437 / 360 train / test split, Sequential(Linear(64, 128),
// ReLU, Dropout(0.1), Linear(128, 10)), cross entropy, Adam(lr 1e-3), batch 32,
// shuffled every epoch. Exits with status 1 if the test accuracy is below
// --min-accuracy (the test relies on it).
#include <fmt/format.h>
#include <zlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.h>

namespace F = tg::nn::functional;

namespace {

struct Dataset {
  tg::Tensor images;  // float32 (N, 64), pixels scaled to [0, 1]
  tg::Tensor labels;  // int64 (N)
};

// data/digits.csv.gz: one image per line, 64 pixel values in 0..16 then the label.
Dataset read_digits(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw tg::Error(fmt::format("digits: cannot open '{}'; run scripts/fetch_digits.sh", path));
  std::vector<float> pixels;
  std::vector<int64_t> labels;
  char buffer[1024];
  int64_t line_number = 0;
  while (gzgets(file, buffer, sizeof buffer) != nullptr) {
    ++line_number;
    std::string line(buffer);
    if (line.find_first_not_of(" \r\n") == std::string::npos) continue;
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream fields(line);
    std::vector<double> values;
    for (double v; fields >> v;) values.push_back(v);
    if (values.size() != 65 || values[64] < 0 || values[64] > 9) {
      gzclose(file);
      throw tg::Error(fmt::format("digits: '{}' line {} has {} values; expected 64 pixels and a label in 0..9",
                                  path, line_number, values.size()));
    }
    for (int i = 0; i < 64; ++i) pixels.push_back(static_cast<float>(values[i] / 16.0));
    labels.push_back(static_cast<int64_t>(values[64]));
  }
  gzclose(file);
  const auto n = static_cast<int64_t>(labels.size());
  return {tg::from_vector(pixels, {n, 64}), tg::from_vector(labels, {n})};
}

// Digit-like data without the download: each class is a random 8x8 on/off pattern, and
// each image a faint copy of it under uniform pixel noise, so that classes overlap
// about as much as the real digits do (~0.93 test accuracy after 8 epochs).
Dataset synthetic_digits(int64_t n) {
  const tg::Tensor prototypes = (tg::rand({10, 64}) > 0.6).to(tg::kFloat32);
  const tg::Tensor labels = tg::randint(10, {n});
  const tg::Tensor noise = tg::rand({n, 64});
  const tg::Tensor images = tg::index_select(prototypes, 0, labels) * 0.2 + noise * 0.8;
  return {images, labels};
}

tg::nn::Sequential make_model() {
  return tg::nn::Sequential(tg::nn::Linear(64, 128), tg::nn::ReLU(), tg::nn::Dropout(0.1), tg::nn::Linear(128, 10));
}

// Predicted classes for every image, in evaluation mode and without recording.
tg::Tensor predict(tg::nn::Sequential& net, const tg::Tensor& images) {
  tg::NoGradGuard no_grad;
  net.eval();
  tg::Tensor classes = net(images).argmax(1);
  net.train();
  return classes;
}

double accuracy(const tg::Tensor& predicted, const tg::Tensor& labels) {
  return labels.numel() == 0 ? 0.0 : (predicted == labels).to(tg::kFloat64).mean().item<double>();
}

void print_confusion(const tg::Tensor& predicted, const tg::Tensor& labels) {
  std::vector<std::vector<int>> counts(10, std::vector<int>(10, 0));
  const std::vector<int64_t> p = predicted.to_vector<int64_t>(), y = labels.to_vector<int64_t>();
  for (size_t i = 0; i < p.size(); ++i) ++counts[static_cast<size_t>(y[i])][static_cast<size_t>(p[i])];
  fmt::print("confusion matrix (rows: true digit, columns: predicted)\n     ");
  for (int c = 0; c < 10; ++c) fmt::print("{:>4}", c);
  fmt::print("\n");
  for (int r = 0; r < 10; ++r) {
    fmt::print("{:>4} ", r);
    for (int c = 0; c < 10; ++c) fmt::print("{:>4}", counts[static_cast<size_t>(r)][static_cast<size_t>(c)]);
    fmt::print("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"An MLP on scikit-learn's 8x8 digits, trained with tapegrad"};
  std::string data = "data/digits.csv.gz", save_path = "out/digits.tg";
  int64_t epochs = 30, batch_size = 32, test_size = 360, synthetic_size = 1797;
  double lr = 1e-3, min_accuracy = 0.0;
  uint64_t seed = 0;
  bool synthetic = false, quiet = false;
  int threads = 1;
  app.add_option("--data", data, "digits.csv.gz from scripts/fetch_digits.sh");
  app.add_flag("--synthetic", synthetic, "Train on generated digit-like data (also used when --data is missing)");
  app.add_option("--epochs", epochs)->check(CLI::PositiveNumber);
  app.add_option("--batch-size", batch_size)->check(CLI::PositiveNumber);
  app.add_option("--lr", lr)->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "Seeds the split, the initial weights, the shuffles and dropout");
  app.add_option("--threads", threads, "Intra-op threads (1 matches the PyTorch comparison)")->check(CLI::PositiveNumber);
  app.add_option("--save", save_path, "Where the trained model is saved and loaded back from");
  app.add_option("--min-accuracy", min_accuracy, "Exit with status 1 below this test accuracy");
  app.add_flag("--quiet", quiet, "Print only the summary lines");
  CLI11_PARSE(app, argc, argv);

  tg::set_num_threads(threads);
  tg::manual_seed(seed);
  const bool use_file = !synthetic && std::filesystem::exists(data);
  if (!synthetic && !use_file) fmt::print("{} not found (run scripts/fetch_digits.sh): using synthetic data\n", data);
  const Dataset all = use_file ? read_digits(data) : synthetic_digits(synthetic_size);
  const int64_t n = all.labels.numel(), n_test = std::min(test_size, n / 4), n_train = n - n_test;
  const tg::Tensor order = tg::randperm(n);
  const tg::Tensor train_idx = order.narrow(0, 0, n_train), test_idx = order.narrow(0, n_train, n_test);
  const Dataset train{tg::index_select(all.images, 0, train_idx), tg::index_select(all.labels, 0, train_idx)};
  const Dataset test{tg::index_select(all.images, 0, test_idx), tg::index_select(all.labels, 0, test_idx)};
  fmt::print("{}: {} train / {} test images\n", use_file ? data : "synthetic digits", n_train, n_test);

  tg::nn::Sequential net = make_model();
  if (!quiet) std::cout << net << "\n";
  tg::optim::Adam adam(net.named_parameters(), tg::optim::AdamOptions(lr));

  // Wall time, and process CPU time (on a shared machine, time spent descheduled is not
  // the program's; bench/digits compares CPU times).
  double total_ms = 0, total_cpu_ms = 0;
  for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    const tg::Tensor shuffled = tg::randperm(n_train);
    double loss_sum = 0;
    for (int64_t begin = 0; begin < n_train; begin += batch_size) {
      const tg::Tensor idx = shuffled.narrow(0, begin, std::min(batch_size, n_train - begin));
      const tg::Tensor loss = F::cross_entropy(net(tg::index_select(train.images, 0, idx)),
                                               tg::index_select(train.labels, 0, idx));
      adam.zero_grad();
      loss.backward();
      adam.step();
      loss_sum += loss.item<float>() * static_cast<double>(idx.numel());
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    total_ms += ms;
    total_cpu_ms += 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    if (!quiet) fmt::print("epoch {:>3}  loss {:.4f}  {:.2f} ms\n", epoch, loss_sum / n_train, ms);
  }
  fmt::print("ms_per_epoch {:.3f} cpu {:.3f}\n", total_ms / static_cast<double>(epochs),
             total_cpu_ms / static_cast<double>(epochs));

  const tg::Tensor predicted = predict(net, test.images);
  const double test_accuracy = accuracy(predicted, test.labels);
  fmt::print("test accuracy {:.4f}\n", test_accuracy);
  if (!quiet) print_confusion(predicted, test.labels);

  // Saved and loaded back into a freshly built model: the same predictions.
  const std::filesystem::path parent = std::filesystem::path(save_path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  tg::save(net, save_path);
  tg::nn::Sequential reloaded = make_model();
  tg::load(reloaded, save_path);
  const double reloaded_accuracy = accuracy(predict(reloaded, test.images), test.labels);
  fmt::print("saved to {}; reloaded model's test accuracy {:.4f}\n", save_path, reloaded_accuracy);
  if (reloaded_accuracy != test_accuracy) {
    fmt::print("error: the reloaded model predicts differently\n");
    return 1;
  }
  if (test_accuracy < min_accuracy) {
    fmt::print("error: test accuracy {:.4f} is below --min-accuracy {}\n", test_accuracy, min_accuracy);
    return 1;
  }
  return 0;
}

#pragma once
// What the one-input layers share, written once: calling a layer runs its forward, name()
// is the name PyTorch prints, and a layer built from options keeps them (options()).
//
//   class Dropout : public LayerWithOptions<Dropout, "Dropout", DropoutOptions> {
//    public:
//     explicit Dropout(DropoutOptions options = {});   // checks, then LayerWithOptions(options)
//     Tensor forward(const Tensor& input);
//   };
#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

#include "module.h"

namespace tg::nn {

// A layer's printed name as a template argument: LayerWithOptions<Self, "Dropout", ...>.
template <size_t N> struct LayerName {
  constexpr LayerName(const char (&text)[N]) { std::copy_n(text, N, value); }  // NOLINT: implicit, from a literal
  char value[N];
};

// Self (CRTP) has `Tensor forward(const Tensor&)`.
template <class Self, LayerName Name> class Layer : public Module {
 public:
  Tensor operator()(const Tensor& input) { return static_cast<Self&>(*this).forward(input); }
  std::string name() const override { return Name.value; }
};

template <class Self, LayerName Name, class Options> class LayerWithOptions : public Layer<Self, Name> {
 public:
  // The default applies only to options that have one (Softmax's dim has none).
  explicit LayerWithOptions(Options options = {}) : options_(std::move(options)) {}
  const Options& options() const { return options_; }

 protected:
  Options options_;
};

// A layer that applies a function of the functional API with no options (ReLU, Tanh, ...).
template <class Self, Tensor (*F)(const Tensor&), LayerName Name> class FunctionLayer : public Layer<Self, Name> {
 public:
  Tensor forward(const Tensor& input) { return F(input); }
};

}  // namespace tg::nn

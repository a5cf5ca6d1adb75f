#pragma once
// tg::nn::Dropout: zeroes each element with probability p while training and scales
// the rest by 1 / (1 - p); the identity after eval(). Draws come from the generator
// that tg::manual_seed seeds, so a seeded run drops the same elements.
//
//   tg::nn::Dropout drop(0.1);        // or Dropout(DropoutOptions().p(0.1))
//   y = drop(x);  drop.eval();  drop(x).equal(x)
#include <string>

#include "functional.h"
#include "layer.h"

namespace tg::nn {

class DropoutOptions {
 public:
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: implicit, so Dropout(0.1) reads as PyTorch
  DropoutOptions& p(double v) { p_ = v; return *this; }
  double p() const { return p_; }

 private:
  double p_;
};

class Dropout : public LayerWithOptions<Dropout, "Dropout", DropoutOptions> {
 public:
  // tg::ValueError unless 0 <= p <= 1.
  explicit Dropout(DropoutOptions options = {});
  Tensor forward(const Tensor& input) {
    return functional::dropout(input, functional::DropoutFuncOptions().p(options_.p()).training(is_training()));
  }
  std::string extra_repr() const override;
};

}  // namespace tg::nn

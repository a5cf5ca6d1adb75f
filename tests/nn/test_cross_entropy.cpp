// cross_entropy and log_softmax against PyTorch 1.13.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.h>

#include "../support/golden.h"

namespace F = tg::nn::functional;
using tg::nn::Reduction;

TEST_CASE("cross_entropy with class indices and ignore_index matches PyTorch for mean, sum and none") {
  golden::embedding.check_close(F::log_softmax(golden::embedding.tensor("loss/x"), 1), "loss/log_softmax", 1e-12,
                                1e-12);
  const std::pair<Reduction, const char*> reductions[] = {
      {Reduction::Mean, "mean"}, {Reduction::Sum, "sum"}, {Reduction::None, "none"}};
  for (const auto& [r, tag] : reductions) {
    const tg::Tensor x = golden::embedding.leaf("loss/x");
    const tg::Tensor loss = F::cross_entropy(x, golden::embedding.tensor("loss/target"), r);
    loss.backward(tg::ones_like(loss));
    golden::embedding.check_close(loss, std::string("loss/ce_") + tag, 1e-12, 1e-12);
    golden::embedding.check_close(x.grad(), std::string("loss/ce_") + tag + "_grad", 1e-12, 1e-12);
  }
}

// binary_cross_entropy_with_logits as one op (Note [fused logistic loss] in
// core/logistic.cpp): the forward writes each element's loss and its slope
// sigmoid(x) - y, the backward scales the slope by the incoming gradient. The
// composition it replaces records five nodes and reads the logits in each.
#include <fmt/format.h>

#include "../../core/elementwise.h"
#include "../../core/layout.h"
#include "../../core/logistic.h"
#include "logistic.h"
#include "recording.h"

namespace tg {

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, bool summed) {
  constexpr const char* where = "binary_cross_entropy_with_logits";
  core::check_dense(where, logits);
  core::check_dense(where, target);
  if (!logits.is_floating_point() || target.dtype() != logits.dtype())
    throw TypeError(fmt::format("{}: logits of dtype {} and target of dtype {}; expected one floating dtype for both",
                                where, dtype_name(logits.dtype()), dtype_name(target.dtype())));
  if (logits.sizes() != target.sizes())
    throw ValueError(fmt::format("{}: target has shape {} but logits have shape {}; expected equal shapes", where,
                                 shape_string(target.sizes()), shape_string(logits.sizes())));
  const Tensor x = core::contiguous(logits), y = core::contiguous(target);
  const int64_t n = x.numel();
  const bool records = should_record({logits});
  Tensor losses = core::make_tensor(x.sizes(), x.dtype());
  Tensor slope = records ? core::make_tensor(x.sizes(), x.dtype()) : Tensor();
  Tensor out;
  dispatch_floating(x.dtype(), [&]<class T>() {
    T* loss = static_cast<T*>(losses.raw_data());
    core::logistic_loss(static_cast<const T*>(x.raw_data()), static_cast<const T*>(y.raw_data()), loss,
                        records ? static_cast<T*>(slope.raw_data()) : nullptr, n);
    out = summed ? scalar_tensor(core::sum_to_double(loss, n), x.dtype()) : losses;
  });
  if (!records) return out;
  // d loss / d x = sigmoid(x) - y, times the incoming gradient (one number when summed).
  return record("BinaryCrossEntropyWithLogitsBackward0", out, {logits},
                [slope, summed](const Tensor& grad) -> Gradients {
                  const Tensor g = core::cast(grad, slope.dtype());
                  return {core::binary(core::BinaryOp::Mul, slope, summed ? g.reshape({}) : g)};
                });
}

}  // namespace tg

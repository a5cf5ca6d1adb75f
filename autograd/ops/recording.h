#pragma once
// What every file of autograd/ops/ uses to record an op: the four names below, brought
// into namespace tg once here rather than at the top of each op family. Included by
// the ops' .cpp files only.
#include "../node.h"

namespace tg {

using autograd::Gradients;
using autograd::record;
using autograd::SavedTensor;
using autograd::should_record;

}  // namespace tg

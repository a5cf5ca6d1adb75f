#include "grad_mode.h"

namespace tg {

namespace {
thread_local bool grad_enabled = true;
}

namespace autograd {
bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }
}  // namespace autograd

}  // namespace tg

// TEMPORARY (replaced by the printing work before commit)
#include "print.h"
#include <fmt/format.h>
namespace tg::core {
std::string format_tensor(const Tensor& t, const std::vector<std::string>&) { return fmt::format("tensor(<{}>)", t.numel()); }
}

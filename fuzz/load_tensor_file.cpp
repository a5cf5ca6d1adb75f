// libFuzzer target: tg::load and its kinds ("tensor", "named", "groups") on any bytes.
// A bad file must raise tg::Error; anything else (a crash, a sanitizer report, another
// exception, a hang) is a bug. What loads is then used, as a caller would.
#include <tapegrad/tapegrad.h>

#include "fuzz_input.h"

namespace {
// Uses a loaded tensor the way callers do; to_dense only when its size is modest
// (a huge representable size is refused by the allocator's checked sizes, not here).
void exercise(const tg::Tensor& t) {
  if (!t.is_sparse()) {
    if (t.numel() > 0 && t.dtype() != tg::kBool) (void)t.sum();
    return;
  }
  (void)t.coalesce();
  if (t.numel() <= (int64_t{1} << 20)) (void)t.to_dense();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::as_file(data, size);
  try {
    const tg::serialize::Archive archive = tg::serialize::read_archive(path);
    for (const auto& [name, t] : archive.entries) exercise(t);
    if (archive.kind == "tensor") exercise(tg::load_tensor(path));
    if (archive.kind == "groups") (void)tg::load_groups(path);
    if (archive.kind == "named") {
      tg::Tensor a = tg::zeros({2, 3}), b = tg::zeros({4});
      tg::load(path, tg::NamedTensors{{"a", a}, {"b", b}});
    }
  } catch (const tg::Error&) {
  }
  return 0;
}

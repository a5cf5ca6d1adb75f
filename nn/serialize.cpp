#include "serialize.h"

#include <fmt/format.h>

#include "../core/serialize.h"

namespace tg {

void save(const nn::Module& module, const std::string& path) { save(path, module.state_dict()); }

void load(nn::Module& module, const std::string& path) {
  const NamedTensors entries = load_named(path);
  // load_state_dict validates everything before it copies; the file's name is added
  // to its message, keeping the error's kind.
  const auto message = [&](const Error& e) { return fmt::format("load: '{}' does not fit the module: {}", path, e.what()); };
  try {
    module.load_state_dict(entries);
  } catch (const ValueError& e) {
    throw ValueError(message(e));
  } catch (const Error& e) {
    throw Error(message(e));
  }
}

}  // namespace tg

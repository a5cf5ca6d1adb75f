// Optimizer state in a tapegrad file: the archive kind is "optimizer:<name>", and the
// state dict is flattened to named tensors:
//   param_groups.<g>.params     int64 [n]   positions of the group's parameters
//   param_groups.<g>.<option>   float64 []  each option (flags as 0 / 1)
//   state.<i>.<key>             the state tensor <key> of parameter <i>
#include "serialize.h"

#include <fmt/format.h>

#include <charconv>

#include "../core/layout.h"

namespace tg {

namespace optim {

NamedTensors to_named(const OptimizerStateDict& dict) {
  NamedTensors named;
  for (size_t g = 0; g < dict.param_groups.size(); ++g) {
    const OptimizerStateDict::Group& group = dict.param_groups[g];
    named.emplace_back(fmt::format("param_groups.{}.params", g),
                       from_vector(group.params, {static_cast<int64_t>(group.params.size())}));
    for (const auto& [option, value] : group.options)
      named.emplace_back(fmt::format("param_groups.{}.{}", g, option), scalar_tensor(value, kFloat64));
  }
  for (const auto& [index, state] : dict.state)
    for (const auto& [key, tensor] : state) named.emplace_back(fmt::format("state.{}.{}", index, key), tensor);
  return named;
}

namespace {
// "param_groups.3.lr" -> ("param_groups", 3, "lr")
bool split_key(const std::string& key, std::string& section, int64_t& index, std::string& rest) {
  const size_t first = key.find('.');
  if (first == std::string::npos) return false;
  const size_t second = key.find('.', first + 1);
  if (second == std::string::npos || second + 1 >= key.size()) return false;
  section = key.substr(0, first);
  const char* begin = key.data() + first + 1;
  const char* end = key.data() + second;
  const auto [ptr, ec] = std::from_chars(begin, end, index);
  if (ec != std::errc() || ptr != end || index < 0) return false;
  rest = key.substr(second + 1);
  return true;
}
}  // namespace

OptimizerStateDict from_named(const std::string& optimizer, const NamedTensors& named) {
  OptimizerStateDict dict;
  dict.optimizer = optimizer;
  for (const auto& [key, tensor] : named) {
    std::string section, rest;
    int64_t index = 0;
    if (!split_key(key, section, index, rest) || (section != "param_groups" && section != "state"))
      throw Error(fmt::format("load: optimizer state has an entry '{}'; expected 'param_groups.<g>.<option>' or "
                              "'state.<i>.<key>'", key));
    if (section == "state") {
      dict.state[index][rest] = tensor;
      continue;
    }
    // Groups are written in order, so a well-formed file never skips an index.
    if (index > static_cast<int64_t>(dict.param_groups.size()))
      throw Error(fmt::format("load: optimizer state entry '{}' skips a group; expected groups in order", key));
    if (index == static_cast<int64_t>(dict.param_groups.size())) dict.param_groups.emplace_back();
    OptimizerStateDict::Group& group = dict.param_groups[index];
    if (tensor.is_sparse() || (rest == "params" ? tensor.dim() != 1 : tensor.numel() != 1))
      throw Error(fmt::format("load: optimizer state entry '{}' has shape {}; expected {}", key,
                              shape_string(tensor.sizes()), rest == "params" ? "a list of positions" : "one number"));
    if (rest == "params") group.params = core::cast(tensor, kInt64).to_vector<int64_t>();
    else group.options.emplace_back(rest, core::cast(tensor, kFloat64).item<double>());
  }
  return dict;
}

}  // namespace optim

void save(const std::string& path, const optim::Optimizer& optimizer) {
  serialize::write_archive(path, {"optimizer:" + optimizer.name(), optim::to_named(optimizer.state_dict())});
}

void load(const std::string& path, optim::Optimizer& optimizer) {
  const serialize::Archive archive = serialize::read_archive(path);
  const std::string prefix = "optimizer:";
  if (archive.kind.rfind(prefix, 0) != 0)
    throw Error(fmt::format("load: '{}' holds '{}'; expected the state of an optimizer ({})", path, archive.kind,
                            optimizer.name()));
  optimizer.load_state_dict(optim::from_named(archive.kind.substr(prefix.size()), archive.entries));
}

}  // namespace tg

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
    // Positions are whole numbers: a float tensor here (NaN, 1e300) has no int64 value.
    if (rest == "params" && tensor.dtype() != kInt64)
      throw Error(fmt::format("load: optimizer state entry '{}' has dtype {}; expected torch.int64 positions", key,
                              dtype_name(tensor.dtype())));
    if (rest == "params") group.params = tensor.to_vector<int64_t>();
    else group.options.emplace_back(rest, core::cast(tensor, kFloat64).item<double>());
  }
  return dict;
}

}  // namespace optim

namespace {

int64_t parameter_count(const optim::Optimizer& optimizer) {
  int64_t count = 0;
  for (const optim::ParamGroup& group : optimizer.param_groups()) count += static_cast<int64_t>(group.params().size());
  return count;
}

// Note [Checked optimizer state]: load_state_dict checks what the optimizer needs
// (groups, shapes, options); a file is also checked for what only damage or forgery
// produces: positions that name no parameter or name one twice, state for a parameter
// that does not exist, and second moments (exp_avg_sq, max_exp_avg_sq, Adagrad's sum)
// that are negative or NaN, which make the next step's square root NaN.
void check_state(const std::string& path, const optim::OptimizerStateDict& dict, const optim::Optimizer& optimizer) {
  const int64_t count = parameter_count(optimizer);
  std::vector<bool> seen(static_cast<size_t>(count), false);
  for (size_t g = 0; g < dict.param_groups.size(); ++g)
    for (const int64_t position : dict.param_groups[g].params) {
      if (position < 0 || position >= count)
        throw IndexError(fmt::format("load: '{}' lists parameter {} of {} in group {}; expected positions 0 to {}",
                                     path, position, count, g, count - 1));
      if (seen[static_cast<size_t>(position)])
        throw Error(fmt::format("load: '{}' lists parameter {} twice; expected each position once", path, position));
      seen[static_cast<size_t>(position)] = true;
    }
  for (const auto& [index, state] : dict.state) {
    if (index >= count)
      throw IndexError(fmt::format("load: '{}' holds state for parameter {} of {}; expected positions 0 to {}", path,
                                   index, count, count - 1));
    for (const char* key : {"exp_avg_sq", "max_exp_avg_sq", "sum"}) {
      const auto it = state.find(key);
      if (it == state.end() || !it->second.defined() || it->second.is_sparse()) continue;
      const std::vector<double> values = core::cast(it->second, kFloat64).contiguous().to_vector<double>();
      for (size_t i = 0; i < values.size(); ++i)
        if (!(values[i] >= 0))
          throw ValueError(fmt::format("load: '{}' state.{}.{} holds {} at element {}; expected values >= 0 (a "
                                       "running sum of squares is never negative)", path, index, key, values[i], i));
    }
  }
}

const std::string kOptimizerPrefix = "optimizer:";

optim::OptimizerStateDict state_from_archive(const std::string& path, const std::string& kind,
                                             const NamedTensors& entries, const optim::Optimizer& optimizer) {
  if (kind.rfind(kOptimizerPrefix, 0) != 0)
    throw Error(fmt::format("load: '{}' holds {}; expected the state of an optimizer ({})", path,
                            serialize::printable(kind), optimizer.name()));
  optim::OptimizerStateDict dict = optim::from_named(kind.substr(kOptimizerPrefix.size()), entries);
  check_state(path, dict, optimizer);
  return dict;
}

}  // namespace

void save(const std::string& path, const optim::Optimizer& optimizer) {
  serialize::write_archive(path, {kOptimizerPrefix + optimizer.name(), optim::to_named(optimizer.state_dict())});
}

void load(const std::string& path, optim::Optimizer& optimizer) {
  const serialize::Archive archive = serialize::read_archive(path);
  optimizer.load_state_dict(state_from_archive(path, archive.kind, archive.entries, optimizer));
}

void save_checkpoint(const std::string& path, const NamedTensors& model, const optim::Optimizer& optimizer,
                     const NamedTensors& extra) {
  TensorGroups groups{{"model", model}, {kOptimizerPrefix + optimizer.name(), optim::to_named(optimizer.state_dict())}};
  if (!extra.empty()) groups.emplace_back("extra", extra);
  save_groups(path, groups);
}

NamedTensors load_checkpoint(const std::string& path, const NamedTensors& model, optim::Optimizer& optimizer) {
  TensorGroups groups = load_groups(path);
  const NamedTensors* saved_model = nullptr;
  const std::pair<std::string, NamedTensors>* saved_optimizer = nullptr;
  NamedTensors extra;
  for (auto& group : groups) {
    if (group.first == "model") saved_model = &group.second;
    else if (group.first.rfind(kOptimizerPrefix, 0) == 0 && !saved_optimizer) saved_optimizer = &group;
    else if (group.first == "extra") extra = group.second;
    else
      throw Error(fmt::format("load: '{}' has a group {}; expected a checkpoint's 'model', 'optimizer:<name>' and "
                              "'extra'", path, serialize::printable(group.first)));
  }
  // An optimizer group is always written (its param_groups entries exist even before
  // the first step) and a model group whenever the model has parameters.
  if (!saved_optimizer)
    throw Error(fmt::format("load: '{}' has no optimizer state; expected a checkpoint written by save_checkpoint",
                            path));
  const NamedTensors none;
  const std::vector<Tensor> sources = serialize::match_targets(path, saved_model ? *saved_model : none, model);
  // Everything is checked before anything changes: load_state_dict refuses without
  // touching the optimizer, and after it the parameters' copies cannot fail.
  optimizer.load_state_dict(state_from_archive(path, saved_optimizer->first, saved_optimizer->second, optimizer));
  serialize::copy_into_targets(sources, model);
  return extra;
}

}  // namespace tg

// The optimizer base: groups, validation, step's check-then-update order, zero_grad
// and state dicts. The maths lives in each optimizer's file.
#include "optimizer.h"

#include <fmt/format.h>

#include <cmath>
#include <unordered_set>

#include "../autograd/accumulate.h"
#include "../autograd/grad_mode.h"
#include "../core/layout.h"
#include "../core/sparse.h"

namespace tg::optim {

// ---- ParamGroup

ParamGroup::ParamGroup(std::vector<Tensor> params)
    : params_(std::move(params)), names_(params_.size()) {}

ParamGroup::ParamGroup(std::vector<Tensor> params, const OptimizerOptions& options)
    : params_(std::move(params)), names_(params_.size()), options_(options.clone()) {}

ParamGroup::ParamGroup(NamedTensors named_params) {
  for (auto& [name, param] : named_params) {
    names_.push_back(std::move(name));
    params_.push_back(std::move(param));
  }
}

ParamGroup::ParamGroup(NamedTensors named_params, const OptimizerOptions& options)
    : ParamGroup(std::move(named_params)) {
  options_ = options.clone();
}

ParamGroup::ParamGroup(const ParamGroup& other)
    : params_(other.params_), names_(other.names_), options_(other.options_ ? other.options_->clone() : nullptr) {}

ParamGroup& ParamGroup::operator=(const ParamGroup& other) {
  if (this != &other) {
    params_ = other.params_;
    names_ = other.names_;
    options_ = other.options_ ? other.options_->clone() : nullptr;
  }
  return *this;
}

OptimizerOptions& ParamGroup::options() {
  if (!options_) throw Error("ParamGroup: this group has no options yet; they are set when it is added to an optimizer");
  return *options_;
}

const OptimizerOptions& ParamGroup::options() const { return const_cast<ParamGroup*>(this)->options(); }

// ---- shared checks

Tensor step_tensor(int64_t step) { return scalar_tensor(static_cast<double>(step), kInt64); }

int64_t step_from(const char* where, const std::map<std::string, Tensor>& state) {
  const auto it = state.find("step");
  if (it == state.end()) throw Error(fmt::format("{}: the loaded state has no 'step'; expected one", where));
  const Tensor& step = it->second;
  if (!step.defined() || step.is_sparse() || step.numel() != 1)
    throw Error(fmt::format("{}: the loaded 'step' is not a single number; expected a 0-d tensor", where));
  const double value = core::cast(step, kFloat64).item<double>();
  if (!(value >= 0) || value != std::floor(value) || value >= 0x1p63)  // the last: no int64 holds it
    throw Error(fmt::format("{}: the loaded step = {} is invalid; expected a whole number >= 0", where, value));
  return static_cast<int64_t>(value);
}

Tensor state_like(const char* where, const std::map<std::string, Tensor>& state, const std::string& key,
                  const Tensor& param) {
  const auto it = state.find(key);
  if (it == state.end()) throw Error(fmt::format("{}: the loaded state has no '{}'; expected one", where, key));
  const Tensor& value = it->second;
  if (!value.defined() || value.is_sparse() || value.sizes() != param.sizes())
    throw Error(fmt::format("{}: the loaded '{}' has shape {}; expected a dense tensor of the parameter's shape {}",
                            where, key, value.defined() ? shape_string(value.sizes()) : "(undefined)",
                            shape_string(param.sizes())));
  return core::clone(core::cast(value, param.dtype()));
}

// ---- Optimizer

Optimizer::Optimizer(std::string name, const OptimizerOptions& defaults)
    : name_(std::move(name)), defaults_(defaults.clone()) {}

void Optimizer::add_param_groups(const ParamGroups& params) {
  const std::vector<ParamGroup>& groups = params.groups;
  validate(*defaults_);
  size_t total = 0;
  for (const ParamGroup& group : groups) total += group.params().size();
  if (total == 0)
    throw ValueError(fmt::format("{}: optimizer got an empty parameter list; expected at least one tensor", name_));
  for (const ParamGroup& group : groups) add_param_group(group);
}

void Optimizer::add_param_group(const ParamGroup& group_in) {
  ParamGroup group = group_in;
  if (!group.has_options()) group.set_options(defaults_->clone());
  validate(group.options());
  std::unordered_set<const TensorImpl*> seen_here, seen_before;
  for (const ParamGroup& other : groups_)
    for (const Tensor& p : other.params()) seen_before.insert(p.impl());
  for (size_t i = 0; i < group.params().size(); ++i) {
    const Tensor& p = group.params()[i];
    const std::string where = fmt::format("{}: params[{}] of the new group", name_, i);
    if (!p.defined())
      throw TypeError(fmt::format("{} is an undefined tensor; optimizer can only optimize Tensors", where));
    if (!p.is_leaf())
      throw ValueError(fmt::format("{} is not a leaf (it is the output of {}); can't optimize a non-leaf Tensor. "
                                   "Optimize the leaf it was computed from, or detach() it",
                                   where, p.grad_fn_name()));
    if (!p.is_floating_point())
      throw TypeError(fmt::format("{} has dtype {}; expected a floating point parameter", where,
                                  dtype_name(p.dtype())));
    if (seen_before.count(p.impl()))
      throw ValueError(fmt::format("{}: some parameters appear in more than one parameter group; {} is already "
                                   "in an earlier group", name_, where));
    // PyTorch only warns here, then steps the tensor twice per step(); refusing is kinder.
    if (!seen_here.insert(p.impl()).second)
      throw ValueError(fmt::format("{} appears twice in the group; expected each parameter once", where));
    check_param(p);
  }
  for (const Tensor& p : group.params()) on_param_added(p, group.options());
  groups_.push_back(std::move(group));
}

std::string Optimizer::describe(const Tensor& param) const {
  int64_t position = 0;
  for (size_t g = 0; g < groups_.size(); ++g)
    for (size_t i = 0; i < groups_[g].params().size(); ++i, ++position) {
      if (!groups_[g].params()[i].is_same(param)) continue;
      std::string name = groups_[g].param_names()[i];
      if (name.empty()) name = param.name();
      if (!name.empty()) return fmt::format("{}: parameter '{}'", name_, name);
      return fmt::format("{}: parameter {} (group {}, index {})", name_, position, g, i);
    }
  return fmt::format("{}: parameter", name_);
}

void Optimizer::validate(const OptimizerOptions& options) const {
  options.for_each_field([&](const OptionField& field) {
    const double v = field.value;
    if (field.rule == OptionRule::non_negative && !(v >= 0))
      throw ValueError(fmt::format("{}: {} = {} is invalid; expected {} >= 0", name_, field.name, v, field.name));
    if (field.rule == OptionRule::positive && !(v > 0))
      throw ValueError(fmt::format("{}: {} = {} is invalid; expected {} > 0", name_, field.name, v, field.name));
    // Named as PyTorch names them: "beta1" is betas[0].
    if (field.rule == OptionRule::beta && !(v >= 0 && v < 1))
      throw ValueError(fmt::format("{}: betas[{}] = {} is invalid; expected 0 <= {} < 1", name_,
                                   field.name[4] - '1', v, field.name));
  });
  check_options(options);
}

void Optimizer::check_sparse_without_decay(const Tensor& param, const Tensor& grad, double weight_decay) const {
  if (grad.is_sparse() && weight_decay != 0)
    throw Error(fmt::format("{} has a sparse gradient, which cannot be combined with weight_decay = {}: the "
                            "weight_decay option is not compatible with sparse gradients, since decay changes every "
                            "row while a sparse step only touches the rows in the gradient; expected weight_decay = "
                            "0. Put this parameter in a param group with weight_decay = 0, or use dense gradients "
                            "(Embedding with sparse = false)", describe(param), weight_decay));
}

Tensor Optimizer::step(const std::function<Tensor()>& closure) {
  Tensor loss;
  if (closure) {
    EnableGradGuard enable_grad;
    loss = closure();
  }
  std::vector<Update> updates;
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params())
      if (p.grad().defined()) updates.push_back({p, p.grad(), &group.options()});
  apply(updates);
  return loss;
}

// Note [Hogwild steps]
// step_with may be called from several threads at once on one optimizer, each with
// the gradients of its own graph (tg::autograd::grad), as word2vec and fastText train:
// - Parameter rows are updated in place without locks. Two threads touching one row
//   at the same moment may lose part of an update; with sparse gradients over a large
//   table this is rare and harmless to convergence (Hogwild, Niu et al. 2011). Dense
//   gradients race on every element; that still runs, but it is rarely what you want.
// - Optimizer state is shared: Adagrad's sums and SparseAdam's moments are updated row
//   by row like the parameters; step counts are incremented atomically, so each call
//   sees its own t; lazily created records are made under a mutex.
// - Not supported concurrently: SGD with momentum (its sparse buffer is replaced as a
//   whole each step), and changing groups or loading state while threads step. An lr
//   set by a scheduler while others step is read by each call as it finds it.
void Optimizer::step_with(const std::vector<Tensor>& grads) {
  size_t count = 0;
  for (const ParamGroup& group : groups_) count += group.params().size();
  if (grads.size() != count)
    throw ValueError(fmt::format("{}.step_with: got {} gradients; expected one per parameter ({}), undefined "
                                 "for a parameter without one", name_, grads.size(), count));
  std::vector<Update> updates;
  size_t i = 0;
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params()) {
      const Tensor& grad = grads[i++];
      if (grad.defined()) updates.push_back({p, grad, &group.options()});
    }
  apply(updates);
}

// Every option and gradient is checked before any parameter changes, so a refused step
// leaves all parameters and state as they were. Only reads the groups: safe to run
// from several threads at once (Note [Hogwild steps]).
void Optimizer::apply(const std::vector<Update>& updates) {
  NoGradGuard no_grad;
  for (const ParamGroup& group : groups_) validate(group.options());
  for (const Update& u : updates) {
    if (u.grad.sizes() != u.param.sizes())
      throw ValueError(fmt::format("{} has a gradient of shape {}; expected the parameter's shape {}",
                                   describe(u.param), shape_string(u.grad.sizes()), shape_string(u.param.sizes())));
    check_grad(u.param, u.grad, *u.options);
  }
  for (const Update& u : updates) {
    update(u.param, u.grad, *u.options);
    u.param.bump_version();
  }
}

void Optimizer::zero_grad(bool set_to_none) {
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params()) autograd::zero_grad(p, set_to_none);
}

OptimizerStateDict Optimizer::state_dict() const {
  OptimizerStateDict dict;
  dict.optimizer = name_;
  int64_t position = 0;
  for (const ParamGroup& group : groups_) {
    OptimizerStateDict::Group saved;
    group.options().for_each_field(
        [&](const OptionField& field) { saved.options.emplace_back(field.name, field.value); });
    for (const Tensor& p : group.params()) {
      std::map<std::string, Tensor> state = save_state(p);
      if (!state.empty()) dict.state[position] = std::move(state);
      saved.params.push_back(position++);
    }
    dict.param_groups.push_back(std::move(saved));
  }
  return dict;
}

void Optimizer::load_state_dict(const OptimizerStateDict& dict) {
  const std::string where = name_ + ".load_state_dict";
  if (dict.optimizer != name_)
    throw Error(fmt::format("{}: the state was saved by {}; expected state saved by {}", where, dict.optimizer, name_));
  if (dict.param_groups.size() != groups_.size())
    throw ValueError(fmt::format("{}: loaded state dict has a different number of parameter groups: {}; expected {}",
                                 where, dict.param_groups.size(), groups_.size()));
  // Check everything on copies first: a refused load leaves the optimizer as it was.
  std::vector<std::unique_ptr<OptimizerOptions>> new_options;
  std::vector<int64_t> first_position;
  int64_t position = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const OptimizerStateDict::Group& saved = dict.param_groups[g];
    if (saved.params.size() != groups_[g].params().size())
      throw ValueError(fmt::format("{}: loaded state dict contains a parameter group that doesn't match the size of "
                                   "optimizer's group: group {} has {} parameters; expected {}",
                                   where, g, saved.params.size(), groups_[g].params().size()));
    std::unique_ptr<OptimizerOptions> options = groups_[g].options().clone();
    for (const auto& [key, value] : saved.options)
      if (!options->set_field(key, value))
        throw Error(fmt::format("{}: group {} has an unknown option '{}'", where, g, key));
    validate(*options);
    new_options.push_back(std::move(options));
    first_position.push_back(position);
    position += static_cast<int64_t>(saved.params.size());
  }
  for (const auto& [index, state] : dict.state)
    if (index < 0 || index >= position)
      throw IndexError(fmt::format("{}: state for parameter {} is out of range; expected [0, {})", where, index,
                                   position));
  // load_state checks one parameter's state before changing its record; if a later
  // parameter's state is refused, the earlier ones are put back from this backup.
  const OptimizerStateDict backup = state_dict();
  auto load_all = [this](const OptimizerStateDict& from) {
    for (size_t g = 0; g < groups_.size(); ++g) {
      const std::vector<int64_t>& saved_positions = from.param_groups[g].params;
      for (size_t i = 0; i < saved_positions.size(); ++i) {
        const auto it = from.state.find(saved_positions[i]);
        load_state(groups_[g].params()[i], it == from.state.end() ? std::map<std::string, Tensor>{} : it->second);
      }
    }
  };
  try {
    load_all(dict);
  } catch (...) {
    load_all(backup);
    throw;
  }
  for (size_t g = 0; g < groups_.size(); ++g) groups_[g].set_options(std::move(new_options[g]));
}

}  // namespace tg::optim

#pragma once
// tg::optim::Optimizer: what SGD, SparseAdam, Adagrad and Adam share. Parameters are
// organised in groups, each with its own options; state lives in one record per
// parameter, created lazily on the first step that finds a gradient.
//
//   tg::optim::SGD sgd({weight}, tg::optim::SGDOptions(0.1).momentum(0.9));
//   loss.backward(); sgd.step(); sgd.zero_grad();
//   sgd.param_groups()[0].set_lr(0.01);   // read again at every step
//
// Optimizers see tensors, never modules (optim/ does not include nn/): pass
// module.parameters(), or module.named_parameters() to have names in messages.
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../core/serialize.h"
#include "../core/tensor.h"
#include "options.h"

namespace tg::optim {

// Parameters that share one set of options. A group built without options takes the
// optimizer's defaults when it is added.
class ParamGroup {
 public:
  ParamGroup(std::vector<Tensor> params);  // NOLINT: implicit, as a list of tensors is a group
  ParamGroup(std::vector<Tensor> params, const OptimizerOptions& options);
  ParamGroup(NamedTensors named_params);  // NOLINT
  ParamGroup(NamedTensors named_params, const OptimizerOptions& options);
  ParamGroup(const ParamGroup& other);
  ParamGroup& operator=(const ParamGroup& other);
  ParamGroup(ParamGroup&&) = default;
  ParamGroup& operator=(ParamGroup&&) = default;

  const std::vector<Tensor>& params() const { return params_; }
  // "" for a parameter given without a name; messages then use its position.
  const std::vector<std::string>& param_names() const { return names_; }
  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  double lr() const { return options().get_lr(); }
  void set_lr(double lr) { options().set_lr(lr); }

 private:
  std::vector<Tensor> params_;
  std::vector<std::string> names_;
  std::unique_ptr<OptimizerOptions> options_;
};

// The parameters an optimizer is built with, in any of libtorch's forms: groups, a list
// of tensors ({w, b}, module.parameters()) or named tensors ({{"w", w}},
// module.named_parameters()); a list is one group. Every optimizer takes this one type.
struct ParamGroups {
  ParamGroups(std::vector<ParamGroup> list) : groups(std::move(list)) {}  // NOLINT: implicit, as below
  ParamGroups(std::initializer_list<ParamGroup> list) : groups(list) {}   // NOLINT
  ParamGroups(std::vector<Tensor> params) : groups{ParamGroup(std::move(params))} {}  // NOLINT
  ParamGroups(std::initializer_list<Tensor> params) : ParamGroups(std::vector<Tensor>(params)) {}  // NOLINT
  ParamGroups(NamedTensors params) : groups{ParamGroup(std::move(params))} {}  // NOLINT
  ParamGroups(std::initializer_list<NamedTensors::value_type> params)  // NOLINT
      : ParamGroups(NamedTensors(params)) {}

  std::vector<ParamGroup> groups;
};

// What state_dict() returns, PyTorch's layout: parameters are numbered 0, 1, ... in
// group order, and "state" holds only parameters that have state.
struct OptimizerStateDict {
  struct Group {
    std::vector<std::pair<std::string, double>> options;  // flags as 0 / 1
    std::vector<int64_t> params;                           // positions
  };
  std::string optimizer;  // "SGD": state is refused by another kind of optimizer
  std::vector<Group> param_groups;
  std::map<int64_t, std::map<std::string, Tensor>> state;  // "step" is a 0-d int64 tensor
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Updates every parameter that has a gradient; parameters without one are skipped
  // (no state is created or advanced). The closure, if given, runs first with grad
  // enabled and its value is returned. Every gradient is checked before any parameter
  // changes, so a refused step leaves all parameters and state as they were.
  Tensor step(const std::function<Tensor()>& closure = nullptr);
  // The same update with explicit gradients instead of each parameter's .grad: grads[i]
  // belongs to the i-th parameter counting through the groups in order (undefined =
  // no gradient, skipped). With tg::autograd::grad this lets several threads train one
  // set of parameters without touching a shared .grad (see Note [Hogwild steps]).
  void step_with(const std::vector<Tensor>& grads);
  // set_to_none = false zeroes in place; a sparse gradient stays sparse with nnz 0.
  void zero_grad(bool set_to_none = true);
  void add_param_group(const ParamGroup& group);
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  const OptimizerOptions& defaults() const { return *defaults_; }
  const std::string& name() const { return name_; }

  OptimizerStateDict state_dict() const;
  // Maps saved positions onto this optimizer's parameters; the number of groups and
  // of parameters per group must match, and state shapes must match the parameters.
  void load_state_dict(const OptimizerStateDict& dict);

 protected:
  Optimizer(std::string name, const OptimizerOptions& defaults);
  // Derived constructors call this (virtual hooks do not dispatch from a base constructor).
  void add_param_groups(const ParamGroups& params);

  // "SGD: parameter 'emb.weight'" or "SGD: parameter 2 (group 0, index 2)".
  std::string describe(const Tensor& param) const;

  // ValueError for an invalid combination of options (SGD's nesterov); runs after every
  // field passed its OptionRule, at the same times.
  virtual void check_options(const OptimizerOptions& options) const { (void)options; }
  virtual void check_param(const Tensor& param) const { (void)param; }
  virtual void on_param_added(const Tensor& param, const OptimizerOptions& options) {
    (void)param, (void)options;
  }
  // Throws when this gradient cannot be used (sparse for Adam, dense for SparseAdam, ...).
  virtual void check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const = 0;
  // The refusal of a sparse gradient with weight_decay != 0, for check_grad.
  void check_sparse_without_decay(const Tensor& param, const Tensor& grad, double weight_decay) const;
  // Runs under NoGradGuard with a grad that passed check_grad.
  virtual void update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) = 0;
  // The parameter's state as named tensors; empty when it has none.
  virtual std::map<std::string, Tensor> save_state(const Tensor& param) const = 0;
  virtual void load_state(const Tensor& param, const std::map<std::string, Tensor>& state) = 0;

  // Guards the creation of per-parameter records that update() makes lazily, so
  // concurrent step_with calls never insert into a SlotMap at the same time.
  std::mutex& state_mutex() const { return state_mutex_; }

 private:
  // One parameter's gradient in this step, with its group's options.
  struct Update {
    Tensor param, grad;
    const OptimizerOptions* options;
  };
  // step() and step_with(): checks every option and gradient, then updates.
  void apply(const std::vector<Update>& updates);
  // ValueError naming the option: every field's OptionRule, then check_options.
  void validate(const OptimizerOptions& options) const;

  mutable std::mutex state_mutex_;
  std::string name_;
  std::unique_ptr<OptimizerOptions> defaults_;
  std::vector<ParamGroup> groups_;
};

// Per-parameter records keyed by the parameter's identity (its handle's impl), so a
// record follows its tensor whatever the order of groups and lists.
template <class Slot> using SlotMap = std::unordered_map<const TensorImpl*, Slot>;

// 0-d int64 tensor holding a step count, and its inverse with checks.
Tensor step_tensor(int64_t step);
int64_t step_from(const char* where, const std::map<std::string, Tensor>& state);
// state[key], checked to be dense with param's shape, cast to param's dtype and cloned.
Tensor state_like(const char* where, const std::map<std::string, Tensor>& state, const std::string& key,
                  const Tensor& param);

// Note [Step and moment state]
// Adam, AdamW, RMSprop and SparseAdam keep, per parameter, a step count and dense tensors
// like the parameter. Their record names those tensors once, in PyTorch's state names:
//   struct AdamSlot {
//     int64_t step = 0;
//     Tensor exp_avg, ...;
//     template <class S, class F> static void tensors(S& slot, F&& f) { f("exp_avg", slot.exp_avg, true); ... }
//   };
// (true: there whenever the parameter has state; false: only once an option asked for
// it), and OptimizerWithMoments saves "step" and every defined tensor, and loads them back
// checked against the parameter; an empty saved state clears the parameter's.
template <class SlotType> class OptimizerWithMoments : public Optimizer {
 protected:
  using Slot = SlotType;
  using Optimizer::Optimizer;

  std::map<std::string, Tensor> save_state(const Tensor& param) const override {
    const auto it = slots_.find(param.impl());
    if (it == slots_.end()) return {};
    std::map<std::string, Tensor> state{{"step", step_tensor(it->second.step)}};
    Slot::tensors(it->second, [&](const char* name, const Tensor& t, bool) {
      if (t.defined()) state[name] = t;
    });
    return state;
  }
  void load_state(const Tensor& param, const std::map<std::string, Tensor>& state) override {
    if (state.empty()) {
      slots_.erase(param.impl());
      return;
    }
    const std::string where = describe(param) + " load_state_dict";
    Slot slot;
    slot.step = step_from(where.c_str(), state);
    Slot::tensors(slot, [&](const char* name, Tensor& t, bool always) {
      if (always || state.count(name)) t = state_like(where.c_str(), state, name, param);
    });
    slots_[param.impl()] = std::move(slot);
  }

  SlotMap<Slot> slots_;
};

}  // namespace tg::optim

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
#include <map>
#include <memory>
#include <mutex>
#include <type_traits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../core/serialize.h"
#include "../core/tensor.h"

namespace tg::optim {

// What an option's value must be: checked when a group is added, on load and at every
// step (lr may have been set since).
enum class OptionRule { any, non_negative, positive, beta };

// One option as state dicts and validation see it; a flag reads as 0 / 1.
struct OptionField {
  const char* name;
  double value;
  OptionRule rule;
};

// Base of SGDOptions, AdamOptions, ...: lets a param group hold any optimizer's options.
struct OptimizerOptions {
  virtual ~OptimizerOptions() = default;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  // visit(field) for every option, in the order state dicts list them (betas appear as
  // beta1, beta2).
  virtual void for_each_field(const std::function<void(const OptionField&)>& visit) const = 0;
  // Sets the option called `name` (a flag from 0 / 1); false when there is none.
  virtual bool set_field(const std::string& name, double value) = 0;
};

// OptimizerOptions for Options from its one list of fields, a static member
//   template <class Self, class Field> static void fields(Self& o, Field&& field) {
//     field("lr", o.lr_, OptionRule::non_negative);  ...
//   }
// called with a const Self to read and a mutable one to set; get_lr / set_lr use the
// lr() getter and setter every optimizer's options have.
template <class Options> struct OptionsWithFields : OptimizerOptions {
  double get_lr() const override { return self().lr(); }
  void set_lr(double lr) override { self().lr(lr); }
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<Options>(self()); }
  void for_each_field(const std::function<void(const OptionField&)>& visit) const override {
    Options::fields(self(), [&](const char* name, const auto& value, OptionRule rule) {
      visit({name, static_cast<double>(value), rule});
    });
  }
  bool set_field(const std::string& name, double value) override {
    bool found = false;
    Options::fields(self(), [&](const char* field_name, auto& field, OptionRule) {
      if (name != field_name) return;
      field = static_cast<std::remove_reference_t<decltype(field)>>(value);
      found = true;
    });
    return found;
  }

 private:
  const Options& self() const { return static_cast<const Options&>(*this); }
  Options& self() { return static_cast<Options&>(*this); }
};

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
  void add_param_groups(const std::vector<ParamGroup>& groups);

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

}  // namespace tg::optim

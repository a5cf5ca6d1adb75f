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
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../core/serialize.h"
#include "../core/tensor.h"

namespace tg::optim {

// One option as a state dict sees it: a number or a flag, by name.
struct OptionField {
  const char* name;
  double* number = nullptr;  // exactly one of number / flag is set
  bool* flag = nullptr;
};

// Base of SGDOptions, AdamOptions, ...: lets a param group hold any optimizer's options.
struct OptimizerOptions {
  virtual ~OptimizerOptions() = default;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  // Every option, in the order state dicts list them (betas appear as beta1, beta2).
  virtual std::vector<OptionField> fields() = 0;
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

  // ValueError for an invalid option value: called on each group's options when the
  // group is added, on load, and at every step (lr may have been set since).
  virtual void validate(const OptimizerOptions& options) const = 0;
  virtual void check_param(const Tensor& param) const { (void)param; }
  virtual void on_param_added(const Tensor& param, const OptimizerOptions& options) {
    (void)param, (void)options;
  }
  // Throws when this gradient cannot be used (sparse for Adam, dense for SparseAdam, ...).
  virtual void check_grad(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) const = 0;
  // Runs under NoGradGuard with a grad that passed check_grad.
  virtual void update(const Tensor& param, const Tensor& grad, const OptimizerOptions& options) = 0;
  // The parameter's state as named tensors; empty when it has none.
  virtual std::map<std::string, Tensor> save_state(const Tensor& param) const = 0;
  virtual void load_state(const Tensor& param, const std::map<std::string, Tensor>& state) = 0;

  // Guards the creation of per-parameter records that update() makes lazily, so
  // concurrent step_with calls never insert into a SlotMap at the same time.
  std::mutex& state_mutex() const { return state_mutex_; }

 private:
  mutable std::mutex state_mutex_;
  std::string name_;
  std::unique_ptr<OptimizerOptions> defaults_;
  std::vector<ParamGroup> groups_;
};

// Per-parameter records keyed by the parameter's identity (its handle's impl), so a
// record follows its tensor whatever the order of groups and lists.
template <class Slot> using SlotMap = std::unordered_map<const TensorImpl*, Slot>;

// Shared checks with one wording (see STYLE.md §8).
void check_lr(const char* where, double lr, bool allow_zero = true);
void check_non_negative(const char* where, const char* option, double value);
void check_beta(const char* where, int index, double beta);
void check_eps(const char* where, double eps, bool allow_zero);
// 0-d int64 tensor holding a step count, and its inverse with checks.
Tensor step_tensor(int64_t step);
int64_t step_from(const char* where, const std::map<std::string, Tensor>& state);
// state[key], checked to be dense with param's shape, cast to param's dtype and cloned.
Tensor state_like(const char* where, const std::map<std::string, Tensor>& state, const std::string& key,
                  const Tensor& param);

}  // namespace tg::optim

#pragma once
// What an optimizer's options are made of. See Note [Options written once].
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>

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

// Note [Options written once]
// Every option any optimizer has is one mixin below, written once for all of them: its
// value with PyTorch's usual default, libtorch's accessors (`o.eps(1e-6)` sets and returns
// the options for chaining, `o.eps()` reads), and its name and rule in state dicts
// (fields()). An optimizer's options list their mixins in PyTorch's state dict order:
//   struct AdagradOptions
//       : OptionsOf<AdagradOptions, Lr, LrDecay, WeightDecay, InitialAccumulatorValue, Eps, Maximize> {
//     explicit AdagradOptions(double lr = 1e-2) { this->lr(lr).eps(1e-10); }
//   };
// and set a default of their own (lr always, Adagrad's eps, AdamW's weight_decay) in the
// constructor. Validation, state dicts and clone() read the same list (OptionsOf).

// Lr and Eps take the rule their value is checked by (SparseAdam's must be positive);
// the one-parameter aliases below are what option lists name, since a template with a
// defaulted second parameter does not match `template <class> class` before C++17's
// relaxed matching, which clang 14 leaves off by default.
template <class Self, OptionRule Rule> class LrWithRule {
 public:
  Self& lr(double value) {
    lr_ = value;
    return static_cast<Self&>(*this);
  }
  double lr() const { return lr_; }
  template <class F> static void fields(F&& f) { f("lr", &LrWithRule::lr_, Rule); }

 private:
  double lr_ = 0;  // every optimizer's constructor sets its own default
};

template <class Self> class Betas {
 public:
  Self& betas(std::tuple<double, double> value) {
    std::tie(beta1_, beta2_) = value;
    return static_cast<Self&>(*this);
  }
  std::tuple<double, double> betas() const { return {beta1_, beta2_}; }
  template <class F> static void fields(F&& f) {
    f("beta1", &Betas::beta1_, OptionRule::beta);
    f("beta2", &Betas::beta2_, OptionRule::beta);
  }

 private:
  double beta1_ = 0.9, beta2_ = 0.999;
};

template <class Self> using Lr = LrWithRule<Self, OptionRule::non_negative>;

template <class Self, OptionRule Rule> class EpsWithRule {
 public:
  Self& eps(double value) {
    eps_ = value;
    return static_cast<Self&>(*this);
  }
  double eps() const { return eps_; }
  template <class F> static void fields(F&& f) { f("eps", &EpsWithRule::eps_, Rule); }

 private:
  double eps_ = 1e-8;
};

template <class Self> using Eps = EpsWithRule<Self, OptionRule::non_negative>;

template <class Self> class WeightDecay {
 public:
  Self& weight_decay(double value) {
    weight_decay_ = value;
    return static_cast<Self&>(*this);
  }
  double weight_decay() const { return weight_decay_; }
  template <class F> static void fields(F&& f) { f("weight_decay", &WeightDecay::weight_decay_, OptionRule::non_negative); }

 private:
  double weight_decay_ = 0;
};

template <class Self> class Momentum {
 public:
  Self& momentum(double value) {
    momentum_ = value;
    return static_cast<Self&>(*this);
  }
  double momentum() const { return momentum_; }
  template <class F> static void fields(F&& f) { f("momentum", &Momentum::momentum_, OptionRule::non_negative); }

 private:
  double momentum_ = 0;
};

template <class Self> class Maximize {
 public:
  Self& maximize(bool value) {
    maximize_ = value;
    return static_cast<Self&>(*this);
  }
  bool maximize() const { return maximize_; }
  template <class F> static void fields(F&& f) { f("maximize", &Maximize::maximize_, OptionRule::any); }

 private:
  bool maximize_ = false;
};

// The options only one optimizer has.

template <class Self> class Amsgrad {  // Adam, AdamW
 public:
  Self& amsgrad(bool value) {
    amsgrad_ = value;
    return static_cast<Self&>(*this);
  }
  bool amsgrad() const { return amsgrad_; }
  template <class F> static void fields(F&& f) { f("amsgrad", &Amsgrad::amsgrad_, OptionRule::any); }

 private:
  bool amsgrad_ = false;
};

template <class Self> class Dampening {  // SGD
 public:
  Self& dampening(double value) {
    dampening_ = value;
    return static_cast<Self&>(*this);
  }
  double dampening() const { return dampening_; }
  template <class F> static void fields(F&& f) { f("dampening", &Dampening::dampening_, OptionRule::any); }

 private:
  double dampening_ = 0;
};

template <class Self> class Nesterov {  // SGD
 public:
  Self& nesterov(bool value) {
    nesterov_ = value;
    return static_cast<Self&>(*this);
  }
  bool nesterov() const { return nesterov_; }
  template <class F> static void fields(F&& f) { f("nesterov", &Nesterov::nesterov_, OptionRule::any); }

 private:
  bool nesterov_ = false;
};

template <class Self> class LrDecay {  // Adagrad
 public:
  Self& lr_decay(double value) {
    lr_decay_ = value;
    return static_cast<Self&>(*this);
  }
  double lr_decay() const { return lr_decay_; }
  template <class F> static void fields(F&& f) { f("lr_decay", &LrDecay::lr_decay_, OptionRule::non_negative); }

 private:
  double lr_decay_ = 0;
};

template <class Self> class InitialAccumulatorValue {  // Adagrad
 public:
  Self& initial_accumulator_value(double value) {
    initial_accumulator_value_ = value;
    return static_cast<Self&>(*this);
  }
  double initial_accumulator_value() const { return initial_accumulator_value_; }
  template <class F> static void fields(F&& f) {
    f("initial_accumulator_value", &InitialAccumulatorValue::initial_accumulator_value_, OptionRule::non_negative);
  }

 private:
  double initial_accumulator_value_ = 0;
};

template <class Self> class Alpha {  // RMSprop
 public:
  Self& alpha(double value) {
    alpha_ = value;
    return static_cast<Self&>(*this);
  }
  double alpha() const { return alpha_; }
  template <class F> static void fields(F&& f) { f("alpha", &Alpha::alpha_, OptionRule::non_negative); }

 private:
  double alpha_ = 0.99;
};

template <class Self> class Centered {  // RMSprop
 public:
  Self& centered(bool value) {
    centered_ = value;
    return static_cast<Self&>(*this);
  }
  bool centered() const { return centered_; }
  template <class F> static void fields(F&& f) { f("centered", &Centered::centered_, OptionRule::any); }

 private:
  bool centered_ = false;
};

// OptimizerOptions for Self from its mixins' fields(), visited in the order listed.
template <class Self, template <class> class... Options>
struct OptionsOf : OptimizerOptions, Options<Self>... {
  double get_lr() const override { return self().lr(); }
  void set_lr(double lr) override { self().lr(lr); }
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<Self>(self()); }
  void for_each_field(const std::function<void(const OptionField&)>& visit) const override {
    const auto read = [&](const char* name, auto member, OptionRule rule) {
      visit({name, static_cast<double>(self().*member), rule});
    };
    (Options<Self>::fields(read), ...);
  }
  bool set_field(const std::string& name, double value) override {
    bool found = false;
    const auto write = [&](const char* field_name, auto member, OptionRule) {
      if (name != field_name) return;
      auto& field = self().*member;
      field = static_cast<std::remove_reference_t<decltype(field)>>(value);
      found = true;
    };
    (Options<Self>::fields(write), ...);
    return found;
  }

 private:
  const Self& self() const { return static_cast<const Self&>(*this); }
  Self& self() { return static_cast<Self&>(*this); }
};

}  // namespace tg::optim

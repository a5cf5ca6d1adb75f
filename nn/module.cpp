#include "module.h"

#include <cxxabi.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <sstream>

#include "../autograd/grad_mode.h"
#include "../core/kernels.h"
#include "../core/sparse.h"

namespace tg::nn {

Module::Module(const Module& other) : parameters_(other.parameters_), training_(other.training_) {
  other.check_copyable("copied");
  children_ = other.children_;
}

Module::Module(Module&& other) : parameters_(std::move(other.parameters_)), training_(other.training_) {
  other.check_copyable("moved");
  children_ = std::move(other.children_);
}

Module& Module::operator=(const Module& other) {
  other.check_copyable("copied");
  parameters_ = other.parameters_;
  children_ = other.children_;
  training_ = other.training_;
  return *this;
}

Module& Module::operator=(Module&& other) {
  other.check_copyable("moved");
  parameters_ = std::move(other.parameters_);
  children_ = std::move(other.children_);
  training_ = other.training_;
  return *this;
}

void Module::check_copyable(const char* what) const {
  for (const Child& child : children_)
    if (!child.owner)
      throw Error(fmt::format("{}: a module whose child '{}' was registered by reference cannot be {}: the "
                              "copy's child would still be the original's member. Register children as "
                              "std::shared_ptr, or construct the module where it is used",
                              name(), child.name, what));
}

Tensor& Module::register_parameter(std::string name, Tensor t, bool requires_grad) {
  if (name.empty() || name.find('.') != std::string::npos)
    throw ValueError(fmt::format("register_parameter: name = '{}' is invalid; expected a non-empty name "
                                 "without '.'", name));
  for (const auto& [existing, _] : parameters_)
    if (existing == name)
      throw ValueError(fmt::format("register_parameter: a parameter named '{}' is already registered; "
                                   "expected a new name", name));
  if (t.defined()) {
    t.requires_grad_(requires_grad);
    t.set_name(name);
  }
  parameters_.emplace_back(std::move(name), std::move(t));
  return parameters_.back().second;
}

void Module::add_child(std::string name, Module* child, std::shared_ptr<Module> owner) {
  if (child == nullptr) throw ValueError(fmt::format("register_module: child '{}' is null; expected a module", name));
  if (name.empty() || name.find('.') != std::string::npos)
    throw ValueError(fmt::format("register_module: name = '{}' is invalid; expected a non-empty name without '.'",
                                 name));
  for (const Child& existing : children_)
    if (existing.name == name)
      throw ValueError(fmt::format("register_module: a child named '{}' is already registered; expected a new "
                                   "name", name));
  child->rename_parameters(name);
  children_.push_back({std::move(name), child, std::move(owner)});
}

// Children are registered after they built their parameters, so each level
// prefixes what is below it: "weight" -> "emb.weight" -> "model.emb.weight".
void Module::rename_parameters(const std::string& prefix) {
  for (const auto& [name, t] : named_parameters())
    if (t.defined()) t.set_name(prefix + "." + name);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& [name, t] : parameters_)
    if (t.defined()) out.emplace_back(name, t);
  if (!recurse) return out;
  for (const Child& child : children_)
    for (auto& [name, t] : child.module->named_parameters(true)) out.emplace_back(child.name + "." + name, t);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [_, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_children() const {
  std::vector<std::pair<std::string, Module*>> out;
  for (const Child& child : children_) out.emplace_back(child.name, child.module);
  return out;
}

void Module::zero_grad(bool set_to_none) {
  for (Tensor& p : parameters()) {
    Tensor& grad = p.mutable_grad();
    if (!grad.defined()) continue;
    if (set_to_none) {
      grad = Tensor();
    } else if (grad.is_sparse()) {
      grad = core::sparse_empty(grad.sizes(), grad.dtype());
    } else {
      NoGradGuard no_grad;
      grad.zero_();
    }
  }
}

void Module::train(bool on) {
  training_ = on;
  for (Child& child : children_) child.module->train(on);
}

StateDict Module::state_dict() const {
  StateDict out;
  for (auto& [name, t] : named_parameters()) out.emplace_back(name, t.detach());
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  const auto own = named_parameters();
  auto find = [&](const std::string& key) -> const Tensor* {
    for (const auto& [name, t] : state)
      if (name == key) return &t;
    return nullptr;
  };
  // Validate everything first, so a bad state dict leaves the module untouched.
  for (const auto& [name, param] : own) {
    const Tensor* entry = find(name);
    if (entry == nullptr) {
      if (strict)
        throw Error(fmt::format("load_state_dict: missing key '{}' in the state dict; expected an entry for "
                                "every parameter (pass strict = false to skip it)", name));
      continue;
    }
    if (!entry->defined() || entry->sizes() != param.sizes())
      throw ValueError(fmt::format("load_state_dict: '{}' has shape {} in the state dict but {} in the module; "
                                   "expected equal shapes", name,
                                   entry->defined() ? shape_string(entry->sizes()) : "undefined",
                                   shape_string(param.sizes())));
  }
  if (strict)
    for (const auto& entry : state) {
      const std::string& key = entry.first;  // a named variable: clang 14 cannot capture a structured binding
      if (std::none_of(own.begin(), own.end(), [&](const auto& p) { return p.first == key; }))
        throw Error(fmt::format("load_state_dict: unexpected key '{}' in the state dict; the module has no "
                                "parameter of that name (pass strict = false to ignore it)", key));
    }
  NoGradGuard no_grad;  // loading is not part of any graph
  for (const auto& [name, param] : own)
    if (const Tensor* entry = find(name)) {
      Tensor target = param;
      target.copy_(*entry);
    }
}

std::string Module::name() const {
  const char* mangled = typeid(*this).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string full = status == 0 && demangled ? demangled : mangled;
  std::free(demangled);
  const size_t colon = full.rfind("::");
  return colon == std::string::npos ? full : full.substr(colon + 2);
}

namespace {

void print_module(std::ostream& out, const Module& module, int indent) {
  out << module.name() << "(" << module.extra_repr();
  const auto children = module.named_children();
  if (children.empty()) {
    out << ")";
    return;
  }
  const std::string pad(static_cast<size_t>(indent + 2), ' ');
  out << "\n";
  for (const auto& [name, child] : children) {
    out << pad << "(" << name << "): ";
    print_module(out, *child, indent + 2);
    out << "\n";
  }
  out << std::string(static_cast<size_t>(indent), ' ') << ")";
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const Module& module) {
  print_module(out, module, 0);
  return out;
}

}  // namespace tg::nn

#include "module.h"

#include <cxxabi.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <sstream>

#include "../autograd/accumulate.h"
#include "../autograd/grad_mode.h"
#include "../core/layout.h"

namespace tg::nn {

Module::Module(const Module& other)
    : parameters_(other.parameters_), buffers_(other.buffers_), training_(other.training_) {
  other.check_copyable("copied");
  children_ = other.children_;
}

Module::Module(Module&& other)
    : parameters_(std::move(other.parameters_)), buffers_(std::move(other.buffers_)), training_(other.training_) {
  other.check_copyable("moved");
  children_ = std::move(other.children_);
}

Module& Module::operator=(const Module& other) {
  other.check_copyable("copied");
  parameters_ = other.parameters_;
  buffers_ = other.buffers_;
  children_ = other.children_;
  training_ = other.training_;
  return *this;
}

Module& Module::operator=(Module&& other) {
  other.check_copyable("moved");
  parameters_ = std::move(other.parameters_);
  buffers_ = std::move(other.buffers_);
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

void Module::check_new_name(const char* where, const std::string& name) const {
  if (name.empty() || name.find('.') != std::string::npos)
    throw ValueError(fmt::format("{}: name = '{}' is invalid; expected a non-empty name without '.'", where, name));
  auto taken = [&](const auto& list) {
    return std::any_of(list.begin(), list.end(), [&](const auto& entry) { return entry.first == name; });
  };
  if (taken(parameters_) || taken(buffers_))
    throw ValueError(fmt::format("{}: a {} named '{}' is already registered; expected a new name", where,
                                 taken(parameters_) ? "parameter" : "buffer", name));
}

Tensor& Module::register_parameter(std::string name, Tensor t, bool requires_grad) {
  check_new_name("register_parameter", name);
  if (t.defined()) {
    t.requires_grad_(requires_grad);
    t.set_name(name);
  }
  parameters_.emplace_back(std::move(name), std::move(t));
  return parameters_.back().second;
}

Tensor& Module::register_buffer(std::string name, Tensor t) {
  check_new_name("register_buffer", name);
  if (t.defined()) t.set_name(name);
  buffers_.emplace_back(std::move(name), std::move(t));
  return buffers_.back().second;
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
  for (const auto& [name, t] : named_buffers())
    if (t.defined()) t.set_name(prefix + "." + name);
}

namespace {
std::vector<Tensor> tensors_of(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<Tensor> out;
  for (const auto& [_, t] : named) out.push_back(t);
  return out;
}
}  // namespace

// named_parameters and named_buffers: the defined tensors of `list` (a member of Module),
// then, with recurse, each child's under "child.".
std::vector<std::pair<std::string, Tensor>> Module::named_tensors(NamedList Module::*list, bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& [name, t] : this->*list)
    if (t.defined()) out.emplace_back(name, t);
  if (!recurse) return out;
  for (const Child& child : children_)
    for (auto& [name, t] : child.module->named_tensors(list, true)) out.emplace_back(child.name + "." + name, t);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  return named_tensors(&Module::parameters_, recurse);
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  return named_tensors(&Module::buffers_, recurse);
}

std::vector<Tensor> Module::parameters(bool recurse) const { return tensors_of(named_parameters(recurse)); }

std::vector<Tensor> Module::buffers(bool recurse) const { return tensors_of(named_buffers(recurse)); }

std::vector<std::pair<std::string, Module*>> Module::named_children() const {
  std::vector<std::pair<std::string, Module*>> out;
  for (const Child& child : children_) out.emplace_back(child.name, child.module);
  return out;
}

std::vector<Module*> Module::children() const {
  std::vector<Module*> out;
  for (const Child& child : children_) out.push_back(child.module);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules(const std::string& prefix, bool include_self) const {
  std::vector<std::pair<std::string, Module*>> out;
  std::vector<const Module*> seen;
  // Depth first, parent before children; a module shared by two parents is listed once.
  auto visit = [&](auto& self, const Module& m, const std::string& name) -> void {
    if (std::find(seen.begin(), seen.end(), &m) != seen.end()) return;
    seen.push_back(&m);
    out.emplace_back(name, const_cast<Module*>(&m));
    for (const Child& child : m.children_) self(self, *child.module, name.empty() ? child.name : name + "." + child.name);
  };
  visit(visit, *this, prefix);
  if (!include_self) out.erase(out.begin());
  return out;
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (Child& child : children_) child.module->apply(fn);
  fn(*this);
}

namespace {

// Note [Converting a parameter in place]: the handle users hold (fc.weight), the one
// in parameters_ and any optimizer's share one TensorImpl, so the conversion swaps the
// impl's storage rather than the handle, as PyTorch's module.to swaps param.data.
void convert_in_place(const Tensor& t, Dtype dtype) {
  if (!t.defined() || !t.is_floating_point() || t.dtype() == dtype || t.is_sparse()) return;
  const Tensor converted = core::contiguous(core::cast(t, dtype));
  TensorImpl* impl = t.impl();
  impl->storage = converted.impl()->storage;
  impl->sizes = converted.sizes();
  impl->strides = converted.strides();
  impl->offset = converted.storage_offset();
  impl->dtype = dtype;
}

}  // namespace

Module& Module::to(Dtype dtype) {
  if (!is_floating(dtype))
    throw TypeError(fmt::format("Module::to: dtype {} is not floating; expected torch.float32 or torch.float64 "
                                "(a module converts only its floating parameters and buffers)", dtype_name(dtype)));
  NoGradGuard no_grad;
  for (Tensor& p : parameters()) {
    convert_in_place(p, dtype);
    Tensor& grad = p.mutable_grad();
    // A sparse gradient is dropped (as zero_grad's set_to_none) rather than converted.
    if (grad.defined()) grad = grad.is_sparse() ? Tensor() : core::cast(grad, dtype);
  }
  for (const Tensor& b : buffers()) convert_in_place(b, dtype);
  return *this;
}

void Module::zero_grad(bool set_to_none) {
  for (const Tensor& p : parameters()) autograd::zero_grad(p, set_to_none);
}

void Module::train(bool on) {
  training_ = on;
  for (Child& child : children_) child.module->train(on);
}

void Module::collect_state(const std::string& prefix, StateDict& out) const {
  for (const auto& [name, t] : parameters_)
    if (t.defined()) out.emplace_back(prefix + name, t.detach());
  for (const auto& [name, t] : buffers_)
    if (t.defined()) out.emplace_back(prefix + name, t.detach());
  for (const Child& child : children_) child.module->collect_state(prefix + child.name + ".", out);
}

StateDict Module::state_dict() const {
  StateDict out;
  collect_state("", out);
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  const StateDict own = state_dict();
  auto find = [&](const std::string& key) -> const Tensor* {
    for (const auto& [name, t] : state)
      if (name == key) return &t;
    return nullptr;
  };
  // Validate everything first, so a bad state dict leaves the module untouched.
  for (const auto& [name, target] : own) {
    const Tensor* entry = find(name);
    if (entry == nullptr) {
      if (strict)
        throw Error(fmt::format("load_state_dict: missing key '{}' in the state dict; expected an entry for "
                                "every parameter and buffer (pass strict = false to skip it)", name));
      continue;
    }
    if (!entry->defined() || entry->is_sparse() || entry->sizes() != target.sizes())
      throw ValueError(fmt::format("load_state_dict: '{}' has shape {} in the state dict but {} in the module; "
                                   "expected equal shapes", name,
                                   !entry->defined() ? "undefined"
                                   : entry->is_sparse() ? "sparse " + shape_string(entry->sizes())
                                                        : shape_string(entry->sizes()),
                                   shape_string(target.sizes())));
  }
  if (strict)
    for (const auto& entry : state) {
      const std::string& key = entry.first;  // a named variable: clang 14 cannot capture a structured binding
      if (std::none_of(own.begin(), own.end(), [&](const auto& p) { return p.first == key; }))
        throw Error(fmt::format("load_state_dict: unexpected key '{}' in the state dict; the module has no "
                                "parameter or buffer of that name (pass strict = false to ignore it)", key));
    }
  NoGradGuard no_grad;  // loading is not part of any graph
  for (const auto& [name, target] : own)
    if (const Tensor* entry = find(name)) {
      Tensor t = target;
      t.copy_(*entry);
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

// As PyTorch's Module.__repr__: a one-line extra_repr stays on the name's line when
// there are no children; otherwise each extra_repr line and each "(name): child" goes
// on its own line, indented two spaces more than the parent.
void print_module(std::ostream& out, const Module& module, int indent) {
  std::vector<std::string> extra;
  std::istringstream lines(module.extra_repr());
  for (std::string line; std::getline(lines, line);) extra.push_back(line);
  const auto children = module.named_children();
  out << module.name() << "(";
  if (children.empty() && extra.size() <= 1) {
    if (!extra.empty()) out << extra[0];
    out << ")";
    return;
  }
  const std::string pad(static_cast<size_t>(indent + 2), ' ');
  out << "\n";
  for (const std::string& line : extra) out << pad << line << "\n";
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

std::string repr_float(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eninf") == std::string::npos) s += ".0";
  return s;
}

}  // namespace tg::nn

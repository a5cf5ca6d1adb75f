#include "container.h"

#include <cxxabi.h>
#include <fmt/format.h>

#include <cstdlib>

namespace tg::nn {

namespace detail {

void check_index(const char* container, size_t index, size_t size) {
  if (index >= size)
    throw IndexError(fmt::format("{}: index {} is out of range; expected an index in [0, {})", container, index, size));
}

void throw_wrong_type(const char* container, size_t index, const Module& module, const char* wanted) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(wanted, nullptr, nullptr, &status);
  const std::string wanted_name = status == 0 && demangled ? demangled : wanted;
  std::free(demangled);
  throw TypeError(fmt::format("{}::ptr: child {} is a {}; expected {}", container, index, module.name(), wanted_name));
}

}  // namespace detail

Sequential::Sequential(std::vector<std::pair<std::string, AnyModule>> named_modules) {
  for (auto& [name, module] : named_modules) push_back(std::move(name), std::move(module));
}

void Sequential::push_back(AnyModule module) { push_back(std::to_string(modules_.size()), std::move(module)); }

void Sequential::push_back(std::string name, AnyModule module) {
  register_module(std::move(name), module.ptr());
  modules_.push_back(std::move(module));
}

void Sequential::extend(const Sequential& other) {
  // A copy first: other may be *this.
  const std::vector<AnyModule> modules = other.modules_;
  for (const AnyModule& module : modules) push_back(module);
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const AnyModule& module : modules_) x = module.forward(x);
  return x;
}

Functional::Functional(std::function<Tensor(const Tensor&)> fn) : fn_(std::move(fn)) {
  if (!fn_) throw ValueError("Functional: got an empty function; expected a callable taking and returning a Tensor");
}

}  // namespace tg::nn

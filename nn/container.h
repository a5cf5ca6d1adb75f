#pragma once
// Containers: nn::Sequential, nn::ModuleList, nn::Functional, and nn::AnyModule, the
// type-erased "any module with Tensor forward(const Tensor&)" that Sequential holds.
//
//   tg::nn::Sequential net(tg::nn::Linear(64, 128), tg::nn::ReLU(), tg::nn::Dropout(0.1),
//                          tg::nn::Linear(128, 10));
//   tg::Tensor y = net(x);            // each module's forward in turn
//   net.named_parameters();           // "0.weight", "0.bias", "3.weight", "3.bias"
//   net.at<tg::nn::Linear>(0).weight; // a child as its own type
//
// A module given by value is moved into a shared_ptr the container owns; one given as a
// std::shared_ptr is shared with the caller (changing it changes the container's).
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "layer.h"

namespace tg::nn {

// A module that Sequential can run: derived from Module, with Tensor forward(const Tensor&).
template <class M>
concept ForwardModule = std::derived_from<M, Module> && requires(M& m, const Tensor& x) {
  { m.forward(x) } -> std::convertible_to<Tensor>;
};

class AnyModule {
 public:
  template <ForwardModule M>
  AnyModule(std::shared_ptr<M> module)  // NOLINT: implicit, as libtorch's
      : module_(module), forward_([raw = module.get()](const Tensor& x) -> Tensor { return raw->forward(x); }) {
    if (!module) throw ValueError("AnyModule: got a null module; expected a module");
  }
  template <class M>
    requires ForwardModule<std::remove_cvref_t<M>>
  AnyModule(M&& module)  // NOLINT
      : AnyModule(std::make_shared<std::remove_cvref_t<M>>(std::forward<M>(module))) {}

  Tensor forward(const Tensor& input) const { return forward_(input); }
  const std::shared_ptr<Module>& ptr() const { return module_; }
  Module& get() const { return *module_; }

 private:
  std::shared_ptr<Module> module_;
  // Calls the concrete type's forward (not virtual in Module); `raw` lives as long as module_.
  std::function<Tensor(const Tensor&)> forward_;
};

namespace detail {
// The child at `index` of a container of `size`, as type M (tg::IndexError / tg::TypeError
// from "<container>::ptr").
void check_index(const char* container, size_t index, size_t size);
[[noreturn]] void throw_wrong_type(const char* container, size_t index, const Module& module, const char* wanted);
template <class M> std::shared_ptr<M> cast_child(const char* container, size_t index, const std::shared_ptr<Module>& m) {
  if (auto typed = std::dynamic_pointer_cast<M>(m)) return typed;
  throw_wrong_type(container, index, *m, typeid(M).name());
}
inline const std::shared_ptr<Module>& module_of(const AnyModule& child) { return child.ptr(); }
inline const std::shared_ptr<Module>& module_of(const std::shared_ptr<Module>& child) { return child; }
}  // namespace detail

// What Sequential and ModuleList share: their children by position, read as modules or
// as their own type (at<Linear>(0)), and PyTorch's name.
template <class Element, LayerName Name> class ChildList : public Module {
 public:
  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  std::shared_ptr<Module> ptr(size_t index) const {
    detail::check_index(Name.value, index, modules_.size());
    return detail::module_of(modules_[index]);
  }
  template <class M> std::shared_ptr<M> ptr(size_t index) const {
    return detail::cast_child<M>(Name.value, index, ptr(index));
  }
  template <class M> M& at(size_t index) const { return *ptr<M>(index); }
  typename std::vector<Element>::const_iterator begin() const { return modules_.begin(); }
  typename std::vector<Element>::const_iterator end() const { return modules_.end(); }
  std::string name() const override { return Name.value; }

 protected:
  std::vector<Element> modules_;
};

class Sequential : public ChildList<AnyModule, "Sequential"> {
 public:
  Sequential() = default;
  // Modules by value, as std::shared_ptr, or as AnyModule. (A lone Sequential argument
  // is the copy constructor: it shares the children; push_back nests one instead.)
  template <class... Ms>
    requires(sizeof...(Ms) > 0 && (std::is_convertible_v<Ms, AnyModule> && ...) &&
             !(sizeof...(Ms) == 1 && (std::is_same_v<std::remove_cvref_t<Ms>, Sequential> && ...)))
  explicit Sequential(Ms&&... modules) {
    (push_back(AnyModule(std::forward<Ms>(modules))), ...);
  }
  // Named children, as PyTorch's Sequential(OrderedDict(...)): {{"fc", Linear(2, 3)}, ...}.
  explicit Sequential(std::vector<std::pair<std::string, AnyModule>> named_modules);

  // Appends a child named by its position ("3"), or by `name`.
  void push_back(AnyModule module);
  void push_back(std::string name, AnyModule module);
  // Appends every child of `other`, under the next positions.
  void extend(const Sequential& other);

  Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }

};

// Children kept in a list, named "0", "1", ...; it has no forward of its own (the
// owner loops over it), so any module fits.
class ModuleList : public ChildList<std::shared_ptr<Module>, "ModuleList"> {
 public:
  ModuleList() = default;
  template <class... Ms>
    requires(sizeof...(Ms) > 0 && (std::derived_from<std::remove_cvref_t<Ms>, Module> && ...) &&
             !(sizeof...(Ms) == 1 && (std::is_same_v<std::remove_cvref_t<Ms>, ModuleList> && ...)))
  explicit ModuleList(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
  }

  template <class M> void push_back(std::shared_ptr<M> module) {
    static_assert(std::derived_from<M, Module>, "ModuleList holds modules");
    if (!module) throw ValueError("ModuleList::push_back: got a null module; expected a module");
    register_module(std::to_string(modules_.size()), module);
    modules_.push_back(std::move(module));
  }
  template <class M>
    requires std::derived_from<std::remove_cvref_t<M>, Module>
  void push_back(M&& module) {
    push_back(std::make_shared<std::remove_cvref_t<M>>(std::forward<M>(module)));
  }

};

// A function as a module without parameters, for a step with no layer of its own:
//   net.push_back(tg::nn::Functional([](const tg::Tensor& x) { return x.pow(2.0); }));
class Functional : public Layer<Functional, "Functional"> {
 public:
  explicit Functional(std::function<Tensor(const Tensor&)> fn);
  Tensor forward(const Tensor& input) { return fn_(input); }

 private:
  std::function<Tensor(const Tensor&)> fn_;
};

}  // namespace tg::nn

#pragma once
// tg::nn::Module: a named collection of parameters and child modules.
//
// A model derives from Module and registers what it owns. Parameters are the same
// autograd leaves the layers use (emb.weight and parameters()[0] are one tensor), and
// names are dotted through children, as in PyTorch:
//
//   struct Model : tg::nn::Module {
//     tg::nn::Embedding emb{10, 3};
//     tg::nn::Linear fc{3, 2};
//     Model() { register_module("emb", emb); register_module("fc", fc); }
//   };
//   Model m;  // m.named_parameters(): "emb.weight", "fc.weight", "fc.bias"
//
// Copying a module shares its parameters (copies are handles, as tensors are). A
// module whose children were registered by reference refuses to be copied or moved,
// because the copy's children would still be the original's members; register
// children as std::shared_ptr when the parent must be copyable.
#include <deque>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../core/tensor.h"

namespace tg::nn {

// name -> tensor, in registration order (parameters first, then children's).
using StateDict = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module& other);
  Module(Module&& other);
  Module& operator=(const Module& other);
  Module& operator=(Module&& other);

  // Registers `t` as a parameter (requires_grad set as given) and names the tensor,
  // for the tape printer and error messages. Returns the stored handle. An undefined
  // tensor (Linear without bias) keeps its name as an empty slot, skipped by parameters().
  Tensor& register_parameter(std::string name, Tensor t, bool requires_grad = true);
  // Children: by reference (a member of this module) or shared.
  template <class M> M& register_module(std::string name, M& child) {
    add_child(std::move(name), &child, nullptr);
    return child;
  }
  template <class M> std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> child) {
    add_child(std::move(name), child.get(), child);
    return child;
  }

  // A buffer is state that is not trained (running statistics, masks): saved, loaded
  // and converted by to(dtype) with the parameters, but never in parameters(), so an
  // optimizer built from parameters() never sees it. An undefined tensor keeps its slot.
  Tensor& register_buffer(std::string name, Tensor t);

  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  std::vector<Module*> children() const;
  std::vector<std::pair<std::string, Module*>> named_children() const;
  // Every module of the tree, depth first: this one first (named prefix, "" by default),
  // then "0", "0.fc", ... Each module appears once, however often it was registered.
  std::vector<std::pair<std::string, Module*>> named_modules(const std::string& prefix = "",
                                                             bool include_self = true) const;
  // Calls fn on every descendant, then on this module, as PyTorch's Module.apply
  // (children first; libtorch visits the parent first).
  void apply(const std::function<void(Module&)>& fn);
  // Converts every floating parameter and buffer (and gradient) to dtype in place: the
  // tensors keep their identity, so layer members (fc.weight) and parameters() still
  // agree. Integer and bool tensors are left alone, as in PyTorch. Build optimizers after.
  Module& to(Dtype dtype);

  // set_to_none = true drops each .grad; false zeroes it in place (a sparse .grad
  // becomes an empty sparse tensor of the same size).
  void zero_grad(bool set_to_none = true);
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Detached handles sharing storage with the parameters and buffers, in PyTorch's
  // order: each module's own parameters, then its own buffers, then its children's.
  StateDict state_dict() const;
  // Copies every entry into the parameter or buffer of the same name, under no-grad.
  // Nothing is copied unless every key and shape matches (strict: no missing or extra keys).
  void load_state_dict(const StateDict& state, bool strict = true);

  // "Embedding(10, 3, padding_idx=0)": what operator<< prints for a module without
  // children. The default is the class name.
  virtual std::string extra_repr() const { return {}; }
  virtual std::string name() const;

 private:
  void add_child(std::string name, Module* child, std::shared_ptr<Module> owner);
  void check_new_name(const char* where, const std::string& name) const;
  void collect_state(const std::string& prefix, StateDict& out) const;
  void rename_parameters(const std::string& prefix);
  void check_copyable(const char* what) const;

  struct Child {
    std::string name;
    Module* module;                  // valid while this module lives
    std::shared_ptr<Module> owner;   // null when registered by reference
  };
  using NamedList = std::deque<std::pair<std::string, Tensor>>;  // deque: register_parameter's reference stays valid
  std::vector<std::pair<std::string, Tensor>> named_tensors(NamedList Module::*list, bool recurse) const;
  NamedList parameters_;
  NamedList buffers_;
  std::vector<Child> children_;
  bool training_ = true;
};

// PyTorch's module printout: "Linear(in_features=3, out_features=2, bias=True)", and
// for a container one indented "(name): child" line per child.
std::ostream& operator<<(std::ostream& out, const Module& module);

// Python's repr of a float, for extra_repr: "1.0", "0.5", "1e-05", "inf".
std::string repr_float(double v);

}  // namespace tg::nn

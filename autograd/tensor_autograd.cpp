// The autograd half of tg::Tensor: flags, .grad, backward(), names and printing.
#include <fmt/format.h>

#include <ostream>

#include "../core/print.h"
#include "accumulate.h"
#include "engine.h"
#include "meta.h"
#include "node.h"

namespace tg {

namespace autograd {

AutogradMeta& meta_of(const Tensor& t) {
  // Autograd state can only hang off a defined, dense or sparse tensor.
  if (!t.defined())
    throw Error("autograd: the tensor is undefined; expected a defined tensor (this often means .grad() "
                "was read before any backward reached the tensor)");
  std::shared_ptr<AutogradMeta>& slot = t.impl()->autograd;
  if (!slot) slot = std::make_shared<AutogradMeta>();
  return *slot;
}

AutogradMeta* find_meta(const Tensor& t) { return t.defined() ? t.impl()->autograd.get() : nullptr; }

}  // namespace autograd

using autograd::find_meta;
using autograd::meta_of;

bool Tensor::requires_grad() const {
  const autograd::AutogradMeta* meta = find_meta(*this);
  return meta != nullptr && meta->requires_grad;
}

Tensor& Tensor::requires_grad_(bool requires_grad) {
  autograd::AutogradMeta& meta = meta_of(*this);
  if (meta.grad_fn) {
    if (!requires_grad)
      throw Error(fmt::format("requires_grad_: you can only change requires_grad flags of leaf variables; "
                              "this tensor is the output of {}. Use detach() to get a tensor that does not "
                              "require grad", meta.grad_fn->name()));
    return *this;
  }
  if (requires_grad && !is_floating(dtype()))
    throw TypeError(fmt::format("requires_grad_: only tensors of floating point dtype can require gradients; "
                                "this tensor's dtype is {}", dtype_name(dtype())));
  meta.requires_grad = requires_grad;
  if (requires_grad && !meta.grad_accumulator) meta.grad_accumulator = std::make_shared<autograd::AccumulateGrad>(*this);
  if (!requires_grad) meta.grad_accumulator.reset();
  return *this;
}

bool Tensor::is_leaf() const {
  const autograd::AutogradMeta* meta = find_meta(*this);
  return meta == nullptr || meta->grad_fn == nullptr;
}

Tensor Tensor::grad() const {
  const autograd::AutogradMeta* meta = find_meta(*this);
  return meta ? meta->grad : Tensor();
}

Tensor& Tensor::mutable_grad() { return meta_of(*this).grad; }

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  autograd::backward({*this}, gradient.defined() ? std::vector<Tensor>{gradient} : std::vector<Tensor>{},
                     retain_graph);
}

std::string Tensor::grad_fn_name() const {
  const autograd::AutogradMeta* meta = find_meta(*this);
  return meta && meta->grad_fn ? std::string(meta->grad_fn->name()) : std::string();
}

void Tensor::retain_grad() const {
  autograd::AutogradMeta& meta = meta_of(*this);
  if (!meta.requires_grad)
    throw Error("retain_grad: can't retain_grad on a tensor that has requires_grad = false");
  if (!meta.grad_fn) return;  // leaves keep .grad anyway
  meta.retains_grad = true;
  meta.grad_fn->retained_output = impl_ptr();
}

void Tensor::set_name(std::string name) const { meta_of(*this).name = std::move(name); }

std::string Tensor::name() const {
  const autograd::AutogradMeta* meta = find_meta(*this);
  return meta ? meta->name : std::string();
}

std::string to_string(const Tensor& t) {
  std::vector<std::string> suffixes;
  if (t.defined()) {
    if (const std::string fn = t.grad_fn_name(); !fn.empty())
      suffixes.push_back(fmt::format("grad_fn=<{}>", fn));
    else if (t.requires_grad())
      suffixes.push_back("requires_grad=True");
  }
  return core::format_tensor(t, suffixes);
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) { return out << to_string(t); }

}  // namespace tg

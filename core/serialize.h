#pragma once
// Saving and loading tensors, in one versioned binary format with a CRC-32 checksum
// (docs/file-format.md). Writing is atomic (core/files.h): the file is written to a
// temporary beside its final name, flushed to disk, then renamed over it, so a crash
// mid-save leaves the old file whole. A truncated, corrupted or wrong-version file raises tg::Error; nothing
// is returned or changed until the whole file has been read and its checksum matches.
//
//   tg::save("weights.tg", {{"emb.weight", emb.weight}});
//   tg::load("weights.tg", emb.named_parameters());   // copies into the parameters
//   tg::Tensor t = tg::load_tensor("one.tg");
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tensor.h"

namespace tg {

// Named tensors in order: what a module's named_parameters() and state dicts are.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

void save(const std::string& path, const Tensor& tensor);  // dense or sparse
void save(const std::string& path, const NamedTensors& tensors);

Tensor load_tensor(const std::string& path);
NamedTensors load_named(const std::string& path);
// Into a defined dense tensor: copies in place (shapes must match; the dtype converts),
// so a parameter keeps its identity. Into an undefined one: assigns the loaded tensor.
void load(const std::string& path, Tensor& tensor);
// Copies each saved tensor in place into the target of the same name (e.g. a module's
// named_parameters()). Every target must be in the file and every file entry among the
// targets, with equal shapes; otherwise nothing is changed.
void load(const std::string& path, const NamedTensors& targets);

// Several groups of named tensors in ONE file, written atomically and verified by one
// checksum, so they can only be loaded together: e.g. a model's parameters, its
// optimizer's state (optim/serialize.h's save_checkpoint builds on this) and a
// trainer's counters. Group names are non-empty and hold no '/'; a group without
// entries is not stored. load_groups returns the groups in their saved order.
using TensorGroups = std::vector<std::pair<std::string, NamedTensors>>;
void save_groups(const std::string& path, const TensorGroups& groups);
TensorGroups load_groups(const std::string& path);

namespace serialize {

inline constexpr uint32_t kFormatVersion = 1;

// A file's content: what it holds ("tensor", "named", "optimizer:SGD", ...) and its entries.
struct Archive {
  std::string kind;
  NamedTensors entries;
};
void write_archive(const std::string& path, const Archive& archive);
Archive read_archive(const std::string& path);
// read_archive, then a tg::Error unless archive.kind == kind.
Archive read_archive(const std::string& path, const std::string& kind);

// The loaded tensor for each target, in the targets' order: a tg::ValueError for an
// entry no target is named, a target with no entry, or a shape that differs.
std::vector<Tensor> match_targets(const std::string& path, const NamedTensors& loaded, const NamedTensors& targets);
// Copies sources[i] into targets[i] in place (shapes already matched).
void copy_into_targets(const std::vector<Tensor>& sources, const NamedTensors& targets);

// A name or kind as error messages show it: quoted, control bytes (NUL included) as
// \xNN so the message is never cut, and at most 200 bytes of it.
std::string printable(std::string_view text);

}  // namespace serialize
}  // namespace tg

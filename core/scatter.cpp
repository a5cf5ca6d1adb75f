// Gather and scatter-add along one dim, one element at a time (core/scatter.h).
//
// Both walk the positions p of index with core::StridedLoop. The operand indexed by
// index's values (self for gather, dst for scatter_add) joins the loop with stride 0
// along dim, so the loop's pointer lands on p with p[dim] = 0; the element itself is
// index[p] * (its stride along dim) further on.
#include <cstring>

#include "layout.h"
#include "loops.h"
#include "scatter.h"

namespace tg::core {

namespace {

std::vector<int64_t> byte_strides_of(const Tensor& t) {
  std::vector<int64_t> out(t.strides().begin(), t.strides().end());
  for (int64_t& s : out) s *= static_cast<int64_t>(element_size(t.dtype()));
  return out;
}

// The strides of the operand looked up through index: its own, with 0 along dim.
std::vector<int64_t> byte_strides_but_dim(const Tensor& t, int64_t dim) {
  std::vector<int64_t> out = byte_strides_of(t);
  out[dim] = 0;
  return out;
}

}  // namespace

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index) {
  Tensor out = make_tensor(index.sizes(), self.dtype());
  if (out.numel() == 0) return out;
  const int64_t dim_bytes = self.stride(dim) * static_cast<int64_t>(element_size(self.dtype()));
  StridedLoop<3> loop;
  loop.shape = index.sizes();
  loop.base = {static_cast<char*>(out.raw_data()), static_cast<char*>(index.raw_data()),
               static_cast<char*>(self.raw_data())};
  loop.byte_strides = {byte_strides_of(out), byte_strides_of(index), byte_strides_but_dim(self, dim)};
  dispatch(self.dtype(), [&]<class T>() {
    dispatch_index(index.dtype(), [&]<class I>() {
      loop.run([&](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t count) {
        for (int64_t i = 0; i < count; ++i) {
          const int64_t at = static_cast<int64_t>(*reinterpret_cast<const I*>(p[1] + i * s[1]));
          *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const T*>(p[2] + i * s[2] + at * dim_bytes);
        }
      });
    });
  });
  return out;
}

void scatter_add_into(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src) {
  if (index.numel() == 0) return;
  const int64_t dim_bytes = dst.stride(dim) * static_cast<int64_t>(element_size(dst.dtype()));
  StridedLoop<3> loop;
  loop.shape = index.sizes();
  loop.base = {static_cast<char*>(dst.raw_data()), static_cast<char*>(index.raw_data()),
               static_cast<char*>(src.raw_data())};
  loop.byte_strides = {byte_strides_but_dim(dst, dim), byte_strides_of(index), byte_strides_of(src)};
  dispatch(dst.dtype(), [&]<class T>() {
    dispatch_index(index.dtype(), [&]<class I>() {
      loop.run([&](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t count) {
        for (int64_t i = 0; i < count; ++i) {
          const int64_t at = static_cast<int64_t>(*reinterpret_cast<const I*>(p[1] + i * s[1]));
          T& to = *reinterpret_cast<T*>(p[0] + i * s[0] + at * dim_bytes);
          to = static_cast<T>(to + *reinterpret_cast<const T*>(p[2] + i * s[2]));  // bool: a logical or
        }
      });
    });
  });
}

Tensor one_hot(const Tensor& index, int64_t num_classes) {
  Shape shape = index.sizes();
  shape.push_back(num_classes);
  Tensor out = make_tensor(shape, kInt64, /*zero=*/true);
  if (out.numel() == 0) return out;
  const std::vector<int64_t> classes = cast(index, kInt64).to_vector<int64_t>();
  int64_t* data = static_cast<int64_t*>(out.raw_data());
  for (size_t i = 0; i < classes.size(); ++i) data[static_cast<int64_t>(i) * num_classes + classes[i]] = 1;
  return out;
}

}  // namespace tg::core

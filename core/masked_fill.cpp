// Writing one value where a mask is true (core/masked_fill.h).
#include "masked_fill.h"
#include "layout.h"
#include "loops.h"

namespace tg::core {

void masked_fill_into(const Tensor& dst, const Tensor& mask, const Tensor& value) {
  if (dst.numel() == 0) return;
  const Tensor fill = cast(value, dst.dtype());
  StridedLoop<2> loop;
  loop.shape = dst.sizes();
  loop.base = {static_cast<char*>(dst.raw_data()), static_cast<char*>(mask.raw_data())};
  loop.byte_strides = {broadcast_byte_strides(dst, dst.sizes()), broadcast_byte_strides(mask, dst.sizes())};
  dispatch(dst.dtype(), [&]<class T>() {
    const T v = *static_cast<const T*>(fill.raw_data());
    loop.run([&](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t count) {
      for (int64_t i = 0; i < count; ++i)
        if (*reinterpret_cast<const bool*>(p[1] + i * s[1])) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
    });
  });
}

}  // namespace tg::core

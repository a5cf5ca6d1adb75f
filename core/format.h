#pragma once
// fmt support: fmt::format("{}", t) prints as operator<< does.
#include <fmt/format.h>

#include <string>

#include "tensor.h"

template <> struct fmt::formatter<tg::Tensor> : fmt::formatter<std::string> {
  template <class Context> auto format(const tg::Tensor& t, Context& ctx) const {
    return fmt::formatter<std::string>::format(tg::to_string(t), ctx);
  }
};

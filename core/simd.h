#pragma once
// Helpers for the hand-vectorised loops (the optimizer steps, the summed rows).
//
// Note [vector clones]
// The library is built without -march, so that it runs on any x86-64. Its hottest loops
// are compiled three times anyway, for AVX-512, AVX2 and baseline x86-64 (SSE2), and the
// loader picks one per machine (target_clones: an ifunc resolved once, at load time). On
// the development machine (Zen 4) AVX-512 nearly halves the divide- and sqrt-bound
// steps (Adagrad's, Adam's) while the tables fit in cache. Each such
// function is a thin non-template shell around an always-inline template body, so that
// every clone gets its own copy of the loop, vectorised for its target; the shell is also
// where runtime options become template flags (with_flags), so that no branch is left in
// the loop.
// No FMA: contracting a * b + c into one rounding would change the results against the
// scalar formulas, which are written in PyTorch's order (the golden trajectories compare
// them), and AVX-512 brings FMA instructions with it. So the files holding these loops
// are compiled with -ffp-contract=off, and with -fno-math-errno: a sqrt that may set
// errno is a scalar call, and its value is the same either way (CMakeLists.txt).
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define TG_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TG_VECTOR_CLONES
#endif
#define TG_ALWAYS_INLINE __attribute__((always_inline)) inline
#define TG_ALWAYS_INLINE_LAMBDA __attribute__((always_inline))  // after a lambda's parameter list

namespace tg::core {

// fn.template operator()<b...>() with the runtime bools as template arguments: one
// instantiation of fn's loop per combination, each free of these branches.
template <bool... Set, class F> TG_ALWAYS_INLINE void with_flags(F&& fn) { fn.template operator()<Set...>(); }
template <bool... Set, class F, class... B> TG_ALWAYS_INLINE void with_flags(F&& fn, bool flag, B... rest) {
  if (flag) with_flags<Set..., true>(fn, rest...);
  else with_flags<Set..., false>(fn, rest...);
}

}  // namespace tg::core

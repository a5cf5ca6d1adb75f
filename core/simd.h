#pragma once
// Helpers for the hand-vectorised loops (the optimizer steps, the summed rows).
//
// Note [vector clones]
// The library is built without -march, so that it runs on any x86-64. Its hottest loops
// are compiled three times anyway, for AVX-512, AVX2 and baseline x86-64 (SSE2), and the
// first call picks one for the machine (vector_isa: cpuid, once). On the development
// machine (Zen 4) AVX-512 nearly halves the divide- and sqrt-bound steps (Adagrad's,
// Adam's) while the tables fit in cache. vector_clones<body>(args...) holds the three
// copies and the switch that picks: each copy is a shell around an always-inline
// template body, so each gets its own loop, vectorised for its target; the body is also where runtime
// options become template flags (with_flags), so that no branch is left in the loop.
// Not GCC's target_clones: its load-time resolver crashes under ThreadSanitizer, and
// clang will not call a clone from another file through a plain declaration.
// No FMA: contracting a * b + c into one rounding would change the results against the
// scalar formulas, which are written in PyTorch's order (the golden trajectories compare
// them), and AVX-512 brings FMA instructions with it. So the files holding these loops
// are compiled with -ffp-contract=off, and with -fno-math-errno: a sqrt that may set
// errno is a scalar call, and its value is the same either way (CMakeLists.txt).
#define TG_ALWAYS_INLINE __attribute__((always_inline)) inline
#define TG_ALWAYS_INLINE_LAMBDA __attribute__((always_inline))  // after a lambda's parameter list

namespace tg::core {

enum class VectorIsa { Baseline, Avx2, Avx512 };

// The widest vector instructions this CPU and its OS support, asked once.
inline VectorIsa vector_isa() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const VectorIsa isa = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return VectorIsa::Avx512;
    if (__builtin_cpu_supports("avx2")) return VectorIsa::Avx2;
    return VectorIsa::Baseline;
  }();
  return isa;
#else
  return VectorIsa::Baseline;
#endif
}

// Runs Body(args...) compiled for the widest vectors the CPU has (Note [vector clones]).
// Body is an always-inline loop, so each shell below holds its own copy of it.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
template <auto Body, class... A> __attribute__((target("avx512f"))) void vector_clone_avx512(A... args) {
  Body(args...);
}
template <auto Body, class... A> __attribute__((target("avx2"))) void vector_clone_avx2(A... args) { Body(args...); }
template <auto Body, class... A> void vector_clone_baseline(A... args) { Body(args...); }
template <auto Body, class... A> void vector_clones(A... args) {
  switch (vector_isa()) {
    case VectorIsa::Avx512: return vector_clone_avx512<Body>(args...);
    case VectorIsa::Avx2: return vector_clone_avx2<Body>(args...);
    default: return vector_clone_baseline<Body>(args...);
  }
}
#else
template <auto Body, class... A> void vector_clones(A... args) { Body(args...); }
#endif

// fn.template operator()<b...>() with the runtime bools as template arguments: one
// instantiation of fn's loop per combination, each free of these branches.
template <bool... Set, class F> TG_ALWAYS_INLINE void with_flags(F&& fn) { fn.template operator()<Set...>(); }
template <bool... Set, class F, class... B> TG_ALWAYS_INLINE void with_flags(F&& fn, bool flag, B... rest) {
  if (flag) with_flags<Set..., true>(fn, rest...);
  else with_flags<Set..., false>(fn, rest...);
}

}  // namespace tg::core

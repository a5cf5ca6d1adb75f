#pragma once
// Table of contents of core's kernels: computation on tensors with no autograd, one
// header per source file. autograd/ops/ wraps them with derivatives; optimizers call
// them directly under NoGradGuard. Code includes the header it uses; this one is for
// finding it.
#include "bags.h"          // embedding_bag: argument checks, the bag reduction (forward)
#include "blas.h"          // mm, bmm and the gemm wrappers over OpenBLAS
#include "concat.h"        // cat
#include "cumsum.h"        // cumsum (running sums along a dim, forward or reverse)
#include "elementwise.h"   // unary, binary, compare, where, clamp, in-place binary_into
#include "index.h"         // index_select, index_add_into
#include "layout.h"        // make_tensor, as_strided, broadcasting, copy_into, cast, clone
#include "masked_fill.h"   // masked_fill_into
#include "parallel.h"      // parallel_for, parallel_scatter: the one intra-op pool
#include "reduce.h"        // sum, mean, prod, norm over dims; the reduction slice layout
#include "reduce_minmax.h" // max, min, argmax, argmin
#include "rows.h"          // the lookup table: gather_rows, renorm_rows, index checks
#include "scatter.h"       // gather, scatter_add_into (elementwise along a dim), one_hot
#include "sparse.h"        // sparse COO addition, scaling, dense += sparse

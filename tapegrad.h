#pragma once
// tapegrad: a small C++ tensor library with a tape-based autograd engine.
// This umbrella header brings in the whole public API (see README.md).
#include "core/dtype.h"
#include "core/error.h"
#include "core/tensor.h"
#include "core/format.h"
#include "core/files.h"
#include "core/serialize.h"
#include "autograd/grad_mode.h"
#include "autograd/engine.h"
#include "autograd/gradcheck.h"
#include "autograd/html.h"
#include "autograd/tape.h"
#include "optim/optim.h"
#include "nn/nn.h"
// tg::distributed, when tapegrad was built with MPI (the target defines TAPEGRAD_WITH_MPI).
#ifdef TAPEGRAD_WITH_MPI
#include "distributed/distributed.h"
#endif

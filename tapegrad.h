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
#include "autograd/tape.h"
#include "optim/optim.h"
#include "nn/nn.h"

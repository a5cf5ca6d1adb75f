#pragma once
// tg::optim: optimizers that take dense and sparse gradients, LR schedulers, and
// saving and resuming their state.
#include "adagrad.h"
#include "adam.h"
#include "adamw.h"
#include "lr_scheduler.h"
#include "optimizer.h"
#include "rmsprop.h"
#include "serialize.h"
#include "sgd.h"
#include "sparse_adam.h"

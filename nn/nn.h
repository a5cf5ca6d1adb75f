#pragma once
// The nn layer: modules, layers, functional forms, losses, init and clipping.
#include "activation.h"
#include "container.h"
#include "dropout.h"
#include "embedding.h"
#include "embedding_bag.h"
#include "functional.h"
#include "init.h"
#include "linear.h"
#include "module.h"
#include "normalization.h"
#include "serialize.h"
#include "utils.h"

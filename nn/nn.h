#pragma once
// The nn layer: modules, layers, functional forms, losses, init and clipping.
#include "embedding.h"
#include "functional.h"
#include "init.h"
#include "linear.h"
#include "module.h"
#include "utils.h"

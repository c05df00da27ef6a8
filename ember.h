// One include for the whole framework: Tensor and its ops, autograd, layers and optimizers.
#pragma once

#include "autograd/grad_mode.h"
#include "autograd/gradcheck.h"
#include "autograd/node.h"
#include "autograd/ops/activation.h"
#include "autograd/ops/arithmetic.h"
#include "autograd/ops/indexing.h"
#include "autograd/ops/linear_algebra.h"
#include "autograd/ops/nn.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape.h"
#include "autograd/tensor.h"
#include "core/error.h"
#include "core/random.h"
#include "core/safetensors.h"
#include "core/threads.h"
#include "layers/module.h"

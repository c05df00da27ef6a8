// Everything the kernel sources (core/isa/*_kernels.inc) use, included by kernels_<isa>.cpp
// before it switches the compiler's target, so these headers are compiled for the baseline
// instruction set (core/isa/kernel_instance.inc explains why).
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "ember/core/isa/kernel_table.h"

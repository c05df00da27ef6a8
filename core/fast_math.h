// exp, tanh and sigmoid in a form the compiler vectorises (std::exp is a library call per element,
// which keeps softmax, the losses and the gate nonlinearities scalar). Accurate to a few ulp.
//
// exp(x) = 2^n * exp(r), with n = round(x / ln 2) and r = x - n ln 2 in [-ln2/2, ln2/2]; exp(r) by
// its degree-6 Taylor polynomial (error < 2e-8 relative on that range), 2^n by building the float's
// exponent bits directly (Cody & Waite range reduction, as in Cephes' expf).
#pragma once

#include <bit>
#include <cstdint>

namespace ember::core {

#include "ember/core/isa/fast_math.inc"  // IWYU pragma: export

}  // namespace ember::core

// One debug line (--log-level debug), once per process, naming the instruction set of ember's
// kernels, the library running its matrix products and the thread count (train, eval and
// translate log it first; at debug level so that an error stays the one line a failing command
// prints). An EMBER_ISA the CPU lacks is reported here, as an ember::Error naming the variable.
#pragma once

namespace ember::seq2seq::cli {

void log_machine();

}  // namespace ember::seq2seq::cli

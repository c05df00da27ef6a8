// The version of the seq2seq library and the `ember` program: CMake's project(VERSION), passed in
// as EMBER_VERSION (seq2seq/CMakeLists.txt).
#include "ember/seq2seq/seq2seq.h"

namespace ember::seq2seq {

const char* version() { return EMBER_VERSION; }

}  // namespace ember::seq2seq

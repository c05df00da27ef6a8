// The version of the seq2seq library (this file also keeps ember_seq2seq a valid library while
// its folders fill in).
#include "seq2seq/seq2seq.h"

namespace ember::seq2seq {

const char* version() { return "0.1.0"; }

}  // namespace ember::seq2seq

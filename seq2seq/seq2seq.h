// ember::seq2seq — text pipeline, encoder-decoder models, decoding and metrics on top of ember.
#pragma once

namespace ember::seq2seq {

const char* version();

}  // namespace ember::seq2seq

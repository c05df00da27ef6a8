// The matched-size lineup of the comparison lab (`ember compare`, probing tasks): the seven
// encoder-decoders it compares at one size, with widths chosen so that their parameter counts
// are within 10% of the first one's.
//
//   std::vector<Contender> models = lineup("tiny", src_tokenizer.vocab_size(),
//                                          tgt_tokenizer.vocab_size());
//   for (const Contender& c : models) train(c.name, c.model);
//
// The contenders, in this order:
//   lstm               rnn, LSTM cells, no attention: the reference, preset(kRnn, size) as is
//   lstm+dot           rnn_attention, LSTM cells, score dot
//   lstm+scaled_dot    ... scaled dot
//   lstm+general       ... general
//   lstm+additive      ... additive (of width hidden_size)
//   convs2s            convs2s
//   transformer        transformer
// Every contender starts from its architecture's preset at `size` (depth, heads, kernel,
// dropout, tied embeddings as models/config.h lists them) and keeps its depth; only its width
// moves. The width is one number w searched on a grid (multiples of 2, or of num_heads for the
// Transformer), the other widths following the preset's ratios:
//   rnn_attention, convs2s   hidden_size w, embedding_dim w / 2   (both presets have E = H / 2)
//   transformer              d_model = embedding_dim w, feedforward_dim 2 w   (ff = 2 d)
// and w is the grid point whose parameter count is closest to the reference's. Every count is a
// quadratic polynomial in w (products of two widths, or of a width and a vocabulary), so three
// counts at w = 1, 2, 3 grid steps fix it; its root gives a first guess, and a walk along the
// grid from there (counting the built model at each point) settles on the closest point.
// All contenders get max_positions 256 (the learnt position table of ConvS2S counts as
// parameters; 256 tokens hold any sentence of the lab's corpora, longer ones are filtered out).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/seq2seq/models/config.h"

namespace ember::seq2seq::lab {

struct Contender {
  std::string name;    // "lstm", "lstm+dot", "lstm+scaled_dot", "lstm+general", "lstm+additive",
                       // "convs2s", "transformer"
  ModelConfig model;   // vocabulary sizes filled in
  int64_t parameters;  // its parameter count
};

// The seven models of the comparison at a size ("tiny" or "small"), widths chosen so every
// parameter count is within 10% of the first's (the LSTM without attention). Throws "[lab]" for an
// unknown size, vocabularies of 4 tokens or fewer, or (should no grid point come close enough) a
// contender whose count cannot be matched within 10%.
std::vector<Contender> lineup(const std::string& size, int64_t src_vocab, int64_t tgt_vocab);

// The seven contenders' names, in the lineup's order.
const std::vector<std::string>& lineup_names();

// Builds the model (make_model, which validates the config) and counts its parameters.
int64_t count_parameters(const ModelConfig& config);

// The longest sequence a lineup model takes (their max_positions).
inline constexpr int64_t kLineupMaxPositions = 256;

}  // namespace ember::seq2seq::lab

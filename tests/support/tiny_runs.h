// Run configs of a second's work for the tests of ember train (seq2seq/train/run.h): the built-in
// dates corpus, small enough that a run of a few updates takes a second at most.
#pragma once

#include "ember/seq2seq/train/run_config.h"

namespace ember::testing {

// An attention RNN over characters.
inline seq2seq::RunConfig tiny_dates_run() {
  seq2seq::RunConfig c;
  c.data.builtin = "dates";
  c.data.dates_train_size = 200;
  c.data.dates_valid_size = 30;
  c.data.dates_test_size = 30;
  c.tokenizer.kind = "char";
  c.tokenizer.vocab_size = 0;
  c.model = seq2seq::preset(seq2seq::Architecture::kRnnAttention, "tiny");
  c.model.embedding_dim = 8;
  c.model.hidden_size = 16;
  c.train.epochs = 1;
  c.train.max_tokens = 400;
  c.train.schedule = seq2seq::ScheduleKind::kConstant;
  c.train.warmup_steps = 0;
  c.train.lr = 3e-3f;
  c.train.metric = seq2seq::MetricKind::kExact;
  c.train.log_every = 2;
  return c;
}

// A Transformer on the same data, for two updates.
inline seq2seq::RunConfig tiny_transformer_run() {
  seq2seq::RunConfig c = tiny_dates_run();
  c.model = seq2seq::preset(seq2seq::Architecture::kTransformer, "tiny");
  c.model.hidden_size = 16;
  c.model.feedforward_dim = 16;
  c.model.num_heads = 4;
  c.train.max_steps = 2;
  return c;
}

}  // namespace ember::testing

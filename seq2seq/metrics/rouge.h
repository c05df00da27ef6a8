// ROUGE-N and ROUGE-L (Lin 2004) computed exactly as Google's rouge-score package does
// (rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer)): the text is
// lowercased, every run of characters outside [a-z0-9] separates tokens, with use_stemmer every
// token longer than 3 characters becomes its Porter stem (porter_stemmer.h), then
//
//   ROUGE-N:  overlap = sum over reference n-grams g of min(count_ref(g), count_pred(g))
//             P = overlap / max(#pred n-grams, 1)   R = overlap / max(#ref n-grams, 1)
//   ROUGE-L:  P = LCS / #pred tokens   R = LCS / #ref tokens   (0 if either side is empty)
//             LCS: longest common subsequence of the whole texts (not rougeLsum)
//   F = 2 P R / (P + R), 0 when P + R = 0.
//
// Scores are on rouge-score's 0..1 scale. The corpus score is the mean of the per-example scores
// (what its BootstrapAggregator reports as "mid" with confidence_interval=0, no resampling).
// Arguments come prediction first, reference second, as in bleu.h; note rouge-score's own
// RougeScorer.score() takes (target, prediction).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ember::seq2seq {

struct RougeOptions {
  // rouge-score's use_stemmer (off by default there and here; PEGASUS and most summarization
  // papers since score with it on).
  bool use_stemmer = false;
};

struct RougeScore {
  double precision = 0.0;
  double recall = 0.0;
  double fmeasure = 0.0;
};

struct RougeScores {
  RougeScore rouge1;
  RougeScore rouge2;
  RougeScore rouge_l;
};

struct RougeCorpusScores {
  RougeScores mean;  // the mean over examples of each P, R and F
  std::vector<RougeScores> per_example;
};

// rouge-score's tokenizer: "It's 2 A.M." -> it, s, 2, a, m; with use_stemmer "Meetings
// scheduled" -> meet, schedul.
std::vector<std::string> rouge_tokenize(std::string_view text, const RougeOptions& options = {});

// ROUGE-N (n >= 1) and ROUGE-L of token sequences.
RougeScore rouge_n(const std::vector<std::string>& prediction,
                   const std::vector<std::string>& reference, int n);
RougeScore rouge_l(const std::vector<std::string>& prediction,
                   const std::vector<std::string>& reference);

// ROUGE-1, ROUGE-2 and ROUGE-L of one prediction against its reference.
RougeScores rouge_scores(std::string_view prediction, std::string_view reference,
                         const RougeOptions& options = {});

// Per-example scores and their mean; predictions[i] is scored against references[i].
RougeCorpusScores corpus_rouge(const std::vector<std::string>& predictions,
                               const std::vector<std::string>& references,
                               const RougeOptions& options = {});

}  // namespace ember::seq2seq

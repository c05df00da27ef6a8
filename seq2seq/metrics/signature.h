// sacreBLEU's reproducibility signature, "nrefs:2|case:mixed|...|version:ember-0.1.0": the number
// of references, the resampling settings when scores were resampled, the metric's own settings,
// and last the implementation that produced the score. ember reproduces sacreBLEU 2.x's metrics
// but is not sacreBLEU, so the version field names ember and its version (docs/seq2seq.md,
// "Scoring files").
#pragma once

#include <string>

#include "ember/seq2seq/seq2seq.h"

namespace ember::seq2seq {

// "ember-<version>", the value of the version field.
inline std::string signature_version() { return std::string("ember-") + version(); }

// "nrefs:<nrefs>|[<resampling>|]<fields>|version:ember-<version>"; resampling is e.g.
// "bs:1000|seed:12345" (empty: none).
inline std::string make_signature(const std::string& nrefs, const std::string& fields,
                                  const std::string& resampling = "") {
  return "nrefs:" + nrefs + (resampling.empty() ? "" : "|" + resampling) + "|" + fields +
         "|version:" + signature_version();
}

}  // namespace ember::seq2seq

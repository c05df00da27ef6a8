// Several trained runs decoded as one ensemble (models/ensemble.h): translate and eval's
// --ensemble. The runs must share their vocabularies (the same tokenizer kind and the same piece
// at every id, source and target); their models may differ in architecture and size.
//
//   LoadedRun run = load_ensemble({"runs/a", "runs/b"}, "average");
//   DecodeOptions decode;
//   set_decode_limits(run.config, decode);
//   narrow_decode_limits(run.ensemble_configs, decode);
//   translate(*run.model, *run.source_tokenizer, *run.target_tokenizer, lines, decode);
#pragma once

#include <string>
#include <vector>

#include "ember/seq2seq/train/evaluation.h"
#include "ember/seq2seq/train/run.h"

namespace ember::seq2seq {

// Loads each run (load_run, the checkpoint `checkpoint` of each: "", best, last or average) and
// returns the first run, its model replaced by the EnsembleModel of all of them (in eval mode),
// its checkpoint naming every file used (comma-separated), ensemble_configs the other runs'
// configs. One run is load_run itself. Throws "[ensemble]" naming both runs and what differs
// when a run's vocabularies differ from the first's, and when `checkpoint` is a file path with
// more than one run (a file belongs to one run).
LoadedRun load_ensemble(const std::vector<std::string>& run_dirs, const std::string& checkpoint);

// Lowers the source and output limits of `decode` (set_decode_limits) to what each run in
// `configs` reads too: an ensemble decodes what every member can read.
void narrow_decode_limits(const std::vector<RunConfig>& configs, DecodeOptions& decode);

}  // namespace ember::seq2seq

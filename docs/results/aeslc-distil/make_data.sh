#!/usr/bin/env bash
# The training sets of the distilled AESLC runs (docs/results/aeslc-distil/README.md): the
# six-run ensemble's subjects for the 14,436 training bodies (sequence-level knowledge
# distillation, Kim & Rush 2016), decoded as the ensemble was chosen on validation, in two halves
# on the two cores. Writes two data directories for ember train --data:
#   OUT/distilled  the training bodies with the ensemble's subjects
#   OUT/mixed      the training bodies twice, with the senders' subjects and the ensemble's
# Both read validation and test from AESLC itself.
#
# usage: make_data.sh AESLC RUNS OUT
#   AESLC  the corpus directory (../shared/data/aeslc)
#   RUNS   the directory holding the six runs aeslc-words, aeslc-words-src96, aeslc-words-seed2..5
#   OUT    where the data directories go (and the two halves' outputs, train.{a,b}.hyp)
set -euo pipefail
aeslc=$(realpath "$1") runs=$2 out=$3
ember=${EMBER:-ember}
mkdir -p "$out/distilled" "$out/mixed"
zcat "$aeslc/train.tok.src.gz" > "$out/train.src"
head -n 7218 "$out/train.src" > "$out/train.a.src"
tail -n +7219 "$out/train.src" > "$out/train.b.src"
for half in a b; do  # a half decoded before (an interrupted run) is kept
  [ -s "$out/train.$half.hyp" ] && continue
  EMBER_NUM_THREADS=1 "$ember" translate --run "$runs/aeslc-words" \
    --ensemble "$runs/aeslc-words-src96,$runs/aeslc-words-seed2,$runs/aeslc-words-seed3,$runs/aeslc-words-seed4,$runs/aeslc-words-seed5" \
    --checkpoint best --input "$out/train.$half.src" --output "$out/train.$half.hyp" \
    --max-len-a 0 --max-len-b 24 --beam 4 --length-penalty 2.5 --beam-patience 3 \
    --min-len 2 --no-repeat-ngram 1 --disable-unk &
done
wait
cat "$out/train.a.hyp" "$out/train.b.hyp" | gzip > "$out/distilled/train.tok.tgt.gz"
ln -sf "$aeslc/train.tok.src.gz" "$out/distilled/train.tok.src.gz"
{ zcat "$aeslc/train.tok.src.gz"; zcat "$aeslc/train.tok.src.gz"; } | gzip > "$out/mixed/train.tok.src.gz"
{ zcat "$aeslc/train.tok.tgt.gz"; zcat "$out/distilled/train.tok.tgt.gz"; } | gzip > "$out/mixed/train.tok.tgt.gz"
for dir in distilled mixed; do
  for split in valid test; do
    for side in src tgt; do ln -sf "$aeslc/$split.tok.$side.gz" "$out/$dir/$split.tok.$side.gz"; done
  done
done
rm "$out"/train.src "$out"/train.?.src

#!/usr/bin/env bash
# Cross-fold distillation data for docs/results/aeslc-distil/README.md: the training emails in
# two folds (the first 7,218 and the other 7,218), a teacher trained on each fold, and each
# fold's bodies labelled by the teacher that never saw them.
#
# usage: make_cross_data.sh folds AESLC OUT
#          OUT/a, OUT/b: one fold each as a data directory (validation and test: AESLC's own);
#          then train a teacher on each: ember train --config
#          docs/results/aeslc-distil/fold-teacher/config.json --data OUT/a (and OUT/b) --run-dir ...
#        make_cross_data.sh label AESLC OUT TEACHER_A TEACHER_B
#          OUT/cross: the training bodies twice, with the senders' subjects and the other fold's
#          teacher's (greedy, as the single model was chosen on validation)
set -euo pipefail
step=$1 aeslc=$(realpath "$2") out=$3
ember=${EMBER:-ember}
link_eval_splits() {
  for split in valid test; do
    for side in src tgt; do ln -sf "$aeslc/$split.tok.$side.gz" "$1/$split.tok.$side.gz"; done
  done
}
mkdir -p "$out"
zcat "$aeslc/train.tok.src.gz" > "$out/train.src"
zcat "$aeslc/train.tok.tgt.gz" > "$out/train.tgt"
if [ "$step" = folds ]; then
  mkdir -p "$out/a" "$out/b"
  for side in src tgt; do
    head -n 7218 "$out/train.$side" | gzip > "$out/a/train.tok.$side.gz"
    tail -n +7219 "$out/train.$side" | gzip > "$out/b/train.tok.$side.gz"
  done
  link_eval_splits "$out/a"
  link_eval_splits "$out/b"
else
  teacher_a=$4 teacher_b=$5
  head -n 7218 "$out/train.src" > "$out/bodies.a"
  tail -n +7219 "$out/train.src" > "$out/bodies.b"
  for pair in "$teacher_b a" "$teacher_a b"; do
    set -- $pair
    EMBER_NUM_THREADS=1 "$ember" translate --run "$1" --checkpoint best --input "$out/bodies.$2" \
      --output "$out/labels.$2" --max-len-a 0 --max-len-b 24 --min-len 2 --no-repeat-ngram 1 \
      --disable-unk &
  done
  wait
  mkdir -p "$out/cross"
  cat "$out/train.src" "$out/train.src" | gzip > "$out/cross/train.tok.src.gz"
  cat "$out/train.tgt" "$out/labels.a" "$out/labels.b" | gzip > "$out/cross/train.tok.tgt.gz"
  link_eval_splits "$out/cross"
  rm "$out/bodies.a" "$out/bodies.b"
fi
rm "$out/train.src" "$out/train.tgt"

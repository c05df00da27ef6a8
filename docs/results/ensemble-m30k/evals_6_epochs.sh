E=./ember-measure
D="--split test2016 --bleu-tokenize none"
export EMBER_NUM_THREADS=1
for s in $RUNS; do
  $E average --run runs/m30k-s$s-e6 --last 5
  $E average --run runs/m30k-s$s-e6 --last 10 --output runs/m30k-s$s-e6/avg10.safetensors
  for c in last average runs/m30k-s$s-e6/avg10.safetensors; do
    echo "## s$s-e6 $c"; $E eval --run runs/m30k-s$s-e6 --checkpoint $c $D
  done
done
E=./ember-measure
D="--split test2016 --bleu-tokenize none"
export EMBER_NUM_THREADS=1
for c in last average; do
  echo "## ensemble-e6 $c"; $E eval --run runs/m30k-s1-e6 --ensemble runs/m30k-s2-e6 --checkpoint $c $D
done
echo "## s1-e6 last beam5"; $E eval --run runs/m30k-s1-e6 --checkpoint last $D --beam 5 --length-penalty 1.0
echo "## ensemble-e6 last beam5"; $E eval --run runs/m30k-s1-e6 --ensemble runs/m30k-s2-e6 --checkpoint last $D --beam 5 --length-penalty 1.0

set -x
E=./ember-measure
D="--split test2016 --bleu-tokenize none"
export EMBER_NUM_THREADS=1
for s in 1 2; do
  $E average --run runs/m30k-s$s --last 5
  $E average --run runs/m30k-s$s --last 10 --output runs/m30k-s$s/avg10.safetensors
  for c in last average runs/m30k-s$s/avg10.safetensors best; do
    echo "## s$s $c"; $E eval --run runs/m30k-s$s --checkpoint $c $D
  done
done
for c in last average; do
  echo "## ensemble $c"; $E eval --run runs/m30k-s1 --ensemble runs/m30k-s2 --checkpoint $c $D
done
echo "## s1 last beam5"; $E eval --run runs/m30k-s1 --checkpoint last $D --beam 5 --length-penalty 1.0
echo "## s1 average beam5"; $E eval --run runs/m30k-s1 --checkpoint average $D --beam 5 --length-penalty 1.0
echo "## ensemble average beam5"; $E eval --run runs/m30k-s1 --ensemble runs/m30k-s2 --checkpoint average $D --beam 5 --length-penalty 1.0

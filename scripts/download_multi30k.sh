#!/bin/sh
# Downloads Multi30k (WMT16 multimodal task 1, English<->German; Elliott et al., 2016) from its
# public repository, github.com/multi30k/dataset, into the layout `ember train --data` reads:
#   <dir>/<split>.{de,en}.gz       raw, cased text
#   <dir>/<split>.tok.{de,en}.gz   lowercased, Moses-tokenized text (what the word-level runs use)
# with the splits train, valid, test2016, test2017, test2017mscoco, test2018.
# The data is for non-commercial research and education (see the repository's README).
#
#   scripts/download_multi30k.sh data/multi30k
#   ember train --data data/multi30k --src de --tgt en --tokenized --test-split test2016 ...
set -eu

dir=${1:-data/multi30k}
# The commit the runs in docs/seq2seq.md were measured with (test2018 German references included).
commit=a3d2e0d26b56f3846f66a952536ffed4e401d05a
base=https://raw.githubusercontent.com/multi30k/dataset/$commit/data/task1

command -v curl >/dev/null 2>&1 || { echo "download_multi30k: needs curl (apt-get install curl)" >&2; exit 2; }
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {  # URL FILE: download to a temporary name first, so a failed download leaves nothing
  curl --fail --location --silent --show-error --retry 3 -o "$tmp/part" "$1" ||
    { echo "download_multi30k: could not download $1" >&2; exit 2; }
  mv "$tmp/part" "$2"
}

for pair in train:train val:valid test_2016_flickr:test2016 test_2017_flickr:test2017 \
            test_2017_mscoco:test2017mscoco test_2018_flickr:test2018; do
  upstream=${pair%%:*}
  split=${pair#*:}
  for side in de en; do
    fetch "$base/raw/$upstream.$side.gz" "$dir/$split.$side.gz"
    fetch "$base/tok/$upstream.lc.norm.tok.$side" "$tmp/tok"
    gzip -c "$tmp/tok" > "$dir/$split.tok.$side.gz"
    echo "$dir/$split.$side.gz, $dir/$split.tok.$side.gz"
  done
done
echo "Multi30k is in $dir"

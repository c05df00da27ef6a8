#!/usr/bin/env python3
"""Gap-sentence pretraining data from the AESLC training bodies (PEGASUS, Zhang et al. 2020).

For each training email, the sentences that start within the part of the body the model reads
(the first --window words) are scored by ROUGE-1 F1 against the rest of the body ("Ind-Orig":
each sentence on its own, against the body without it); the best --per-email of them become
examples: the source is the body with that sentence replaced by one mask word, the target the
sentence without its final punctuation. Only the training split is read (validation and test
bodies stay unseen). Writes OUT/train.tok.{src,tgt}.gz and links validation and test from
AESLC, a data directory for `ember train --data`.

usage: make_gsg_data.py AESLC OUT [--per-email 2] [--window 64]
"""
import argparse
import collections
import gzip
import os

ENDS = {".", "?", "!"}
MASK = "<mask>"  # not in the vocabulary: the tokenizer reads it as <unk>


def sentences(words):
    """Split a tokenized body into sentences at ., ? and ! (each kept with its sentence)."""
    out, current = [], []
    for w in words:
        current.append(w)
        if w in ENDS:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def rouge1_f(candidate, reference):
    """ROUGE-1 F1 of two bags of words (clipped unigram counts)."""
    c, r = collections.Counter(candidate), collections.Counter(reference)
    overlap = sum((c & r).values())
    if overlap == 0:
        return 0.0
    p, q = overlap / sum(c.values()), overlap / sum(r.values())
    return 2 * p * q / (p + q)


def examples(body, per_email, window):
    sents = sentences(body.split())
    start, scored = 0, []
    for i, s in enumerate(sents):
        text = [w for w in s if w not in ENDS]
        if start < window and 3 <= len(text) <= 24:
            rest = [w for j, t in enumerate(sents) if j != i for w in t]
            scored.append((rouge1_f(text, rest), i, text))
        start += len(s)
    scored.sort(key=lambda x: (-x[0], x[1]))
    for _, i, text in scored[:per_email]:
        source = [w for j, t in enumerate(sents) for w in (t if j != i else [MASK])]
        yield " ".join(source), " ".join(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("aeslc")
    ap.add_argument("out")
    ap.add_argument("--per-email", type=int, default=2)
    ap.add_argument("--window", type=int, default=64)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    aeslc = os.path.realpath(args.aeslc)
    count = 0
    with gzip.open(os.path.join(aeslc, "train.tok.src.gz"), "rt") as bodies, \
         gzip.open(os.path.join(args.out, "train.tok.src.gz"), "wt") as src, \
         gzip.open(os.path.join(args.out, "train.tok.tgt.gz"), "wt") as tgt:
        for body in bodies:
            for s, t in examples(body, args.per_email, args.window):
                src.write(s + "\n")
                tgt.write(t + "\n")
                count += 1
    for split in ("valid", "test"):
        for side in ("src", "tgt"):
            link = os.path.join(args.out, f"{split}.tok.{side}.gz")
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(os.path.join(aeslc, f"{split}.tok.{side}.gz"), link)
    print(f"{count} examples in {args.out}")


if __name__ == "__main__":
    main()

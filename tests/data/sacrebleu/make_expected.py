#!/usr/bin/env python3
"""Writes the expected outputs of sacreBLEU for ember's metric tests (tests/test_score_fixtures.cpp,
tests/test_cli_score.cpp). Run with sacreBLEU importable, from this directory:

    PYTHONPATH=/path/to/sacrebleu python3 make_expected.py

It writes hyp.txt, hyp2.txt, ref1.txt, ref2.txt (edge cases: empty lines, Unicode, CJK,
punctuation, numbers), tokenized.tsv (each tokenizer on each line), expected.txt (sacreBLEU's
command-line output for each case), ter_edits.tsv (lib_ter's edit counts on long segments) and
expected_bootstrap.txt (--confidence and --paired-bs). ember's tests read these files; they never run sacreBLEU.
"""
import subprocess
import sys

import sacrebleu
from sacrebleu.metrics.bleu import _get_tokenizer
from sacrebleu.tokenizers.tokenizer_ter import TercomTokenizer

HYP = [
    "",
    "",
    "Hello, world!",
    "Le prix est de 1,234.56 € (TVA incluse).",
    "我们今天去北京。",
    "「こんにちは」と彼は言った。東京は2024年に暑かった",
    "In 1999, 3.5% of 10,000 people - i.e. 350 - left.",
    "He said—“no”—and left… “Really?”",
    "Ελληνικά κείμενα, русский текст; ÉTÉ à Zürich.",
    "a+b=c, $5 < €6 & 'quoted' <skipped> &amp; &quot;x&quot; ©®™ ±×÷",
    "I ❤ NY 😀 𠀀 test ① ½ ² Ⅻ",
    "  multiple   spaces\u00a0nbsp\u3000ideographic",
    "state-of-the-art 2-3 e-mail 4-",
    "John's car isn't Mary's.",
    "the the the cat cat on mat",
    "안녕하세요, 세계! 반갑습니다.",
    "١٢٣ ४५६ numbers 12.5, 3,4 .5 5.",
    "the quick brown fox jumps over the lazy dog near the river bank today",
    "ＡＢＣ，全角！（括弧）",
    "THE CAT Sat On The MAT",
]
REF1 = [
    "",
    "The cat sat.",
    "",
    "Le prix est 1.234,56 € TVA incluse.",
    "我们今天去了北京。",
    "「こんにちは」と彼は言いました。東京は2024年、暑かった。",
    "In 1999, 3.5 % of 10,000 people (i.e. 350) left.",
    "He said \"no\" - and left... \"Really?\"",
    "Ελληνικό κείμενο, русский текст: été à Zurich.",
    "a + b = c, $5 < €6 & \"quoted\" &amp; ©®™ ±×÷",
    "I love NY 😀 𠀀 test ① ½ ² Ⅻ",
    "multiple spaces nbsp ideographic",
    "state of the art 2 - 3 email 4 -",
    "John's car is not Mary's.",
    "on the mat the cat",
    "안녕하세요, 세상! 반가워요.",
    "١٢٣ ४५६ numbers 12.5 , 3,4 .5 5 .",
    "today the lazy dog near the river bank was jumped over by the quick brown fox",
    "ABC，全角！（括弧）",
    "the cat sat on the mat",
]
REF2 = [
    "",
    "A cat sat.",
    "Hello world!",
    "Le prix est de 1 234,56 € (TVA comprise).",
    "今天我们去北京。",
    "彼は「こんにちは」と言った。",
    "In 1999, 3.5% of 10,000 people - i.e. 350 - left.",
    "He said “no” and left…",
    "Ελληνικά, русский; ÉTÉ à Zürich.",
    "",
    "I ❤ New York 😀",
    "multiple spaces",
    "state-of-the-art 2-3 e-mail",
    "Johns car isnt Marys",
    "the cat on the mat",
    "안녕, 세계!",
    "123 456 numbers 12.5, 3,4 .5 5.",
    "the quick brown fox jumped over the lazy dog near the bank of the river today",
    "ＡＢＣ，全角!(括弧)",
    "THE CAT SAT ON THE MAT",
]
# A second system for the paired test: the first with a few lines closer to the references.
HYP2 = list(HYP)
HYP2[14] = "the cat on the mat"
HYP2[17] = "the quick brown fox jumped over the lazy dog near the river bank today"
HYP2[19] = "the cat sat on the mat"

# sacreBLEU command-line cases: metrics and flags; the same flags exist in `ember score`.
CASES = [
    (["bleu", "chrf", "ter"], []),
    (["bleu"], ["--tokenize", "none"]),
    (["bleu"], ["--tokenize", "intl"]),
    (["bleu"], ["--tokenize", "char"]),
    (["bleu"], ["--tokenize", "zh"]),
    (["bleu"], ["--lowercase"]),
    (["bleu"], ["--smooth-method", "floor", "--smooth-value", "0.5"]),
    (["bleu"], ["--smooth-method", "add-k"]),
    (["chrf"], ["--chrf-word-order", "2"]),
    (["chrf"], ["--chrf-lowercase", "--chrf-whitespace"]),
    (["chrf"], ["--chrf-eps-smoothing"]),
    (["ter"], ["--ter-case-sensitive"]),
    (["ter"], ["--ter-normalized"]),
    (["ter"], ["--ter-no-punct"]),
    (["ter"], ["--ter-normalized", "--ter-asian-support", "--ter-no-punct"]),
    (["bleu"], ["--sentence-level"]),
    (["chrf"], ["--sentence-level", "--chrf-word-order", "2"]),
    (["ter"], ["--sentence-level"]),
    (["bleu", "chrf", "ter"], ["--format", "json"]),
    (["chrf"], ["--format", "json", "--chrf-word-order", "2"]),
]


def ter_stress_cases():
    """Long and uneven segments with many repeated words, where tercom's beam, its widening for
    uneven lengths and the 1000-candidate limit of the shift search come into play."""
    import random
    rng = random.Random(19)
    vocab = "the a of cat dog mat sat on in and to is was it".split()
    cases = []
    for n_hyp, n_ref in [(30, 32), (60, 55), (120, 118), (5, 150), (150, 6), (80, 80), (200, 190)]:
        ref = [rng.choice(vocab) for _ in range(n_ref)]
        hyp = list(ref[:n_hyp]) + [rng.choice(vocab) for _ in range(max(0, n_hyp - n_ref))]
        for _ in range(n_hyp // 5):  # move blocks, substitute words
            i, j = rng.randrange(n_hyp), rng.randrange(n_hyp)
            block = hyp[i:i + 3]
            del hyp[i:i + 3]
            hyp[j:j] = block
            hyp[rng.randrange(len(hyp))] = rng.choice(vocab)
        cases.append((" ".join(hyp), " ".join(ref)))
    return cases


def write_lines(name, lines):
    with open(name, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(line + "\n" for line in lines))


def main():
    for name, lines in [("hyp.txt", HYP), ("hyp2.txt", HYP2), ("ref1.txt", REF1),
                        ("ref2.txt", REF2)]:
        write_lines(name, lines)
    rows = []
    for tok in ["13a", "intl", "char", "zh"]:
        tokenizer = _get_tokenizer(tok)()
        for line in HYP + REF1:
            rows.append(f"{tok}\t{line}\t{tokenizer(line.rstrip())}")
    for flags in ["", "normalized", "normalized,asian_support", "no_punct",
                  "no_punct,asian_support", "case_sensitive"]:
        kwargs = {k: True for k in flags.split(",") if k}
        tokenizer = TercomTokenizer(**kwargs)
        for line in HYP + REF1:
            rows.append(f"ter:{flags}\t{line}\t{tokenizer(line.rstrip())}")
    write_lines("tokenized.tsv", rows)
    from sacrebleu.metrics.lib_ter import translation_edit_rate
    ter_rows = []
    for hyp, ref in ter_stress_cases():
        edits, ref_len = translation_edit_rate(hyp.split(), ref.split())
        ter_rows.append(f"{hyp}\t{ref}\t{edits}\t{ref_len}")
    write_lines("ter_edits.tsv", ter_rows)
    out = []
    for metrics, flags in CASES:
        for refs in [["ref1.txt"], ["ref1.txt", "ref2.txt"]]:
            cmd = [sys.executable, "-m", "sacrebleu", *refs, "-i", "hyp.txt", "-m", *metrics,
                   "-f", "text", "-w", "4", "--no-color", *flags]
            text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            out.append(f"$ {' '.join(refs)} | {','.join(metrics)} | {' '.join(flags)}")
            out.extend(text.rstrip("\n").split("\n"))
    write_lines("expected.txt", out)
    # Resampling (numpy's generator, seed 12345): ember draws other resamples, so its tests
    # compare these within resampling noise.
    boot = []
    for cmd in [["ref1.txt", "-i", "hyp.txt", "-m", "bleu", "chrf", "ter", "--confidence"],
                ["ref1.txt", "-i", "hyp.txt", "hyp2.txt", "-m", "bleu", "chrf", "ter",
                 "--paired-bs"]]:
        text = subprocess.run([sys.executable, "-m", "sacrebleu", *cmd, "-f", "text", "-w", "4",
                               "--no-color"], check=True, capture_output=True, text=True).stdout
        boot.append(f"$ {' '.join(cmd)}")
        boot.extend(text.rstrip("\n").split("\n"))
    write_lines("expected_bootstrap.txt", boot)
    print("sacreBLEU", sacrebleu.__version__)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes stems.tsv, NLTK's Porter stems for ember's stemmer test (tests/test_porter_stemmer.cpp).
Run from this directory with Debian 12's python3-nltk (3.8) and wamerican installed:

    /usr/bin/python3 make_stems.py

Each line is `word<TAB>stem` from nltk.stem.porter.PorterStemmer() in its default mode
(NLTK_EXTENSIONS), the stemmer rouge-score's use_stemmer=True calls. The words: every 8th of
/usr/share/dict/words (lowercase ASCII letters only, apostrophes dropped, duplicates removed),
every dictionary word that meets one of NLTK's departures from Porter's paper (the irregular
forms; -ies and -ied of four letters; -alli, -fulli, -logi, -bli; a final y after a vowel; a
two-letter stem before -ed or -ing), the examples of Porter's paper, and tokens with digits.
ember's tests read the file; they never run NLTK.
"""
import re

import nltk
from nltk.stem.porter import PorterStemmer

PAPER = """caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated
troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational
conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli
analogousli vietnamization predication operator feudalism decisiveness hopefulness callousness
formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful
goodness revival allowance inference airliner gyroscopic adjustable defensible irritant
replacement adjustment dependent adoption homologou communism activate angulariti homologous
effective bowdlerize probate rate cease controll roll generalizations oscillators""".split()
DIGITS = "2nd 1990s mp3s 4ever 3d 10th b2b win32 ipv6 covid19 a1 99".split()
NLTK_CASES = re.compile(r"(^.ies$|^.ied$|alli$|fulli$|logi$|bli$|[aeiou]y$|^[aeiou][^aeiou](ed|ing)$)")


def main():
    with open("/usr/share/dict/words", encoding="utf-8") as f:
        words = [w.strip().lower().replace("'", "") for w in f]
    words = sorted({w for w in words if re.fullmatch(r"[a-z]+", w)})
    chosen = set(words[::8]) | {w for w in words if NLTK_CASES.search(w)}
    chosen |= set(PAPER) | set(DIGITS)
    chosen |= {"dying", "lying", "tying", "skies", "news", "innings", "outings", "cannings",
               "howe", "proceed", "exceed", "succeed", "a", "at", "by", "ies", "ied", "sses"}
    stemmer = PorterStemmer()
    assert stemmer.mode == PorterStemmer.NLTK_EXTENSIONS
    with open("stems.tsv", "w", encoding="utf-8") as out:
        out.write(f"# nltk {nltk.__version__} PorterStemmer() (NLTK_EXTENSIONS): word<TAB>stem\n")
        for w in sorted(chosen):
            out.write(f"{w}\t{stemmer.stem(w)}\n")


if __name__ == "__main__":
    main()

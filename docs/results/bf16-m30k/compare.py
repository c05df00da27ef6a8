#!/usr/bin/python3
"""The fp32 and bf16 runs side by side at equal updates: training loss (every --log-every
updates), validation loss and BLEU (each epoch's end), and the largest relative differences.

    docs/results/bf16-m30k/compare.py FP32_METRICS.csv BF16_METRICS.csv

Only the updates both runs have reached are compared. Python standard library only.
"""
import csv
import sys


def rows(path):
    with open(path, newline="") as f:
        return {int(r["step"]): r for r in csv.DictReader(f)}


def value(row, key):
    text = row.get(key, "")
    return float(text) if text else None


def main():
    fp32, bf16 = rows(sys.argv[1]), rows(sys.argv[2])
    print("update  fp32 loss  bf16 loss  rel.diff   fp32 valid  bf16 valid  rel.diff   fp32 BLEU  bf16 BLEU")
    worst = {"loss": 0.0, "valid_loss": 0.0}
    for step in sorted(set(fp32) & set(bf16)):
        a, b = fp32[step], bf16[step]
        cells = [f"{step:6d}"]
        for key in ("loss", "valid_loss"):
            x, y = value(a, key), value(b, key)
            if x is None or y is None:
                cells += ["", "", ""]
                continue
            rel = abs(y - x) / x
            worst[key] = max(worst[key], rel)
            cells += [f"{x:.4f}", f"{y:.4f}", f"{rel:.2%}"]
        x, y = value(a, "valid_bleu"), value(b, "valid_bleu")
        cells += [f"{x:.2f}" if x is not None else "", f"{y:.2f}" if y is not None else ""]
        print("  ".join(c.rjust(9) for c in cells).rstrip())
    print(f"largest relative difference: training loss {worst['loss']:.2%}, "
          f"validation loss {worst['valid_loss']:.2%}")


if __name__ == "__main__":
    main()

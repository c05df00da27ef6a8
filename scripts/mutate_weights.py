#!/usr/bin/env python3
"""Damage a run's weights file at random and check that ember never uses a damaged file silently.

Each trial flips one random bit (or, with --bytes, overwrites one random byte) of a copy of the
file, then translates a fixed set of inputs with it (`ember translate --checkpoint COPY`). A
trial ends one of three ways:
  refused    ember exits 2 naming the file: the damage was caught
  unchanged  the output is byte-identical to the undamaged file's (the damage hit bytes that do
             not change what is loaded, e.g. the padding of the header)
  SILENT     exit 0 with a different output: a damaged file used without a word (must be 0)

  scripts/mutate_weights.py --ember build/seq2seq/ember --run runs/good --trials 300
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile


def translate(ember, run, checkpoint, inputs):
    p = subprocess.run([ember, "translate", "--run", run, "--checkpoint", checkpoint],
                       input=inputs, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ember", required=True)
    ap.add_argument("--run", required=True, help="a run directory (ember train)")
    ap.add_argument("--file", default="checkpoints/best.safetensors", help="relative to --run")
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--bytes", action="store_true", help="overwrite a random byte, not a bit")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--inputs", default="tuesday, 3 march 1998\n12/25/99\n3 mar. 98\n"
                    "sunday, 17 july 2005\n1 jan 2000\n08/07/1971\n")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    original = open(os.path.join(args.run, args.file), "rb").read()
    inputs = args.inputs.encode()
    with tempfile.TemporaryDirectory() as tmp:
        clean = os.path.join(tmp, "clean.safetensors")
        open(clean, "wb").write(original)
        code, reference, err = translate(args.ember, args.run, clean, inputs)
        if code != 0:
            sys.exit(f"the undamaged file does not translate: {err.decode()}")
        counts = {"refused": 0, "unchanged": 0, "SILENT": 0}
        for trial in range(args.trials):
            data = bytearray(original)
            at = rng.randrange(len(data))
            if args.bytes:
                data[at] = rng.choice([b for b in range(256) if b != data[at]])
            else:
                data[at] ^= 1 << rng.randrange(8)
            damaged = os.path.join(tmp, "damaged.safetensors")
            open(damaged, "wb").write(bytes(data))
            code, out, err = translate(args.ember, args.run, damaged, inputs)
            if code == 2 and b"error" in err:
                kind = "refused"
            elif code == 0 and out == reference:
                kind = "unchanged"
            elif code == 0:
                kind = "SILENT"
            else:
                sys.exit(f"trial {trial}: byte {at}: exit code {code}: {err.decode()}")
            counts[kind] += 1
            if kind == "SILENT":
                print(f"trial {trial}: byte {at} of {len(data)}: output changed silently")
    print(f"{args.trials} trials on {args.file} ({len(original)} bytes, "
          f"{'random byte' if args.bytes else 'one bit'} each): "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    sys.exit(1 if counts["SILENT"] else 0)


if __name__ == "__main__":
    main()

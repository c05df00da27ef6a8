#!/usr/bin/env python3
"""Predicted data-parallel efficiency beyond one machine (docs/distributed.md).

A ring all-reduce of S bytes over N nodes sends and receives 2 (N - 1) / N * S bytes per node in
2 (N - 1) steps (Patarasuk and Yuan, 2009), so at link bandwidth B and per-step latency a:
    t_ar(N) = 2 (N - 1) / N * S / B + 2 (N - 1) * a.
A step whose compute takes C seconds on one node, the global batch split over N nodes
(--batch-tokens stays the global batch: strong scaling), costs C / N + (1 - h) * t_ar(N), where h
is the share of the all-reduce hidden behind backward; the efficiency is
    E(N) = C / (N * (C / N + (1 - h) t_ar(N))) = 1 / (1 + N (1 - h) t_ar(N) / C).
With the batch per node fixed instead (weak scaling: the global batch grows with N):
    E(N) = C / (C + (1 - h) t_ar(N)).

usage: allreduce_model.py NAME:BYTES:COMPUTE_SECONDS ... [--hidden H] [--latency-us A]
"""
import sys


def t_allreduce(nbytes, nodes, gbit_s, latency_s):
    if nodes == 1:
        return 0.0
    return 2 * (nodes - 1) / nodes * nbytes / (gbit_s * 1e9 / 8) + 2 * (nodes - 1) * latency_s


def main(argv):
    hidden, latency_us, models = 0.0, 5.0, []
    i = 0
    while i < len(argv):
        if argv[i] == "--hidden":
            hidden = float(argv[i + 1]); i += 2
        elif argv[i] == "--latency-us":
            latency_us = float(argv[i + 1]); i += 2
        else:
            name, nbytes, compute = argv[i].split(":")
            models.append((name, float(nbytes), float(compute))); i += 1
    if not models:
        print(__doc__, file=sys.stderr)
        return 2
    nodes = [2, 4, 8, 16, 32, 64]
    for name, nbytes, compute in models:
        print(f"## {name}: {nbytes / 1e6:.1f} MB of gradients a step, compute {compute * 1e3:.0f} ms "
              f"a step on one node, {hidden:.0%} of the all-reduce hidden, latency {latency_us:g} us")
        print("| Gb/s | all-reduce at N=2 (ms) | N=64 (ms) | " +
              " | ".join(f"E strong N={n}" for n in nodes) + " | " +
              " | ".join(f"E weak N={n}" for n in nodes) + " |")
        print("|" + " --- |" * (3 + 2 * len(nodes)))
        for gbit in (10, 25, 100):
            t = [t_allreduce(nbytes, n, gbit, latency_us * 1e-6) for n in nodes]
            strong = [1 / (1 + n * (1 - hidden) * tn / compute) for n, tn in zip(nodes, t)]
            weak = [compute / (compute + (1 - hidden) * tn) for tn in t]
            print(f"| {gbit} | {t[0] * 1e3:.1f} | {t[-1] * 1e3:.1f} | " +
                  " | ".join(f"{e:.2f}" for e in strong) + " | " +
                  " | ".join(f"{e:.2f}" for e in weak) + " |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/python3
"""Runs bench/'s workloads on ember and libtorch, alternating them, and compares the medians.

    bench/run.py [--build-dir build] [--workloads "w1 w2 ..."] [--reps R] [--warmup W]
                 [--rounds N] [--threads 2] [--isa-levels "avx2 portable"]
                 [--peer-coretype-unset] [--bf16] [--int8] [--out results.jsonl]

Each round runs every configuration once per workload, one process each, in this order:
ember (2 threads), libtorch (1 thread), ember (1 thread), libtorch (2 threads,
OMP_WAIT_POLICY=PASSIVE), libtorch (2 threads, default wait policy); then ember (2 threads) with
EMBER_ISA set to each of --isa-levels, and with --peer-coretype-unset libtorch (1 thread, and 2
threads passive) with OPENBLAS_CORETYPE removed from the environment (OpenBLAS then picks its
kernels from the CPU); with --bf16, ember (2 threads, then 1) with its products in bf16
(ember-bench --precision bf16). The samples of all rounds are pooled per configuration. The peer is
libtorch's best configuration by median. The first table compares ember at 2 threads with the
peer, the second ember and libtorch at 1 thread; the third (when the run has W6) gives each
ember configuration's W1/W2 GFLOP/s as a fraction of the best 2-thread sgemm rate of the run;
with --bf16 a fourth gives each figure's bf16/fp32 ratio at 2 and 1 threads. With --int8, each W4
workload of the run is followed by its int8 twin (w4kv_b1_int8: ember's weight products on int8
weights, `ember translate --quantize int8`), which only ember runs; a last table gives int8 against
ember fp32 and against libtorch's best fp32 of the same workload.
Every RESULT line (with its configuration and round), every summary and every ratio is written
as a JSON line to --out. See docs/performance.md. Python standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

WORKLOADS = ["w1", "w2", "w3", "w3glu", "w4kv_b1", "w4kv_b32", "w5_1", "w5_64", "w6"]
INT8_SUFFIX = "_int8"  # ember-bench's int8 twin of a W4 workload (libtorch has none)
THREAD_VARS = ["OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS", "EMBER_NUM_THREADS",
               "MKL_NUM_THREADS", "GOMP_SPINCOUNT", "EMBER_ISA"]
REPO = Path(__file__).resolve().parent.parent


def configurations(threads, isa_levels=(), coretype_unset=False, bf16=False):
    """(label, impl, threads, environment, arguments) in the order of a round; an environment
    value of None removes that variable; the arguments are added to the program's."""
    def torch_env(n, passive):
        env = {"OMP_NUM_THREADS": str(n), "OPENBLAS_NUM_THREADS": str(n)}
        if passive:
            env["OMP_WAIT_POLICY"] = "PASSIVE"
        return env
    return [
        (f"ember-{threads}t", "ember", threads, {"EMBER_NUM_THREADS": str(threads)}, []),
        ("libtorch-1t", "libtorch", 1, torch_env(1, False), []),
        ("ember-1t", "ember", 1, {"EMBER_NUM_THREADS": "1"}, []),
        (f"libtorch-{threads}t-passive", "libtorch", threads, torch_env(threads, True), []),
        (f"libtorch-{threads}t-default", "libtorch", threads, torch_env(threads, False), []),
    ] + [
        (f"ember-{threads}t-{isa}", "ember", threads,
         {"EMBER_NUM_THREADS": str(threads), "EMBER_ISA": isa}, []) for isa in isa_levels
    ] + ([
        ("libtorch-1t-nocoretype", "libtorch", 1,
         {**torch_env(1, False), "OPENBLAS_CORETYPE": None}, []),
        (f"libtorch-{threads}t-passive-nocoretype", "libtorch", threads,
         {**torch_env(threads, True), "OPENBLAS_CORETYPE": None}, []),
    ] if coretype_unset else []) + ([
        (f"ember-{n}t-bf16", "ember", n, {"EMBER_NUM_THREADS": str(n)}, ["--precision", "bf16"])
        for n in (threads, 1)
    ] if bf16 else [])


def lower_is_better(unit):
    return unit.startswith("us/") or unit.startswith("ms/") or unit == "s"


def run_one(binary, workload, threads, env_vars, extra, args):
    """Runs one process; returns (list of RESULT dicts, error text or None)."""
    command = [str(binary), "--workload", workload, "--threads", str(threads)] + extra
    if args.reps:
        command += ["--reps", str(args.reps)]
    if args.warmup is not None:
        command += ["--warmup", str(args.warmup)]
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    for key, value in env_vars.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True,
                              timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return [], f"timed out after {args.timeout} s"
    results = [json.loads(line[len("RESULT "):]) for line in done.stdout.splitlines()
               if line.startswith("RESULT ")]
    if done.returncode != 0:
        return results, f"exit status {done.returncode}: {done.stderr.strip()[-500:]}"
    return results, None


class Pool:
    """Samples of one figure under one configuration, pooled over rounds."""

    def __init__(self, result):
        self.unit = result["unit"]
        self.samples, self.mins, self.maxs, self.rss = [], [], [], 0
        self.flops_per_step = result.get("flops_per_step")
        self.isa = result.get("isa")  # ember's instruction set and GEMM library (RESULT labels)
        self.gemm = result.get("gemm")

    def add(self, result):
        self.samples += result.get("samples") or [result["median"]]
        self.mins.append(result["min"])
        self.maxs.append(result["max"])
        self.rss = max(self.rss, int(result.get("maxrss_kb", 0)))

    def median(self):
        return statistics.median(self.samples)

    def summary(self):
        return {"unit": self.unit, "median": self.median(), "min": min(self.mins),
                "max": max(self.maxs), "n": len(self.samples), "maxrss_kb": self.rss,
                "isa": self.isa, "gemm": self.gemm}


def find_binary(explicit, build_dir, name):
    path = Path(explicit) if explicit else Path(build_dir) / "bench" / name
    return path if path.is_file() and os.access(path, os.X_OK) else None


def run_all(args, binaries, out):
    """Runs every round; returns {figure: {config label: Pool}} in first-seen figure order."""
    pools = {}
    configs = [c for c in configurations(args.threads, args.isa_levels, args.peer_coretype_unset,
                                         args.bf16) if binaries[c[1]]]
    workloads = []
    for workload in args.workloads:
        twin = args.int8 and workload.startswith("w4")
        workloads += [workload] + ([workload + INT8_SUFFIX] if twin else [])
    for workload in workloads:
        for round_index in range(1, args.rounds + 1):
            for label, impl, threads, env_vars, extra in configs:
                if impl != "ember" and workload.endswith(INT8_SUFFIX):
                    continue
                started = time.monotonic()
                results, error = run_one(binaries[impl], workload, threads, env_vars, extra, args)
                seconds = time.monotonic() - started
                for result in results:
                    result.update(kind="result", config=label, round=round_index, env=env_vars,
                                  process_seconds=round(seconds, 2))
                    out.write(json.dumps(result) + "\n")
                    pool = pools.setdefault(result["workload"], {})
                    pool.setdefault(label, Pool(result)).add(result)
                    log(f"{workload} round {round_index} {label}: {result['workload']} "
                        f"{result['median']:.4g} {result['unit']} ({seconds:.1f} s)")
                if error:
                    out.write(json.dumps({"kind": "error", "workload": workload, "config": label,
                                          "round": round_index, "error": error}) + "\n")
                    log(f"{workload} round {round_index} {label}: FAILED {error}")
                out.flush()
    return pools


def log(text):
    print(text, file=sys.stderr, flush=True)


def gflops(figure, pools, label):
    """GFLOP/s of a training figure (w1, w1_tok, ...) from the steps/s pool of its workload."""
    base = pools.get(figure.removesuffix("_tok"), {}).get(label)
    if base is None or base.flops_per_step is None:
        return None
    return base.flops_per_step * base.median() / 1e9


def best_peer(by_config, threads_filter=None):
    """(label, Pool) of libtorch's best configuration by median, or (None, None)."""
    candidates = [(label, pool) for label, pool in by_config.items()
                  if label.startswith("libtorch") and (threads_filter is None or
                                                       label.startswith(threads_filter))]
    if not candidates:
        return None, None
    unit = candidates[0][1].unit
    key = (lambda c: c[1].median()) if lower_is_better(unit) else (lambda c: -c[1].median())
    return min(candidates, key=key)


def cell(pool):
    if pool is None:
        return "-"
    s = pool.summary()
    return f"{s['median']:.4g} [{s['min']:.4g}-{s['max']:.4g}]"


def print_table(title, header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, ["-" * w for w in widths]] + rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


def fmt(value, digits=3):
    return "-" if value is None else f"{value:.{digits}g}"


def mib(pool):
    return "-" if pool is None or not pool.rss else f"{pool.rss / 1024:.0f}"


def compare(pools, ember_label, peer_filter, out, table):
    """Rows of ember vs libtorch's best (within peer_filter), written as ratio lines."""
    rows = []
    for figure, by_config in pools.items():
        ember = by_config.get(ember_label)
        peer_label, peer = best_peer(by_config, peer_filter)
        unit = next(iter(by_config.values())).unit
        ratio = ember.median() / peer.median() if ember and peer else None
        rows.append([figure, unit, cell(ember), cell(peer), peer_label or "-", fmt(ratio),
                     fmt(gflops(figure, pools, ember_label)),
                     fmt(gflops(figure, pools, peer_label)), mib(ember), mib(peer)])
        out.write(json.dumps({"kind": "ratio", "table": table, "workload": figure, "unit": unit,
                              "ember_config": ember_label, "peer_config": peer_label,
                              "ember": ember.median() if ember else None,
                              "peer": peer.median() if peer else None, "ratio": ratio}) + "\n")
    return rows


def best_sgemm(pools, threads):
    """(GFLOP/s, config, size) of the best float32 W6 median at `threads` threads in this run, or
    None."""
    best = None
    for figure, by_config in pools.items():
        if not figure.startswith("w6_"):
            continue
        for label, pool in by_config.items():
            if f"-{threads}t" in label and not label.endswith("-bf16") and (best is None or pool.median() > best[0]):
                best = (pool.median(), label, figure)
    return best


def sgemm_fractions(pools, args, out):
    """Each ember configuration at args.threads: its instruction set, GEMM library, W1/W2
    GFLOP/s and their fraction of the best sgemm rate measured in the same run."""
    best = best_sgemm(pools, args.threads)
    labels = [c[0] for c in configurations(args.threads, args.isa_levels)
              if c[1] == "ember" and c[2] == args.threads]
    rows = []
    for label in labels:
        pool = next((by[label] for by in pools.values() if label in by), None)
        if pool is None:
            continue
        row = [label, pool.isa or "-", pool.gemm or "-"]
        for figure in ("w1", "w2"):
            rate = gflops(figure, pools, label)
            fraction = rate / best[0] if rate is not None and best else None
            row += [fmt(rate), fmt(fraction, 2)]
            out.write(json.dumps({"kind": "sgemm_fraction", "workload": figure, "config": label,
                                  "gflops": rate, "best_sgemm": best, "fraction": fraction})
                      + "\n")
        rows.append(row)
    title = (f"ember's W1/W2 GFLOP/s as a fraction of the best {args.threads}-thread sgemm of the "
             f"run: {best[0]:.4g} GFLOP/s ({best[1]}, {best[2]})" if best else
             "ember's W1/W2 GFLOP/s (no W6 in this run, so no sgemm fraction)")
    print_table(title, ["config", "isa", "gemm", "W1 GFLOP/s", "W1 fraction", "W2 GFLOP/s",
                        "W2 fraction"], rows)


def bf16_ratios(pools, args, out):
    """Each figure's ember bf16 median against ember fp32 at the same thread count."""
    rows = []
    for figure, by_config in pools.items():
        for threads in (args.threads, 1):
            fp32, bf16 = by_config.get(f"ember-{threads}t"), by_config.get(f"ember-{threads}t-bf16")
            if fp32 is None or bf16 is None:
                continue
            ratio = bf16.median() / fp32.median()
            rows.append([figure, fp32.unit, threads, cell(fp32), cell(bf16), fmt(ratio),
                         fmt(gflops(figure, pools, f"ember-{threads}t")),
                         fmt(gflops(figure, pools, f"ember-{threads}t-bf16"))])
            out.write(json.dumps({"kind": "bf16_ratio", "workload": figure, "unit": fp32.unit,
                                  "threads": threads, "fp32": fp32.median(),
                                  "bf16": bf16.median(), "ratio": ratio}) + "\n")
    print_table("ember bf16 against ember fp32 (same run)",
                ["figure", "unit", "threads", "fp32 median [min-max]", "bf16 median [min-max]",
                 "bf16/fp32", "fp32 GFLOP/s", "bf16 GFLOP/s"], rows)


def int8_ratios(pools, args, out):
    """Each int8 twin's ember median against ember fp32 (same threads) and libtorch's best fp32."""
    rows = []
    for figure, by_config in pools.items():
        if not figure.endswith(INT8_SUFFIX):
            continue
        fp32_configs = pools.get(figure.removesuffix(INT8_SUFFIX), {})
        peer_label, peer = best_peer(fp32_configs)
        for threads in (args.threads, 1):
            int8, fp32 = by_config.get(f"ember-{threads}t"), fp32_configs.get(f"ember-{threads}t")
            if int8 is None:
                continue
            to_fp32 = int8.median() / fp32.median() if fp32 else None
            to_peer = int8.median() / peer.median() if peer else None
            rows.append([figure, int8.unit, threads, cell(fp32), cell(int8), fmt(to_fp32),
                         peer_label or "-", fmt(to_peer)])
            out.write(json.dumps({"kind": "int8_ratio", "workload": figure, "unit": int8.unit,
                                  "threads": threads, "int8": int8.median(),
                                  "fp32": fp32.median() if fp32 else None, "ratio_fp32": to_fp32,
                                  "peer_config": peer_label, "ratio_peer": to_peer}) + "\n")
    print_table("ember int8 against ember fp32 and libtorch's best fp32 (same run)",
                ["figure", "unit", "threads", "fp32 median [min-max]", "int8 median [min-max]",
                 "int8/fp32", "peer config", "int8/peer"], rows)


def report(pools, args, out):
    for figure, by_config in pools.items():
        for label, pool in by_config.items():
            out.write(json.dumps({"kind": "summary", "workload": figure, "config": label,
                                  "gflops": gflops(figure, pools, label), **pool.summary()})
                      + "\n")
    def header(peer):
        return ["figure", "unit", "ember median [min-max]", f"{peer} median [min-max]",
                "peer config", "ember/peer", "ember GFLOP/s", "peer GFLOP/s", "ember RSS MiB",
                "peer RSS MiB"]
    threads = args.threads
    has_ember = any(label.startswith("ember") for by in pools.values() for label in by)
    if has_ember:
        rows = compare(pools, f"ember-{threads}t", None, out, "best")
        print_table(f"ember ({threads} threads) vs libtorch's best", header("libtorch best"), rows)
        rows = compare(pools, "ember-1t", "libtorch-1t", out, "1-thread")
        print_table("ember (1 thread) vs libtorch (1 thread)", header("libtorch 1t"), rows)
    if has_ember:
        sgemm_fractions(pools, args, out)
    if args.bf16:
        bf16_ratios(pools, args, out)
    if args.int8:
        int8_ratios(pools, args, out)
    labels = [c[0] for c in configurations(threads, args.isa_levels, args.peer_coretype_unset)
              if c[1] == "libtorch"]
    rows = [[figure, next(iter(by_config.values())).unit] +
            [cell(by_config.get(label)) for label in labels] +
            [fmt(gflops(figure, pools, label)) for label in labels]
            for figure, by_config in pools.items()]
    print_table("libtorch, every configuration", ["figure", "unit"] + labels +
                [f"GFLOP/s {label}" for label in labels], rows)
    if has_ember:
        print("\nember/peer is the ratio of medians: above 1 ember is faster for rates (.../s), "
              "below 1 for us/op (lower is better).")


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}: {model}, {os.cpu_count()} CPUs, {platform.platform()}"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=str(REPO / "build"),
                        help="CMake build folder holding bench/ember-bench, bench/bench-libtorch")
    parser.add_argument("--ember", help="path of ember-bench (default: in --build-dir)")
    parser.add_argument("--libtorch", help="path of bench-libtorch (default: in --build-dir)")
    parser.add_argument("--workloads", default=" ".join(WORKLOADS),
                        help="space-separated names (default: all)")
    parser.add_argument("--reps", type=int, help="timed repetitions per process "
                        "(default: each workload's own, see bench/common/workloads.cpp)")
    parser.add_argument("--warmup", type=int, help="untimed runs per process")
    parser.add_argument("--rounds", type=int, default=2, help="processes per configuration")
    parser.add_argument("--threads", type=int, default=2, help="the multi-threaded setting")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per process")
    parser.add_argument("--isa-levels", default="",
                        help="also run ember at these EMBER_ISA levels, e.g. \"avx2 portable\"")
    parser.add_argument("--peer-coretype-unset", action="store_true",
                        help="also run libtorch with OPENBLAS_CORETYPE removed from its environment")
    parser.add_argument("--bf16", action="store_true",
                        help="also run ember with its products in bf16 (needs AVX512_BF16)")
    parser.add_argument("--int8", action="store_true",
                        help="also run ember's int8 twin of each W4 workload (w4kv_b1_int8, ...)")
    parser.add_argument("--out", help="JSON lines file (default: BUILD_DIR/bench/results.jsonl)")
    args = parser.parse_args()
    args.workloads = args.workloads.split()
    args.isa_levels = args.isa_levels.split()
    bad_levels = [i for i in args.isa_levels if i not in ("avx512", "avx2", "portable")]
    if bad_levels:
        parser.error(f"unknown --isa-levels {' '.join(bad_levels)}; choose from avx512 avx2 portable")
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {' '.join(unknown)}; choose from {' '.join(WORKLOADS)}")
    return args


def main():
    args = parse_args()
    binaries = {"ember": find_binary(args.ember, args.build_dir, "ember-bench"),
                "libtorch": find_binary(args.libtorch, args.build_dir, "bench-libtorch")}
    if not any(binaries.values()):
        sys.exit(f"run.py: neither ember-bench nor bench-libtorch found in {args.build_dir}/bench; "
                 "build them (cmake --build BUILD --target ember-bench bench-libtorch)")
    for impl, path in binaries.items():
        if path is None:
            log(f"run.py: no {impl} program found; its side is left out")
    out_path = Path(args.out) if args.out else Path(args.build_dir) / "bench" / "results.jsonl"
    started = datetime.datetime.now().astimezone()
    print(f"bench/run.py {' '.join(sys.argv[1:])}")
    print(f"{started:%Y-%m-%d %H:%M %Z}, {machine()}, load average {os.getloadavg()[0]:.2f}")
    with out_path.open("w") as out:
        out.write(json.dumps({"kind": "run", "argv": sys.argv, "date": started.isoformat(),
                              "machine": machine(), "loadavg": os.getloadavg()[0]}) + "\n")
        pools = run_all(args, binaries, out)
        report(pools, args, out)
    elapsed = datetime.datetime.now().astimezone() - started
    print(f"\n{elapsed.total_seconds():.0f} s, load average {os.getloadavg()[0]:.2f} at the end; "
          f"JSON lines in {out_path}")


if __name__ == "__main__":
    main()

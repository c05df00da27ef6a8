#!/usr/bin/python3
"""Data-parallel W1 and W2 on two simulated machines of one (docs/distributed.md, "Beyond one
machine, by simulation").

Two network namespaces joined by a veth pair stand for two machines and their link; tc's token
bucket filter (tbf) caps what each end sends at a rate (100 Mb/s, 1 Gb/s, or none: the veth's own
speed). mpirun runs in the first namespace; Open MPI's rsh launcher starts its daemon in the
second (this script writes the rsh agent: `ip netns exec`, with its own host name), since each
namespace needs its own daemon: PMIx reaches its ranks over the namespace's loopback. The ranks
talk over TCP on the veth only (--mca pml ob1 --mca btl tcp,self).

At every rate, ember-bench runs W1 and W2 data-parallel on 2 ranks of 1 thread, one per
namespace: the all-reduce after backward with Open MPI's default algorithm (binomial: a reduce to
rank 0, then a broadcast, for fewer than 4 ranks or an in-place buffer, as ember's) and with the
ring (--mca coll_libnbc_iallreduce_algorithm 1), and the all-reduce overlapped with backward
(`mpirun ember train` as it comes). The measured all-reduce time (`<name>_wait`: nothing hidden)
is set against scripts/allreduce_model.py's ring, and the 2-rank step against one process of one
thread measured in the same run.

usage: sudo scripts/netns_allreduce.py [--bench build/bench/ember-bench] [--rates 100mbit,1gbit,none]
                                       [--models w1,w2] [--reps 3] [--warmup 1]
Must run as root (it creates namespaces, a veth pair and qdiscs, and removes them on exit, Ctrl-C
and SIGTERM included); needs ip and tc (iproute2), unshare (util-linux) and mpirun (Open MPI). The
interpreter is the system's /usr/bin/python3 itself, not a wrapper that would take the signals.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from allreduce_model import t_allreduce  # noqa: E402  (the ring's time, the docs' model)

SUBNET = "10.231.0"  # the two ends: SUBNET.1 (namespace a, mpirun and rank 0), SUBNET.2
PORT = 5999          # of the TCP goodput probe
PROBE_BYTES = 64 << 20
LATENCY_US = 5.0     # the model's per-step latency (allreduce_model.py's default)


def run(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, **kw)


def refuse(message):
    print(f"netns_allreduce: {message}", file=sys.stderr)
    sys.exit(2)


def rate_bits(rate):
    """tc's rate ('100mbit', '1gbit') in bits/s; None for 'none'."""
    if rate == "none":
        return None
    for suffix, scale in (("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3)):
        if rate.endswith(suffix):
            return float(rate[: -len(suffix)]) * scale
    refuse(f"rate '{rate}': expected <N>kbit, <N>mbit, <N>gbit or none")


class Link:
    """Namespaces a and b, a veth pair between them; removed by close()."""

    def __init__(self):
        tag = os.getpid()
        self.ns = [f"ember-ar-{tag}-a", f"ember-ar-{tag}-b"]
        self.dev = [f"ear{tag}a", f"ear{tag}b"]  # at most 15 characters
        self.addr = [f"{SUBNET}.1", f"{SUBNET}.2"]
        self.made = []

    def open(self):
        for ns in self.ns:
            run("ip", "netns", "add", ns)
            self.made.append(ns)
        run("ip", "link", "add", self.dev[0], "type", "veth", "peer", "name", self.dev[1])
        for ns, dev, addr in zip(self.ns, self.dev, self.addr):
            run("ip", "link", "set", dev, "netns", ns)
            run("ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", dev)
            run("ip", "-n", ns, "link", "set", dev, "up")
            run("ip", "-n", ns, "link", "set", "lo", "up")

    def shape(self, rate):
        """Caps each end's sending rate (both directions of the link), or lifts the cap."""
        bits = rate_bits(rate)
        for ns, dev in zip(self.ns, self.dev):
            if bits is None:
                run("tc", "-n", ns, "qdisc", "del", "dev", dev, "root", check=False,
                    stderr=subprocess.DEVNULL)
                continue
            # The bucket holds 1 ms at the rate, and at least 128 KB: the veth hands tbf packets
            # of up to 64 KB (segmentation offload), and a bucket smaller than a packet stalls.
            burst = max(int(bits / 8 / 1000), 128 << 10)
            run("tc", "-n", ns, "qdisc", "replace", "dev", dev, "root", "tbf", "rate", rate,
                "burst", str(burst), "latency", "400ms")

    def close(self):
        for ns in self.made:  # deleting a namespace deletes its end of the veth, and the pair
            run("ip", "netns", "del", ns, check=False)
        self.made = []


def goodput_gbit(link):
    """TCP goodput from b to a, measured with this script's --tcp-sink and --tcp-source."""
    me = os.path.abspath(__file__)
    sink = subprocess.Popen(["ip", "netns", "exec", link.ns[0], sys.executable, me, "--tcp-sink",
                             link.addr[0]], stdout=subprocess.PIPE, text=True)
    for _ in range(100):  # until the sink listens (at most 10 s)
        if run("ip", "netns", "exec", link.ns[1], sys.executable, me, "--tcp-probe", link.addr[0],
               check=False).returncode == 0:
            break
        time.sleep(0.1)
    run("ip", "netns", "exec", link.ns[1], sys.executable, me, "--tcp-source", link.addr[0])
    return float(sink.communicate(timeout=120)[0])


def tcp_sink(addr):
    server = socket.create_server((addr, PORT))
    while True:
        conn, _ = server.accept()
        if conn.recv(1) == b"p":  # a probe: the sink is listening
            conn.close()
            continue
        received, start = 1, time.perf_counter()
        while received < PROBE_BYTES:
            chunk = conn.recv(1 << 20)
            if not chunk:
                break
            received += len(chunk)
        print(received * 8 / (time.perf_counter() - start) / 1e9)
        conn.sendall(b"x")
        return


def tcp_source(addr, probe):
    try:
        conn = socket.create_connection((addr, PORT), timeout=60)
    except OSError:
        sys.exit(1)
    if probe:
        conn.sendall(b"p")
        return
    chunk = b"\0" * (1 << 20)
    conn.sendall(b"d")
    for _ in range(PROBE_BYTES >> 20):
        conn.sendall(chunk)
    conn.recv(1)


def results(output):
    """ember-bench's RESULT lines, by workload."""
    return {r["workload"]: r for r in (json.loads(line[7:]) for line in output.splitlines()
                                       if line.startswith("RESULT "))}


def bench_args(args, workload):
    return [args.bench, "--workload", workload, "--threads", "1", "--reps", str(args.reps),
            "--warmup", str(args.warmup)]


def one_process(args, model):
    """W1 or W2 in one process of one thread, in the root namespace."""
    out = run(*bench_args(args, model), capture_output=True, text=True,
              env=dict(os.environ, EMBER_NUM_THREADS="1")).stdout
    return results(out)[model]


def two_ranks(args, link, agent, workload, ring):
    mpirun = ["ip", "netns", "exec", link.ns[0], "mpirun", "--allow-run-as-root",
              "--oversubscribe", "--host", f"{link.addr[0]}:1,{link.addr[1]}:1",
              "--mca", "plm_rsh_agent", agent, "--mca", "oob_tcp_if_include", f"{SUBNET}.0/24",
              "--mca", "pml", "ob1", "--mca", "btl", "tcp,self",
              "--mca", "btl_tcp_if_include", f"{SUBNET}.0/24", "-x", "EMBER_NUM_THREADS=1"]
    if ring:
        mpirun += ["--mca", "coll_libnbc_iallreduce_algorithm", "1"]
    job = subprocess.Popen(mpirun + ["-np", "2"] + bench_args(args, workload), text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=dict(os.environ, EMBER_NETNS_B=link.ns[1]))
    try:
        out, err = job.communicate()
    except BaseException:
        # Interrupted: SIGTERM lets mpirun end its ranks and daemon (a SIGKILL would orphan them
        # in the namespaces), before the namespaces go.
        job.terminate()
        job.wait(timeout=30)
        raise
    if job.returncode != 0:
        refuse(f"mpirun failed ({job.returncode}):\n{out}{err}")
    return results(out)


def write_agent(directory):
    """Open MPI's rsh agent: `agent HOST COMMAND...` starts COMMAND (its daemon) in namespace b,
    in a UTS namespace of its own named after it, so that the daemon's node is not mpirun's."""
    path = os.path.join(directory, "netns-agent")
    with open(path, "w") as f:
        f.write('#!/bin/sh\nshift\nexec ip netns exec "$EMBER_NETNS_B" unshare --uts '
                '/bin/sh -c "hostname $EMBER_NETNS_B; $*"\n')
    os.chmod(path, 0o755)
    return path


def measure(args, link, agent):
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          f"{' '.join(sys.argv)}; reps {args.reps}, warmup {args.warmup}")
    one = {m: one_process(args, m) for m in args.models}
    for m in args.models:
        print(f"# {m}, 1 process x 1 thread: {1 / one[m]['median']:.2f} s a step")
    print("| link | TCP goodput | model | gradient MB | all-reduce, ring model | measured, ring | "
          "measured, Open MPI default (binomial) | step, 2 ranks overlapped (default) | "
          "2 ranks after backward, ring | E measured (overlapped) | E model (ring, nothing "
          "hidden) |")
    print("|" + " --- |" * 11)
    for rate in args.rates:
        link.shape(rate)
        gbit = goodput_gbit(link)
        for m in args.models:
            after_default = two_ranks(args, link, agent, f"{m}dp_after", ring=False)
            after_ring = two_ranks(args, link, agent, f"{m}dp_after", ring=True)
            overlapped = two_ranks(args, link, agent, f"{m}dp", ring=False)
            nbytes = after_ring[f"{m}dp_after_wait"]["gradient_bytes"]
            # The model at the nominal rate, or at the goodput where nothing caps the link.
            bits = rate_bits(rate) or gbit * 1e9
            predicted = t_allreduce(nbytes, 2, bits / 1e9, LATENCY_US * 1e-6)
            compute = 1 / one[m]["median"]  # C: one process's step
            step = 1 / overlapped[f"{m}dp"]["median"]
            # Strong scaling on 2 ranks: E = C / (2 T2); the model's E = 1 / (1 + 2 t_ar / C).
            print(f"| {rate} | {gbit:.2f} Gb/s | {m.upper()} | {nbytes / 1e6:.1f} | "
                  f"{predicted * 1e3:.0f} ms | "
                  f"{after_ring[f'{m}dp_after_wait']['median']:.0f} ms | "
                  f"{after_default[f'{m}dp_after_wait']['median']:.0f} ms | {step:.2f} s | "
                  f"{1 / after_ring[f'{m}dp_after']['median']:.2f} s | "
                  f"{compute / (2 * step):.2f} | {1 / (1 + 2 * predicted / compute):.2f} |",
                  flush=True)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--tcp-sink":
        return tcp_sink(sys.argv[2])
    if len(sys.argv) == 3 and sys.argv[1] in ("--tcp-source", "--tcp-probe"):
        return tcp_source(sys.argv[2], sys.argv[1] == "--tcp-probe")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", default="build/bench/ember-bench")
    parser.add_argument("--rates", default="100mbit,1gbit,none")
    parser.add_argument("--models", default="w1,w2")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    args.rates, args.models = args.rates.split(","), args.models.split(",")
    for rate in args.rates:
        rate_bits(rate)
    if os.geteuid() != 0:
        refuse("must run as root: it creates network namespaces, a veth pair and tc qdiscs")
    for tool in ("ip", "tc", "unshare", "mpirun"):
        if shutil.which(tool) is None:
            refuse(f"'{tool}' not found (ip, tc: iproute2; unshare: util-linux; mpirun: Open MPI)")
    if not os.access(args.bench, os.X_OK):
        refuse(f"no ember-bench at {args.bench} (build with -DEMBER_BUILD_BENCH=ON, or --bench)")
    args.bench = os.path.abspath(args.bench)

    # SIGTERM and SIGHUP end the script as Ctrl-C does, through the cleanup below.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(130))
    link = Link()
    with tempfile.TemporaryDirectory(prefix="ember-netns-") as scratch:
        try:
            try:
                link.open()
            except subprocess.CalledProcessError as e:
                refuse(f"cannot create the namespaces and veth pair ({' '.join(e.cmd)} failed): "
                       "this needs CAP_SYS_ADMIN and CAP_NET_ADMIN, which some containers lack")
            measure(args, link, write_agent(scratch))
        finally:
            link.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The speed benchmark against the PyTorch reference (never needed by the tests or CI).

  benchmarks/run.sh [--quick] [--rounds N] [--build-lib] [--no-torch] [--config KEY]...

1. builds ntm-bench (swift build -c release --scratch-path .build-bench), the
   allocation-counting preload library (benchmarks/alloc_count.c), the
   peak-rate probe (benchmarks/peak.c) and, if build/lib/libntm.so and
   include/ntm.h exist (or with --build-lib, which builds libntm.so from the
   current sources as `make lib` does, into .build-bench/lib), the C API
   benchmark benchmarks/bench_step.c;
2. runs --rounds rounds, alternating the two sides: ours (ntm-bench under the
   preload library, then bench_step), then the PyTorch reference
   (benchmarks/pytorch_ntm.py bench, if .venv-bench/bin/python or --python
   imports torch), then ours again, and so on;
3. prints each figure as the median [min, max] over the rounds with the
   lowest CPU share of its runs, each ratio per round then its median, and
   the issue's targets with met/missed (bench_summary.py has the rules).

Every timed process runs in its own session (setsid), so that with
sched_autogroup_enabled=1 it is its own autogroup, whose nice value is set
to --autogroup-nice (-10 by default; needs root). `nice` alone would not
help: the scheduler shares the CPU between autogroups first. Whether it was
applied is printed. Nothing makes the machine quiet, though, so every timed
figure records its CPU time beside its wall time, and a ratio or target
whose either side got less than 90 % of its cores is "not measured".

Results go to .build-bench/results/ (round-K/ntm-bench.json,
round-K/bench_step.json, round-K/torch-*.json, summary.txt).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

import bench_summary

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = os.path.join(ROOT, ".build-bench")
RESULTS = os.path.join(SCRATCH, "results")


def run(cmd, **kw):
    print("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def cpu_ticks():
    """(steal, total) jiffies of all vCPUs so far, from /proc/stat's `cpu` line."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
        return fields[7], sum(fields)
    except (OSError, ValueError, IndexError):
        return 0, 0


class TimedProcesses:
    """Starts each timed command in a new session with a raised autogroup
    priority, and remembers whether the priority took and how much time the
    hypervisor stole from the vCPUs meanwhile (which no share inside the
    guest can show)."""

    def __init__(self, nice):
        self.nice = nice
        self.outcomes = []   # one line per timed process
        self.steal_ticks = self.total_ticks = 0
        self.last_cpu_share = None   # of the whole last process, from RUSAGE_CHILDREN

    def _enter_own_autogroup(self):
        # In the child, between fork and exec: a new session is a new
        # autogroup; its nice value decides its share against the others.
        os.setsid()
        if self.nice is not None:
            try:
                with open("/proc/self/autogroup", "w") as f:
                    f.write(str(self.nice))
            except OSError:
                pass   # reported by the parent, which reads it back

    def run(self, cmd, capture=False, **kw):
        """Runs `cmd` to completion; returns its standard output if `capture`."""
        print("$ " + " ".join(cmd), flush=True)
        if capture:
            kw.update(stdout=subprocess.PIPE, text=True)
        steal0, total0 = cpu_ticks()
        children0, wall0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        process = subprocess.Popen(cmd, cwd=ROOT, preexec_fn=self._enter_own_autogroup, **kw)
        try:
            with open(f"/proc/{process.pid}/autogroup") as f:
                group = f.read().strip()
        except OSError as error:
            group = f"unreadable ({error.strerror})"
        program = cmd[1] if os.path.basename(cmd[0]).startswith("python") else cmd[0]
        self.outcomes.append(f"{os.path.basename(program)}: {group}")
        output = process.communicate()[0]
        steal1, total1 = cpu_ticks()
        wall, children1 = time.monotonic() - wall0, resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
        self.last_cpu_share = cpu / wall if wall > 0 else None
        self.steal_ticks += steal1 - steal0
        self.total_ticks += total1 - total0
        if process.returncode != 0:
            raise subprocess.CalledProcessError(process.returncode, cmd)
        return output

    def steal_report(self):
        if not self.total_ticks:
            return "host steal time: unknown (no /proc/stat)"
        return (f"host steal time while timing: {100 * self.steal_ticks / self.total_ticks:.1f}% of all vCPU time "
                f"(/proc/stat)")

    def report(self):
        if self.nice is None:
            return "autogroup priority: not requested (--autogroup-nice none); each timed process in its own session"
        wanted = f"nice {self.nice}"
        applied = [o for o in self.outcomes if o.endswith(wanted)]
        if self.outcomes and len(applied) == len(self.outcomes):
            return f"autogroup priority: applied ({wanted}, own session) to all {len(self.outcomes)} timed processes"
        return (f"autogroup priority: NOT applied to {len(self.outcomes) - len(applied)} of "
                f"{len(self.outcomes)} timed processes (wanted {wanted}): " + "; ".join(
                    o for o in self.outcomes if not o.endswith(wanted)))


def machine_description():
    """CPU model, cores, clock source and autogroup setting, for the summary."""
    model, family = "unknown", ""
    try:
        with open("/proc/cpuinfo") as f:
            info = dict(line.split(":", 1) for line in f.read().split("\n\n")[0].splitlines() if ":" in line)
        info = {k.strip(): v.strip() for k, v in info.items()}
        model = info.get("model name", model)
        family = f" (family {info.get('cpu family', '?')}, model {info.get('model', '?')})"
    except OSError:
        pass

    def read(path, default="unknown"):
        try:
            with open(path) as f:
                return f.read().strip()
        except OSError:
            return default

    clock = read("/sys/devices/system/clocksource/clocksource0/current_clocksource")
    autogroup = read("/proc/sys/kernel/sched_autogroup_enabled", "absent")
    return [f"CPU: {model}{family}, {os.cpu_count()} cores as seen by the OS",
            f"kernel clock source: {clock}; timers: CLOCK_MONOTONIC wall, CLOCK_PROCESS_CPUTIME_ID CPU "
            f"(ntm-bench, bench_step), time.perf_counter / time.process_time (PyTorch)",
            f"sched_autogroup_enabled: {autogroup}"]


def git_commit():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + (" (+ uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def torch_python(explicit):
    candidates = [explicit] if explicit else [os.path.join(ROOT, ".venv-bench", "bin", "python")]
    for python in candidates:
        if python and os.path.exists(python):
            # The benchmark needs torch only (safetensors is for check_reference.py).
            ok = subprocess.run([python, "-c", "import torch"], capture_output=True).returncode == 0
            if ok:
                return python
    return None


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def build(args):
    """Builds every program the rounds run; returns (preload, bench_step or None, peak-rate probe)."""
    run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--product", "ntm-bench"])
    preload = os.path.join(SCRATCH, "libntm_alloc_count.so")
    cc = os.environ.get("CC", "cc")
    run([cc, "-O2", "-shared", "-fPIC", "-o", preload, "benchmarks/alloc_count.c", "-ldl"])

    # The core's clock and peak float32 rates (benchmarks/peak.c), for context.
    peak = os.path.join(SCRATCH, "peak")
    run([cc, "-O2", "-o", peak, "benchmarks/peak.c"])

    lib = os.path.join(ROOT, "build", "lib", "libntm.so")
    header = os.path.join(ROOT, "include", "ntm.h")
    if args.build_lib:
        # `make lib`'s build, in our own scratch path, so that build/ and
        # .build-lib (used by the tests and other builds) are left alone.
        lib_scratch = os.path.join(SCRATCH, "lib-build")
        flags = ["-c", "release", "--product", "NTMC", "--scratch-path", lib_scratch,
                 "-Xswiftc", "-static-stdlib", "-Xswiftc", "-use-ld=lld",
                 "-Xlinker", "--version-script=" + os.path.join(ROOT, "scripts", "libntm.map"),
                 "-Xlinker", "-soname=libntm.so"]
        run(["swift", "build"] + flags)
        bin_path = subprocess.run(["swift", "build"] + flags + ["--show-bin-path"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout.strip()
        lib = os.path.join(SCRATCH, "lib", "libntm.so")
        os.makedirs(os.path.dirname(lib), exist_ok=True)
        shutil.copyfile(os.path.join(bin_path, "libNTMC.so"), lib)
    bench_step = None
    if os.path.exists(lib) and os.path.exists(header):
        bench_step = os.path.join(SCRATCH, "bench_step")
        run([cc, "-O2", "-std=c11", "-Iinclude", "benchmarks/bench_step.c", "-o", bench_step,
             "-L" + os.path.dirname(lib), "-lntm", "-Wl,-rpath," + os.path.dirname(lib), "-ldl"])
    else:
        print("(no build/lib/libntm.so or include/ntm.h: C API benchmark skipped; `make lib` or --build-lib)")
    return preload, bench_step, peak


def run_ours(args, timed, preload, bench_step, directory):
    """Our half of a round: ntm-bench, then bench_step. Returns (ntm-bench JSON, C API configs by preset)."""
    ours_json = os.path.join(directory, "ntm-bench.json")
    cmd = [os.path.join(SCRATCH, "release", "ntm-bench"), "--json", ours_json]
    if args.quick:
        cmd.append("--quick")
    if args.repeats:
        cmd += ["--repeats", str(args.repeats)]
    for c in args.config or []:
        cmd += ["--config", c]
    timed.run(cmd, env=dict(os.environ, LD_PRELOAD=preload))
    with open(ours_json) as f:
        ours = json.load(f)
    capi = None
    if bench_step:
        capi_json = os.path.join(directory, "bench_step.json")
        cmd = [bench_step, "--json", capi_json]
        if args.quick:
            cmd += ["--steps", "5000", "--repeats", "3"]
        elif args.repeats:
            cmd += ["--repeats", str(args.repeats)]
        for c in ours["configs"]:
            cmd += ["--preset", c["preset"]]
        timed.run(cmd)
        with open(capi_json) as f:
            capi = {c["preset"]: c for c in json.load(f)["configs"]}
    return ours, capi


def run_torch(args, timed, python, ours, directory):
    """PyTorch's half of a round, on the workload ntm-bench wrote. Returns its configs by key."""
    results = {}
    # The copy NTM and the LSTM baseline get every run; the larger NTMs (one
    # or two sequences per second at batch 1 in PyTorch) one repeat of the
    # runs the targets need, so that a round ends in minutes.
    for keys, extra in [(["copy", "lstm"], []), (["priority-sort", "associative-recall"],
                                                 ["--repeats", "1", "--runs", "1x1,16x1,16x2"])]:
        keys = [k for k in keys if any(c["key"] == k for c in ours["configs"])]
        if not keys:
            continue
        torch_json = os.path.join(directory, f"torch-{keys[0]}.json")
        cmd = [python, "benchmarks/pytorch_ntm.py", "bench", "--workload", os.path.join(directory, "ntm-bench.json"),
               "--json", torch_json]
        for k in keys:
            cmd += ["--config", k]
        if args.quick:
            cmd += ["--repeats", "1", "--seconds", "0.5", "--steps", "500", "--runs", "1x1,16x1,16x2"]
        elif args.repeats:
            cmd += ["--repeats", str(args.repeats)]
        timed.run(cmd + ([] if args.quick else extra))
        with open(torch_json) as f:
            results.update({c["key"]: c for c in json.load(f)["configs"]})
    return results


def alternation(rounds, with_torch):
    """The order the sides run in: ours, torch, ours, torch, ..."""
    return [side for _ in range(rounds) for side in (["ours", "torch"] if with_torch else ["ours"])]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 rounds (unless --rounds), fewer repeats, shorter runs")
    parser.add_argument("--rounds", type=int, help="alternating rounds of ours and PyTorch (default 5; --quick 2)")
    parser.add_argument("--config", action="append",
                        help="copy, priority-sort, associative-recall, lstm (repeatable; default all)")
    parser.add_argument("--build-lib", action="store_true",
                        help="build libntm.so from the current sources (as `make lib` does, into "
                             ".build-bench/lib) instead of using build/lib/libntm.so")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch reference")
    parser.add_argument("--python", help="a Python that imports torch (default .venv-bench/bin/python)")
    parser.add_argument("--repeats", type=int, help="repeats per figure within a round (each tool's median)")
    parser.add_argument("--autogroup-nice", default="-10",
                        help="nice value of each timed process's own autogroup (-20…19; 'none' to leave it)")
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.quick else 5)
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    nice = None if args.autogroup_nice == "none" else int(args.autogroup_nice)
    os.makedirs(RESULTS, exist_ok=True)

    python = None if args.no_torch else torch_python(args.python)
    if not args.no_torch and not python:
        print("(torch not importable from .venv-bench or --python: PyTorch comparison skipped)")
    load_before = load_average()
    preload, bench_step, peak_probe = build(args)

    timed = TimedProcesses(nice)
    # The clock (dependent adds) at the start of each round, measured like
    # the figures: a core that is slower than usual though it is all ours
    # (a busy sibling, the host) shows here and not in the CPU share.
    peak, clocks = None, []
    round_figures, ours_rounds, capi_rounds = [], [], []
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    for k in range(rounds):
        directory = os.path.join(RESULTS, f"round-{k + 1}")
        os.makedirs(directory, exist_ok=True)
        print(f"\n--- round {k + 1} of {rounds}: ours" + (", then PyTorch" if python else ""), flush=True)
        probe = timed.run([peak_probe], capture=True).strip()
        print(probe)
        peak = peak or probe
        clock = next((line.split(":")[1].strip() for line in probe.splitlines() if line.startswith("clock")), "?")
        clocks.append(f"{clock} (CPU share {bench_summary.percent(timed.last_cpu_share)})")
        ours, capi = run_ours(args, timed, preload, bench_step, directory)
        torch_results = run_torch(args, timed, python, ours, directory) if python else None
        round_figures.append(bench_summary.round_samples(ours, capi, torch_results))
        ours_rounds.append(ours)
        capi_rounds.append(capi)

    order = (", ".join(alternation(min(rounds, 2), True)) + (", ..." if rounds > 2 else "")) if python else "ours only"
    lines = [f"commit {git_commit()}; started {started}"]
    lines += machine_description()
    lines += [timed.report(), timed.steal_report()]
    lines += [f"load average before / after: {load_before} / {load_average()}"]
    lines += [f"clock at the start of each round: {', '.join(clocks)}; the first round's probe:"]
    lines += ["  " + line for line in peak.splitlines()]
    lines += [f"{rounds} round{'s' if rounds > 1 else ''} ({order}); each tool's figure is its median of "
              f"{ours_rounds[0]['repeats']} repeats (PyTorch: its own --repeats) per round",
              f"rule: a ratio or target whose either side had a CPU share (CPU time / (wall × threads)) below "
              f"{bench_summary.MIN_CPU_SHARE:.0%} in a round is not taken from that round",
              f"allocation counts {'exact' if all(o['allocation_counts_exact'] for o in ours_rounds) else 'NOT exact (mallinfo2)'}"]
    if not python:
        lines.append("PyTorch: not run" + (" (--no-torch)" if args.no_torch else " (torch not importable)"))
    table, targets = bench_summary.summarize(round_figures, ours_rounds, capi_rounds)
    lines += table
    if targets:
        lines += ["", "targets (medians of the valid rounds):"] + targets
    text = "\n".join(lines)
    print("\n" + "=" * 78 + "\n" + text)
    with open(os.path.join(RESULTS, "summary.txt"), "w") as f:
        f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The comparison that benchmarks/run.py prints, from the JSON of its rounds.

A round is one run of our benchmarks (ntm-bench, and bench_step when
libntm.so is there) followed by one run of the PyTorch reference; run.py
alternates them (ours, torch, ours, torch, ...), so that a slow stretch of a
shared machine hurts both sides rather than one. Every timed figure carries
its CPU share, CPU time / (wall time x threads): a figure measured while the
process had less than MIN_CPU_SHARE of its cores measured the scheduler, and
a ratio or a target that uses it is refused ("not measured") rather than
printed. Ratios are taken per round, then the median of the valid rounds.

Kept apart from run.py (which builds and runs things) so that
benchmarks/test_bench_summary.py can check the rules on made-up rounds.
"""

import statistics
from dataclasses import dataclass

MIN_CPU_SHARE = 0.90


@dataclass(frozen=True)
class Sample:
    """One figure of one round, with the CPU share of the run that measured it
    and, where known (ntm-bench), the share of time its threads were
    runnable but waiting for a CPU: what the CPU share lost to other
    processes rather than to our own idle workers."""
    value: float
    cpu_share: float
    wait_share: float = None

    @property
    def valid(self):
        return self.cpu_share is not None and self.cpu_share >= MIN_CPU_SHARE


def _share(entry, threads):
    """The CPU share recorded in a JSON entry (ntm-bench, bench_step or pytorch_ntm)."""
    if entry.get("cpu_share") is not None:
        return entry["cpu_share"]
    wall, cpu = entry.get("wall_seconds"), entry.get("cpu_seconds")
    if isinstance(wall, list):
        wall, cpu = sum(wall), sum(cpu)
    return cpu / (wall * threads) if wall else None


def round_samples(ours, capi, torch):
    """Every figure of one round as {(config key, figure name): Sample}.

    `ours` is ntm-bench's JSON, `capi` bench_step's configs by preset (or
    None), `torch` pytorch_ntm's configs by key (or None). Figure names:
    ours/torch + train BxT, step median and p99 (ours for the Swift stream
    and through the C API)."""
    samples = {}
    for c in ours["configs"]:
        key = c["key"]
        for t in c["training"]:
            samples[(key, f"ours train {t['batch']}x{t['threads']}")] = Sample(
                t["sequences_per_second"], _share(t, t["threads"]), t.get("runqueue_wait_share"))
        inf = c.get("inference")
        if inf and inf.get("median_us") is not None:
            share, wait = _share(inf, 1), inf.get("runqueue_wait_share")
            samples[(key, "ours step swift")] = Sample(inf["median_us"], share, wait)
            samples[(key, "ours p99 swift")] = Sample(inf["p99_us"], share, wait)
        ca = (capi or {}).get(c["preset"])
        if ca:
            share = _share(ca, 1)
            samples[(key, "ours step capi")] = Sample(ca["median_us"], share)
            samples[(key, "ours p99 capi")] = Sample(ca["p99_us"], share)
        pt = (torch or {}).get(key)
        if pt:
            for t in pt["training"]:
                samples[(key, f"torch train {t['batch']}x{t['threads']}")] = Sample(
                    t["sequences_per_second"], _share(t, t["threads"]))
            for i in pt["inference"]:
                samples[(key, f"torch step {i['threads']}t")] = Sample(i["median_us"], _share(i, i["threads"]))
                samples[(key, f"torch p99 {i['threads']}t")] = Sample(i["p99_us"], _share(i, i["threads"]))
    return samples


@dataclass
class Series:
    """One figure over the rounds: every value, and which rounds were valid."""
    samples: list

    @property
    def values(self):
        return [s.value for s in self.samples]

    @property
    def valid_values(self):
        return [s.value for s in self.samples if s.valid]

    @property
    def lowest_share(self):
        shares = [s.cpu_share for s in self.samples if s.cpu_share is not None]
        return min(shares) if shares else None

    @property
    def longest_wait(self):
        waits = [s.wait_share for s in self.samples if s.wait_share is not None]
        return max(waits) if waits else None


def series(rounds, key, figure):
    """The figure `figure` of config `key` in every round that measured it."""
    found = [r[(key, figure)] for r in rounds if (key, figure) in r]
    return Series(found) if found else None


@dataclass
class RatioSeries:
    """A ratio over the rounds: per round, the ratio or None when refused,
    and the lower CPU share of its two sides."""
    ratios: list
    shares: list

    @property
    def valid(self):
        return [r for r in self.ratios if r is not None]

    @property
    def median(self):
        valid = self.valid
        return statistics.median(valid) if valid else None

    @property
    def lowest_refused_share(self):
        refused = [s for r, s in zip(self.ratios, self.shares) if r is None and s is not None]
        return min(refused) if refused else None


def ratio_series(rounds, key, numerator, denominator):
    """numerator / denominator per round that has both, refused (None) in a
    round where either side's CPU share is below MIN_CPU_SHARE."""
    ratios, shares = [], []
    for r in rounds:
        a, b = r.get((key, numerator)), r.get((key, denominator))
        if a is None or b is None:
            continue
        lower = min((s for s in (a.cpu_share, b.cpu_share) if s is not None), default=None)
        ok = a.valid and b.valid and b.value
        ratios.append(a.value / b.value if ok else None)
        shares.append(lower)
    return RatioSeries(ratios, shares) if ratios else None


def fmt(x, digits=1):
    return "—" if x is None else f"{x:,.{digits}f}"


def percent(share):
    return "?" if share is None else f"{100 * share:.0f}%"


def median_range(values, digits=1, unit=""):
    """`median [min, max]` (just the value for one round)."""
    if not values:
        return "—"
    m = statistics.median(values)
    if len(values) == 1:
        return f"{fmt(m, digits)}{unit}"
    return f"{fmt(m, digits)}{unit} [{fmt(min(values), digits)}, {fmt(max(values), digits)}]"


def describe_figure(s, digits=1):
    """A figure's median [min, max] over the rounds and its lowest CPU share."""
    if s is None:
        return "—"
    wait = "" if s.longest_wait is None else f", wait ≤ {percent(s.longest_wait)}"
    return f"{median_range(s.values, digits)} (CPU ≥ {percent(s.lowest_share)}{wait})"


def describe_ratio(rs, digits=1):
    """The median [min, max] of the valid rounds' ratios, how many rounds were
    valid, or "not measured (CPU share X%)" when none was."""
    if rs is None:
        return "—"
    valid = rs.valid
    if not valid:
        return f"not measured (CPU share {percent(rs.lowest_refused_share)})"
    text = median_range(valid, digits, "×")
    if len(valid) < len(rs.ratios):
        text += (f" ({len(valid)} of {len(rs.ratios)} rounds; the others CPU share "
                 f"{percent(rs.lowest_refused_share)})")
    return text


@dataclass
class Target:
    """A target: a floor the median must reach, or a ceiling (`at_most`)."""
    name: str
    floor: float
    at_most: bool = False   # a ceiling (latency) instead of a floor

    def judge(self, value):
        if value is None:
            return None
        return value <= self.floor if self.at_most else value >= self.floor


def latency_series_median(s):
    """The median of a latency figure over its valid rounds (None if none)."""
    if s is None:
        return None
    valid = s.valid_values
    return statistics.median(valid) if valid else None


def summarize(rounds, ours_rounds=(), capi_rounds=()):
    """The comparison table and the targets, as lines of text.

    `rounds` is a list of round_samples() results in the order they ran; the
    config keys and figure names come from there. `ours_rounds` (ntm-bench's
    JSON per round) and `capi_rounds` (bench_step's configs by preset per
    round) give the figures that are not timed: GFLOP/s, allocations, peak
    memory."""
    keys = []
    for r in rounds:
        for key, _ in r:
            if key not in keys:
                keys.append(key)
    lines, targets = [], []
    for key in keys:
        def s(figure):
            return series(rounds, key, figure)

        lines.append("")
        lines.append(f"{key}: median [min, max] over rounds (lowest CPU share, longest wait for a CPU); "
                     f"ratio per round, then median")
        lines.append(f"  {'figure':36s} {'ours':>52s} {'PyTorch':>52s}  ratio")

        def row(label, ours_fig, torch_fig, digits=1, inverse=False):
            a, b = s(ours_fig), s(torch_fig)
            rs = ratio_series(rounds, key, torch_fig, ours_fig) if inverse else \
                ratio_series(rounds, key, ours_fig, torch_fig)
            if b is None:
                rs = None
            lines.append(f"  {label:36s} {describe_figure(a, digits):>52s} {describe_figure(b, digits):>52s}  "
                         f"{describe_ratio(rs)}")
            return rs

        r11 = row("train seq/s, batch 1, 1 thread", "ours train 1x1", "torch train 1x1")
        row("train seq/s, b1 (PyTorch 2 threads)", "ours train 1x1", "torch train 1x2")
        row("train seq/s, batch 16, 1 thread", "ours train 16x1", "torch train 16x1")
        r162 = row("train seq/s, batch 16, 2 threads", "ours train 16x2", "torch train 16x2")
        scaling = ratio_series(rounds, key, "ours train 16x2", "ours train 16x1")
        lines.append(f"  {'our 2-thread / 1-thread, batch 16':36s} {describe_ratio(scaling, 2):>52s}")
        row("step median µs (Swift)", "ours step swift", "torch step 1t", 2, inverse=True)
        row("step p99 µs (Swift)", "ours p99 swift", "torch p99 1t", 2, inverse=True)
        capi = s("ours step capi")
        if capi:
            row("step median µs (C API)", "ours step capi", "torch step 1t", 2, inverse=True)
            row("step p99 µs (C API)", "ours p99 capi", "torch p99 1t", 2, inverse=True)

        lines += resource_lines(key, ours_rounds, capi_rounds, targets if key == "copy" else None)

        def ratio_target(name, floor, rs, missing):
            t = Target(name, floor)
            if rs is None:
                targets.append(f"  [n/a] {name}: {missing}")
            elif not rs.valid:
                targets.append(f"  [not measured] {name}: {describe_ratio(rs)}")
            else:
                targets.append(f"  [{'met' if t.judge(rs.median) else 'MISSED'}] {name}: {describe_ratio(rs)}")

        if key == "copy":
            ratio_target("train batch 1, 1 thread ≥ 100× PyTorch's", 100, r11, "no PyTorch figure")
            ratio_target("train batch 16 × 2 threads ≥ 40× PyTorch's 2-thread figure", 40, r162, "no PyTorch figure")
            ratio_target("train batch 16: 2 threads ≥ 1.8× our 1 thread", 1.8, scaling, "no figure")
            step = capi or s("ours step swift")
            where = "C API" if capi else "Swift stream; no libntm.so for the C API"
            name = f"step median ≤ 4 µs ({where})"
            if step is None:
                targets.append(f"  [n/a] {name}: not measured")
            else:
                value = latency_series_median(step)
                if value is None:
                    targets.append(f"  [not measured] {name}: CPU share {percent(step.lowest_share)}")
                else:
                    ok = Target(name, 4, at_most=True).judge(value)
                    targets.append(f"  [{'met' if ok else 'MISSED'}] {name}: {fmt(value, 2)} µs "
                                   f"(median of {len(step.valid_values)} valid of {len(step.values)} rounds)")
        if key == "lstm":
            ratio_target("LSTM baseline 3 × 256, batch 1 ≥ 30× PyTorch's nn.LSTM", 30, r11, "no PyTorch figure")
    return lines, targets


def resource_lines(key, ours_rounds, capi_rounds, targets):
    """GFLOP/s (median over rounds), heap allocations and peak RSS (the
    largest of any round) of config `key`; with `targets`, adds the
    zero-allocation target to it."""
    configs = [c for o in ours_rounds for c in o["configs"] if c["key"] == key]
    if not configs:
        return []
    lines = []
    gflops = []
    for c in configs:
        parts = [t["gflops"] for t in c["training"]]
        if c.get("inference"):
            parts.append(c["inference"]["gflops"])
        gflops.append(parts)
    names = [f"b{t['batch']}t{t['threads']}" for t in configs[0]["training"]] + \
        (["step"] if configs[0].get("inference") else [])
    medians = [statistics.median(g[i] for g in gflops) for i in range(len(names))]
    lines.append(f"  {'GFLOP/s ' + ' / '.join(names):36s} {' / '.join(f'{m:.2f}' for m in medians)}")
    per_update = {}
    for c in configs:
        for t in c["training"]:
            name = f"b{t['batch']}t{t['threads']}"
            per_update[name] = max(per_update.get(name, 0), t["allocations_per_update"])
    per_step = {"Swift": max((c["inference"]["allocations_per_step"] for c in configs if c.get("inference")),
                             default=None)}
    presets = {c["preset"] for c in configs}
    capi = [r[p] for r in capi_rounds if r for p in presets if p in r]
    if capi:
        per_step["C API"] = max(c["allocations_per_step"] for c in capi)
    updates = ", ".join(f"{n} {v:g}" for n, v in per_update.items())
    steps = ", ".join(f"{n} {v:g}" for n, v in per_step.items() if v is not None)
    lines.append(f"  {'heap allocations per update (max)':36s} {updates}")
    lines.append(f"  {'heap allocations per step (max)':36s} {steps}")
    lines.append(f"  {'peak RSS MiB (process so far, max)':36s} {max(c['peak_rss_mib'] for c in configs):.1f}")
    if targets is not None:
        exact = all(o["allocation_counts_exact"] for o in ours_rounds)
        zero = all(v == 0 for v in per_update.values()) and all(v in (0, None) for v in per_step.values())
        status = ("met" if zero else "MISSED") if exact else "n/a"
        note = "" if exact else " (counts not exact: no preloaded interposer)"
        targets.append(f"  [{status}] zero heap allocations per step and per update: per update {updates}; "
                       f"per step {steps}{note}")
    return lines

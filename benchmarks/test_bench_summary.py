"""Rules of the benchmark's summary (bench_summary.py), on made-up rounds.

  python3 -m pytest benchmarks/test_bench_summary.py
"""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_summary  # noqa: E402
from bench_summary import Sample  # noqa: E402

# run.py under a name of its own, so that no other module called `run` is taken for it.
_spec = importlib.util.spec_from_file_location("benchmark_run", os.path.join(HERE, "run.py"))
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


def training(batch, threads, rate, share):
    return {"batch": batch, "threads": threads, "sequences_per_second": rate, "cpu_share": share,
            "gflops": 1.0, "allocations_per_update": 0}


def ours_json(rate_b1=1000.0, share_b1=1.0, rate_b16_1=1500.0, rate_b16_2=2900.0, share_b16_2=0.99,
              step_us=3.0, step_share=0.98):
    return {"repeats": 3, "allocation_counts_exact": True, "configs": [{
        "key": "copy", "preset": "copy/ntm-lstm", "peak_rss_mib": 20.0,
        "training": [training(1, 1, rate_b1, share_b1), training(16, 1, rate_b16_1, 0.99),
                     training(16, 2, rate_b16_2, share_b16_2)],
        "inference": {"median_us": step_us, "p99_us": 2 * step_us, "cpu_share": step_share, "gflops": 1.0,
                      "allocations_per_step": 0},
    }]}


def torch_json(rate_b1=8.0, share_b1=1.0, rate_b16_2=60.0, share_b16_2=0.95):
    return {"copy": {"key": "copy",
                     "training": [training(1, 1, rate_b1, share_b1), training(16, 2, rate_b16_2, share_b16_2)],
                     "inference": [{"threads": 1, "median_us": 300.0, "p99_us": 600.0,
                                    "wall_seconds": [1.0, 1.0], "cpu_seconds": [0.5, 0.6]}]}}


def summary(rounds_json):
    rounds = [bench_summary.round_samples(o, None, t) for o, t in rounds_json]
    return bench_summary.summarize(rounds, [o for o, _ in rounds_json], [None] * len(rounds_json))


def line_with(lines, text):
    found = [line for line in lines if text in line]
    assert len(found) == 1, (text, lines)
    return found[0]


def test_ratio_is_refused_when_a_side_had_less_than_90_percent():
    table, targets = summary([(ours_json(), torch_json(share_b1=0.85))])
    row = line_with(table, "train seq/s, batch 1, 1 thread")
    assert row.endswith("not measured (CPU share 85%)")
    assert line_with(targets, "≥ 100×").startswith("  [not measured]")


def test_ratio_at_exactly_90_percent_counts():
    table, targets = summary([(ours_json(rate_b1=1000.0, share_b1=0.90), torch_json(rate_b1=8.0))])
    assert line_with(table, "train seq/s, batch 1, 1 thread").endswith("125.0×")
    assert line_with(targets, "≥ 100×").startswith("  [met]")


def test_ratios_are_per_round_then_median_with_range_over_valid_rounds():
    rounds = [(ours_json(rate_b1=1000.0), torch_json(rate_b1=10.0)),   # 100×
              (ours_json(rate_b1=900.0), torch_json(rate_b1=10.0)),    # 90×
              (ours_json(rate_b1=1100.0), torch_json(rate_b1=5.0, share_b1=0.5)),   # refused
              (ours_json(rate_b1=800.0), torch_json(rate_b1=10.0))]    # 80×
    table, targets = summary(rounds)
    row = line_with(table, "train seq/s, batch 1, 1 thread")
    assert "950.0 [800.0, 1,100.0]" in row   # our figure: every round
    assert row.endswith("90.0× [80.0, 100.0] (3 of 4 rounds; the others CPU share 50%)")
    assert line_with(targets, "≥ 100×").startswith("  [MISSED]")


def test_latency_ratio_is_theirs_over_ours_and_share_comes_from_wall_and_cpu_lists():
    # PyTorch's step: CPU 1.1 s over 2 s of wall time, 55 %: refused.
    table, _ = summary([(ours_json(step_us=3.0), torch_json())])
    assert line_with(table, "step median µs (Swift)").endswith("not measured (CPU share 55%)")
    rounds = [bench_summary.round_samples(ours_json(step_us=3.0), None, torch_json())]
    rounds[0][("copy", "torch step 1t")] = Sample(300.0, 0.99)
    ratio = bench_summary.ratio_series(rounds, "copy", "torch step 1t", "ours step swift")
    assert ratio.valid == [100.0]


def test_scaling_and_step_targets():
    _, targets = summary([(ours_json(rate_b16_1=1500.0, rate_b16_2=2850.0, step_us=3.5), torch_json())])
    assert line_with(targets, "≥ 1.8× our 1 thread").startswith("  [met]")   # 1.9×
    assert line_with(targets, "≤ 4 µs").startswith("  [met]")
    _, targets = summary([(ours_json(share_b16_2=0.6, step_us=4.5), torch_json())])
    assert line_with(targets, "≥ 1.8× our 1 thread").startswith("  [not measured]")
    assert line_with(targets, "≤ 4 µs").startswith("  [MISSED]")


def test_step_target_not_measured_when_no_round_had_the_core():
    _, targets = summary([(ours_json(step_share=0.7), torch_json())])
    assert line_with(targets, "≤ 4 µs") == "  [not measured] step median ≤ 4 µs (Swift stream; no libntm.so for the " \
                                           "C API): CPU share 70%"


def test_without_pytorch_the_ratio_targets_are_not_applicable():
    table, targets = summary([(ours_json(), None)])
    assert line_with(targets, "≥ 100×").startswith("  [n/a]")
    assert line_with(table, "train seq/s, batch 1, 1 thread").endswith("—")


def test_figure_shows_its_lowest_share_and_longest_wait():
    low = ours_json(share_b16_2=0.7)
    low["configs"][0]["training"][2]["runqueue_wait_share"] = 0.25
    high = ours_json(share_b16_2=0.95)
    high["configs"][0]["training"][2]["runqueue_wait_share"] = 0.02
    table, _ = summary([(low, None), (high, None)])
    assert "(CPU ≥ 70%, wait ≤ 25%)" in line_with(table, "train seq/s, batch 16, 2 threads")
    assert "(CPU ≥ 100%)" in line_with(table, "train seq/s, batch 1, 1 thread")   # no wait recorded


def test_rounds_alternate_ours_and_torch():
    assert run.alternation(3, True) == ["ours", "torch", "ours", "torch", "ours", "torch"]
    assert run.alternation(2, False) == ["ours", "ours"]

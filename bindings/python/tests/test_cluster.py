"""ntm.cluster: the reproduction grid on Ray, gathered as `ntm reproduce`
lays it out. The grid itself runs on a local Ray cluster when Ray is
installed and NTM_COMMAND names an `ntm` executable (`make python-test` sets
both up); otherwise that test is skipped loudly."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import List

import pytest

import ntm
import ntm.cluster as cluster


def test_jobs_are_the_presets_times_the_seeds() -> None:
    every = cluster.jobs()
    assert len(every) == len(ntm.presets()) * 3
    assert {f"{job.task}/{job.network}" for job in every} == set(ntm.presets())
    picked = cluster.jobs(["copy", "priority-sort"], ["lstm"], "2,5-6")
    assert picked == [cluster.Job("copy", "lstm", s) for s in (2, 5, 6)] + [
        cluster.Job("priority-sort", "lstm", s) for s in (2, 5, 6)]
    assert picked[0].name == "copy-lstm-s2"  # the directory ntm reproduce uses
    assert cluster.jobs(["copy"], ["ntm-lstm"], [4]) == [cluster.Job("copy", "ntm-lstm", 4)]
    with pytest.raises(ValueError, match="unknown task 'sorting'.*copy"):
        cluster.jobs(["sorting"])
    with pytest.raises(ValueError, match="unknown network 'gru'"):
        cluster.jobs(networks=["gru"])


def test_seeds_parse_as_ntm_reproduce_takes_them() -> None:
    assert cluster.parse_seeds("1-3") == [1, 2, 3]
    assert cluster.parse_seeds("1-3,7") == [1, 2, 3, 7]
    assert cluster.parse_seeds(" 4 ") == [4]
    for bad in ("", "3-1", "a", "1-2-3", "1,1", "-1", str(1 << 32)):
        with pytest.raises(ValueError):
            cluster.parse_seeds(bad)


def test_command_line_errors_are_messages(capsys: pytest.CaptureFixture[str]) -> None:
    assert cluster.main(["--tasks", "sorting", "--ntm", "/nonexistent/ntm"]) == 1
    assert "ntm.cluster:" in capsys.readouterr().err


def test_grid_on_a_local_ray_cluster(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="!!!!! Ray is not installed: the Ray grid test is SKIPPED !!!!!")
    command = os.environ.get("NTM_COMMAND", "")
    if not os.access(command, os.X_OK):
        pytest.skip(f"!!!!! NTM_COMMAND={command!r} is not an ntm executable: the Ray grid test is SKIPPED !!!!!")
    output = tmp_path / "grid"
    lines: List[str] = []
    try:
        report = cluster.reproduce(output, tasks=["copy"], networks=["ntm-feedforward", "ntm-lstm"], seeds="1",
                                   quick=True, ntm_command=command, progress=lines.append)
        # Laid out as ntm reproduce lays it out, and reported by it.
        for name in ("copy-ntm-feedforward-s1", "copy-ntm-lstm-s1"):
            job = json.loads((output / "runs" / name / "job.json").read_text())
            assert (output / "runs" / name / "model.safetensors").is_file()
            assert job, name
        assert json.loads((output / "grid.json").read_text())["mode"] == "quick"
        text = report.read_text()
        assert report == output / "RESULTS.md" and "2 jobs finished" in text and "## Summary" in text
        assert any("finished in" in line for line in lines) and "wrote" in lines[-1]

        # Run again: nothing left to do, the report is written again.
        lines.clear()
        cluster.reproduce(output, tasks=["copy"], networks=["ntm-feedforward", "ntm-lstm"], seeds="1", quick=True,
                          ntm_command=command, progress=lines.append)
        assert "2 already finished" in lines[0] and not any(line.startswith("[") for line in lines)

        # The same directory with other budgets is refused, and nothing is lost.
        with pytest.raises(RuntimeError, match="report-only failed|another grid"):
            cluster.reproduce(output, tasks=["copy"], networks=["ntm-feedforward"], seeds="1", time_cap=5,
                              ntm_command=command, progress=None)
        assert (output / "runs" / "copy-ntm-lstm-s1" / "job.json").is_file()
    finally:
        ray.shutdown()

"""The Python examples run, with short settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import numpy as np
import pytest

from conftest import REPO

EXAMPLE = REPO / "examples" / "python" / "train_copy.py"
SHORT = ["--steps", "150", "--max-length", "3", "--test-length", "6", "--units", "32", "--memory-rows", "16",
         "--test-sequences", "8", "--report-every", "50", "--threads", "2"]

pytestmark = pytest.mark.skipif(not EXAMPLE.is_file(), reason=f"{EXAMPLE} not found")


def run_example(tmp_path: Path, *extra: str, pythonpath: Optional[Path] = None) -> str:
    env: Dict[str, str] = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    env.setdefault("MPLCONFIGDIR", str(tmp_path / "mplconfig"))
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    result = subprocess.run([sys.executable, str(EXAMPLE), *SHORT, "--output-dir", str(tmp_path / "out"), *extra],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def check_common_output(output: str, out: Path) -> None:
    assert "training <ntm.Model ntm feedforward [32]" in output
    assert " 50/150  loss" in output and "150/150  loss" in output  # the progress lines
    assert "reloaded: bit-identical outputs" in output
    assert "copy of   3 vectors (trained length)" in output
    assert "copy of   6 vectors (longer than any training sequence)" in output
    assert (out / "copy.safetensors").stat().st_size > 0
    lines = (out / "learning_curve.csv").read_text().splitlines()
    assert lines[0] == "update,loss_bits,bit_errors" and len(lines) == 151
    first = float(lines[1].split(",")[1])
    last = sum(float(line.split(",")[1]) for line in lines[-20:]) / 20
    assert last < first  # it learned something even in 150 updates


def test_train_copy_with_pictures_if_matplotlib_is_there(tmp_path: Path) -> None:
    output = run_example(tmp_path)
    out = tmp_path / "out"
    check_common_output(output, out)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed, so no pictures were drawn" in output
        pytest.skip("matplotlib is not installed: checked the message instead of the pictures")
    assert (out / "learning_curve.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "weightings.png").read_bytes()[:4] == b"\x89PNG"


def test_train_copy_says_clearly_when_matplotlib_is_missing(tmp_path: Path) -> None:
    blocker = tmp_path / "no-matplotlib"
    blocker.mkdir()
    (blocker / "matplotlib.py").write_text("raise ImportError('matplotlib is blocked for this test')\n")
    output = run_example(tmp_path, pythonpath=blocker)
    check_common_output(output, tmp_path / "out")
    assert ("pictures: matplotlib is not installed, so no pictures were drawn (pip install matplotlib to get "
            "learning_curve.png and weightings.png)") in output
    assert not (tmp_path / "out" / "weightings.png").exists()


def test_train_copy_help() -> None:
    result = subprocess.run([sys.executable, str(EXAMPLE), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--test-length" in result.stdout and "--no-plots" in result.stdout


def test_the_readme_example_runs(tmp_path: Path) -> None:
    import re

    readme = (REPO / "bindings" / "python" / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)  # type: ignore[union-attr]
    code = code.replace("range(2000)", "range(20)")
    (tmp_path / "readme.py").write_text(code)
    import ntm

    env = dict(os.environ, PYTHONPATH=str(Path(ntm.__file__).resolve().parents[1]))  # the ntm under test
    result = subprocess.run([sys.executable, "readme.py"], capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "copy.safetensors").is_file() and (tmp_path / "copy-trainer.safetensors").is_file()


HEADS = REPO / "examples" / "python" / "repeat_copy_heads.py"


def load_heads_example():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("repeat_copy_heads", HEADS)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_repeat_copy_heads_builds_the_tasks_own_sequences() -> None:
    # The example rebuilds repeat-copy inputs itself (to go beyond the
    # training range); they must be exactly what the library's task makes.
    import ntm

    heads = load_heads_example()
    batch = ntm.tasks.sample("repeat-copy", 12, seed=5, min_length=3, max_length=3)
    counts = set()
    for inputs, steps in zip(batch.inputs, batch.lengths):
        repeats = (int(steps) - 3 - 2) // 3
        counts.add(repeats)
        rebuilt = heads.repeat_copy_inputs(inputs[:3, :8], repeats, heads.standardised_count(repeats, 1, 10))
        np.testing.assert_array_equal(rebuilt, inputs[: int(steps)])
    assert len(counts) > 3  # several repeat counts, so the count's scaling is checked


def run_heads(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run([sys.executable, str(HEADS), *arguments], capture_output=True, text=True, cwd=tmp_path,
                          timeout=60)


def test_repeat_copy_heads_prints_one_line_per_repetition(tmp_path: Path) -> None:
    import ntm

    model = ntm.Model(input_size=10, output_size=9, controller="feedforward", controller_layers=[16],
                      memory_rows=16, memory_width=4, seed=3)
    model.save(tmp_path / "rc.safetensors")
    result = run_heads(tmp_path, "rc.safetensors", "3", "4", "--seed", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "3 vectors x 4 repeats (count -0.52; training range 1-10), 17 steps, 16 memory rows" in lines[0]
    table = [line.split() for line in lines[3:]]
    assert [row[0] for row in table] == ["1", "2", "3", "4", "end"]
    for row in table[:-1]:
        assert 0 <= int(row[1]) <= 24 and 0.0 <= float(row[2]) <= 1.0 and -1.0 <= float(row[-1]) <= 1.0


def test_repeat_copy_heads_refuses_a_model_of_another_shape(tmp_path: Path) -> None:
    import ntm

    ntm.Model(**SMALL_COPY).save(tmp_path / "copy.safetensors")
    result = run_heads(tmp_path, "copy.safetensors", "3", "4")
    assert result.returncode == 2 and "not shaped like a repeat-copy NTM (9 inputs, 9 outputs" in result.stderr


def with_metadata(path: Path, **entries: str) -> None:
    """Adds string metadata to a .safetensors file, as `ntm train` records its task."""
    import json
    import struct

    data = path.read_bytes()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + size])
    header.setdefault("__metadata__", {}).update(entries)
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + data[8 + size :])


def test_repeat_copy_heads_reads_the_training_range_from_the_model(tmp_path: Path) -> None:
    import ntm

    path = tmp_path / "rc.safetensors"
    ntm.Model(input_size=10, output_size=9, controller="feedforward", controller_layers=[16], memory_rows=16,
              memory_width=4, seed=3).save(path)
    with_metadata(path, **{"ntm.task": "repeat-copy", "ntm.task_options": '{"min_repeats": 1, "max_repeats": 20}'})
    result = run_heads(tmp_path, "rc.safetensors", "3", "4")
    assert result.returncode == 0, result.stderr
    count = (4 - 10.5) / ((20 * 20 - 1) / 12) ** 0.5
    assert f"(count {count:+.2f}; training range 1-20)" in result.stdout
    result = run_heads(tmp_path, "rc.safetensors", "3", "4", "--max-repeats", "10")  # the option wins
    assert "(count -0.52; training range 1-10)" in result.stdout


def test_repeat_copy_heads_refuses_a_model_trained_on_another_task(tmp_path: Path) -> None:
    import ntm

    path = tmp_path / "copy-shaped-like-rc.safetensors"
    ntm.Model(input_size=10, output_size=9, controller="feedforward", controller_layers=[8], memory_rows=8,
              memory_width=4).save(path)
    with_metadata(path, **{"ntm.task": "copy"})
    result = run_heads(tmp_path, path.name, "3", "4")
    assert result.returncode == 2 and "trained on copy, not repeat-copy" in result.stderr


SMALL_COPY = {"input_size": 9, "output_size": 9, "controller": "feedforward", "controller_layers": [8],
              "memory_rows": 8, "memory_width": 4}

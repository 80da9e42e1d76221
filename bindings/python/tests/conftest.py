"""Shared fixtures for the ntm Python binding tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict

import numpy as np
import pytest

import ntm

#: The repository (for include/ntm.h, the C library and the examples):
#: $NTM_REPO (set by run-tests.sh) or the one these tests live in.
REPO = Path(os.environ.get("NTM_REPO") or Path(__file__).resolve().parents[3])
HEADER = REPO / "include" / "ntm.h"
LIBRARY = REPO / "build" / "lib" / "libntm.so"

#: A small NTM for the copy task (width 8): fast to run and train.
SMALL: Dict[str, Any] = {
    "input_size": 9,
    "output_size": 8,
    "controller": "feedforward",
    "controller_layers": [24],
    "memory_rows": 16,
    "memory_width": 6,
}


def pytest_report_header(config: Any) -> str:
    return f"ntm package: {Path(ntm.__file__).parent}; library: {ntm.library_path()} ({ntm.version()})"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def model() -> ntm.Model:
    with ntm.Model(SMALL, seed=7) as m:
        yield m


@pytest.fixture
def batch() -> ntm.TaskBatch:
    """Four copy sequences of 1 ... 3 vectors, padded to 7 steps."""
    return ntm.tasks.sample("copy", batch_size=4, seed=11, max_length=3)


def random_inputs(length: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((length, width), dtype=np.float32)

"""Neural Turing Machines (Graves, Wayne & Danihelka, 2014) from Python.

A thin layer over the C library ``libntm.so`` (through :mod:`ctypes`, no
compiled extension), with NumPy arrays in and out::

    import ntm

    model = ntm.Model.preset("copy/ntm-feedforward", seed=1)
    trainer = ntm.Trainer(model, kind="adam", learning_rate=1e-3)
    for step in range(2000):
        result = trainer.train_task("copy", batch_size=8, max_length=5)
    model.save("copy.safetensors")

    batch = ntm.tasks.sample("copy", batch_size=4, seed=7, max_length=10)
    print(model.evaluate(*batch).bit_errors)

    with model.stream() as stream:
        outputs = stream.run(batch.inputs[0])

Classes: :class:`Model` (config and weights; save/load; evaluate),
:class:`Stream` (step-by-step inference with its own memory),
:class:`Trainer` (optimiser; train, gradients, backward). For PyTorch,
:mod:`ntm.torch` (imported on its own: ``import ntm`` never needs torch)
wraps a model as an ``nn.Module``. Functions:
:mod:`ntm.tasks` (data), :func:`presets`, :func:`preset_info`,
:func:`version`, :func:`load_library` (and :func:`library`, the raw
``ctypes`` library with every C function declared, for what the classes do
not cover).

Errors: every failure raises a subclass of :class:`NTMError`, named for the
library's status (:class:`ArgumentError`, :class:`ConfigError`,
:class:`FileError`, :class:`FormatError`, :class:`NonFiniteError`,
:class:`DivergedError`, :class:`BusyError`, :class:`ClosedError`,
:class:`MemoryLimitError`, ...), each also derived from the built-in
exception it resembles (``ConfigError`` is a ``ValueError``); all are
importable from :mod:`ntm` and listed in ``help(ntm.errors)``. Results are
named tuples (:class:`TrainResult`, :class:`EvaluationResult`, ...):
``help(ntm.results)``.

Arrays are float32 and C-contiguous; anything else is rejected with an
:class:`ArgumentError` rather than silently copied. The library is found
as :func:`load_library` describes (``NTM_LIBRARY``, a bundled copy, or the
repository's ``build/lib``).
"""

from __future__ import annotations

from typing import Tuple

from . import _declarations, errors, results, tasks
from ._library import library, library_path, load_library
from .errors import (
    ArgumentError,
    BufferTooSmallError,
    BusyError,
    MemoryLimitError,
    ClosedError,
    ConfigError,
    DivergedError,
    FileError,
    FormatError,
    HandleError,
    InternalError,
    LibraryError,
    NonFiniteError,
    NTMError,
    NullPointerError,
)
from .model import Model
from .presets import preset_info, presets
from .results import (
    BackwardResult,
    ChunkGradients,
    ChunkResult,
    EvaluationResult,
    ModelShape,
    PresetInfo,
    StreamTrace,
    TaskBatch,
    TaskShape,
    TrainResult,
)
from .stream import Stream
from .trainer import Trainer

__version__ = _declarations.VERSION  # the library's version (generated with the header)

# What `help(ntm)` shows and `from ntm import *` gives: the classes, the
# base error and the functions. The error subclasses and the result records
# are importable from `ntm` too, but documented in `help(ntm.errors)` and
# `help(ntm.results)`, so that this page stays short.
__all__ = [
    "Model",
    "NTMError",
    "Stream",
    "Trainer",
    "errors",
    "library",
    "library_path",
    "load_library",
    "memory_limit",
    "preset_info",
    "presets",
    "results",
    "set_memory_limit",
    "status_name",
    "tasks",
    "version",
    "version_info",
]


def version() -> str:
    """The loaded library's version, ``"major.minor.patch"``."""
    return library().ntm_version_string().decode("ascii")


def version_info() -> Tuple[int, int, int]:
    """The loaded library's version as ``(major, minor, patch)``."""
    number = library().ntm_version_number()
    return (number // 10000, number // 100 % 100, number % 100)


def status_name(status: int) -> str:
    """The library's name for a status code, e.g. ``"NTM_ERR_CONFIG"`` for 4
    (``"NTM_UNKNOWN_STATUS"`` for other values)."""
    return library().ntm_status_name(int(status)).decode("ascii")


def set_memory_limit(limit_bytes: int) -> int:
    """Sets the most memory one library call may allocate (0: the default of
    8 GiB) and returns the previous limit. Calls that would need more raise
    :class:`MemoryLimitError` and change nothing."""
    if not isinstance(limit_bytes, int) or limit_bytes < 0 or limit_bytes >= 1 << 64:
        raise ArgumentError(f"limit_bytes must be an int from 0 to 2**64 - 1, got {limit_bytes!r}")
    return int(library().ntm_set_memory_limit(limit_bytes))


def memory_limit() -> int:
    """The current memory limit in bytes (see :func:`set_memory_limit`)."""
    return int(library().ntm_memory_limit())

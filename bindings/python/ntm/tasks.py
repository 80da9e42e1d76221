"""The paper's experiments as data generators, returning NumPy arrays.

Tasks and their options (all integers; a missing option takes its default):

==================  ===========================================================
task                options (default)
==================  ===========================================================
copy                width (8), min_length (1), max_length (20)
repeat-copy         width (8), min_length (1), max_length (10), min_repeats (1),
                    max_repeats (10)
associative-recall  width (6), item_length (3), min_items (2), max_items (6)
dynamic-ngrams      order (6), length (200)
priority-sort       width (8), input_count (20), output_count (16)
==================  ===========================================================

::

    batch = ntm.tasks.sample("copy", batch_size=16, seed=1, max_length=5)
    result = model.evaluate(batch.inputs, batch.targets, batch.mask, batch.lengths)
"""

from __future__ import annotations

import ctypes
from typing import Any, List, Optional

import numpy as np

from ._library import library
from ._util import c_string, integer, pointer, seed as check_seed, size_p, to_json
from .errors import ArgumentError
from .results import TaskBatch, TaskShape

__all__ = ["names", "sample", "shape"]


def names() -> List[str]:
    """The built-in tasks: ``"copy"``, ``"repeat-copy"``,
    ``"associative-recall"``, ``"dynamic-ngrams"``, ``"priority-sort"``."""
    lib = library()
    return [lib.ntm_task_name(i).decode("utf-8") for i in range(lib.ntm_task_count())]


def _options(options: Any) -> Optional[bytes]:
    return to_json("options", options) if options else None


def shape(name: str, /, **options: Any) -> TaskShape:
    """The sizes of a task's sequences with ``options``: input and target
    widths (a model for the task needs the same) and ``max_length``, the most
    steps a sequence can have (note: for ``"copy"``, the option
    ``max_length=L`` gives sequences of up to ``2L + 1`` steps).

    Raises:
        ConfigError: an unknown task, or an unknown, non-integer or
            out-of-range option (the message names it).
    """
    input_size = ctypes.c_size_t()
    output_size = ctypes.c_size_t()
    max_length = ctypes.c_size_t()
    library().ntm_task_shape(
        c_string("name", name), _options(options),
        ctypes.byref(input_size), ctypes.byref(output_size), ctypes.byref(max_length),
    )
    return TaskShape(input_size.value, output_size.value, max_length.value)


def sample(name: str, /, batch_size: int = 1, seed: int = 0, *, pad_to: Optional[int] = None,
           **options: Any) -> TaskBatch:
    """Samples ``batch_size`` (1 ... 65536) sequences of a task as a padded
    batch: the same name, options and ``seed`` always give the same batch.

    Args:
        name: a task (see :func:`names`).
        batch_size: the number of sequences.
        seed: the random seed (0 ... 2**64 - 1).
        pad_to: the padded length (at least :func:`shape`'s ``max_length``,
            the default).
        **options: the task's options, e.g. ``max_length=5`` for ``"copy"``.

    Returns:
        :class:`~ntm.TaskBatch` ``(inputs, targets, mask, lengths)``:
        float32 ``(batch, steps, input_size)``, ``(batch, steps,
        output_size)``, ``(batch, steps)`` and int64 ``(batch,)``; steps
        past a sequence's length are zero.
    """
    task_shape = shape(name, **options)
    steps = task_shape.max_length if pad_to is None else integer("pad_to", pad_to, 1, 2**20)
    if steps < task_shape.max_length:
        raise ArgumentError(
            f"pad_to is {steps} but {name!r} sequences with these options can have {task_shape.max_length} steps"
        )
    batch = integer("batch_size", batch_size, 1, 65536)
    inputs = np.zeros((batch, steps, task_shape.input_size), dtype=np.float32)
    targets = np.zeros((batch, steps, task_shape.output_size), dtype=np.float32)
    mask = np.zeros((batch, steps), dtype=np.float32)
    lengths = np.zeros(batch, dtype=np.uintp)
    library().ntm_task_sample(
        c_string("name", name), _options(options), check_seed(seed), batch, steps,
        pointer(inputs), pointer(targets), pointer(mask), pointer(lengths, size_p),
    )
    return TaskBatch(inputs, targets, mask, lengths.astype(np.int64))

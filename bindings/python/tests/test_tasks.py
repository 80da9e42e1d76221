"""ntm.tasks: names, shapes and sampled batches as NumPy arrays."""

from __future__ import annotations

import numpy as np
import pytest

import ntm


def test_names() -> None:
    assert ntm.tasks.names() == ["copy", "repeat-copy", "associative-recall", "dynamic-ngrams", "priority-sort"]


def test_shapes() -> None:
    assert ntm.tasks.shape("copy") == ntm.TaskShape(9, 8, 41)
    assert ntm.tasks.shape("copy", max_length=5, width=4) == (5, 4, 11)
    for name in ntm.tasks.names():
        shape = ntm.tasks.shape(name)
        assert isinstance(shape, ntm.TaskShape) and min(shape) >= 1


@pytest.mark.parametrize("name", ["copy", "repeat-copy", "associative-recall", "dynamic-ngrams", "priority-sort"])
def test_sample_every_task(name: str) -> None:
    shape = ntm.tasks.shape(name)
    batch = ntm.tasks.sample(name, batch_size=3, seed=1)
    assert isinstance(batch, ntm.TaskBatch)
    assert batch.inputs.shape == (3, shape.max_length, shape.input_size)
    assert batch.targets.shape == (3, shape.max_length, shape.output_size)
    assert batch.mask.shape == (3, shape.max_length) and batch.lengths.shape == (3,)
    assert batch.inputs.dtype == batch.targets.dtype == batch.mask.dtype == np.float32
    assert batch.lengths.dtype == np.int64
    assert all(a.flags.c_contiguous for a in batch[:3])
    assert ((batch.targets >= 0) & (batch.targets <= 1)).all() and (batch.mask >= 0).all()
    for i, length in enumerate(batch.lengths):
        assert 1 <= length <= shape.max_length
        assert not batch.inputs[i, length:].any() and not batch.mask[i, length:].any()
    # and a model of the task's shape takes it as is
    model = ntm.Model(input_size=shape.input_size, output_size=shape.output_size, controller_layers=[8],
                      memory_rows=8, memory_width=4)
    assert np.isfinite(model.evaluate(*batch).loss_bits)


def test_copy_layout() -> None:
    batch = ntm.tasks.sample("copy", batch_size=5, seed=3, max_length=4, width=6)
    for i, length in enumerate(batch.lengths):
        n = (length - 1) // 2
        assert length == 2 * n + 1
        assert np.array_equal(batch.inputs[i, :n, :6], batch.targets[i, n + 1 : 2 * n + 1])
        assert batch.inputs[i, n, 6] == 1  # the delimiter
        assert batch.mask[i, : n + 1].sum() == 0 and batch.mask[i, n + 1 : length].sum() == n


def test_same_seed_same_batch_and_pad_to() -> None:
    a = ntm.tasks.sample("copy", 4, 7, max_length=3)
    b = ntm.tasks.sample("copy", batch_size=4, seed=7, max_length=3)
    c = ntm.tasks.sample("copy", 4, 8, max_length=3)
    for x, y in zip(a, b):
        assert np.array_equal(x, y)
    assert not np.array_equal(a.inputs, c.inputs)
    padded = ntm.tasks.sample("copy", 4, 7, pad_to=10, max_length=3)
    assert padded.inputs.shape == (4, 10, 9)
    assert np.array_equal(padded.inputs[:, :7], a.inputs) and not padded.inputs[:, 7:].any()
    assert np.array_equal(padded.lengths, a.lengths)


def test_errors() -> None:
    with pytest.raises(ntm.ConfigError, match="nope"):
        ntm.tasks.shape("nope")
    with pytest.raises(ntm.ConfigError, match="unknown option 'size'"):
        ntm.tasks.sample("copy", 1, size=3)
    with pytest.raises(ntm.ConfigError, match="max_length"):
        ntm.tasks.sample("copy", 1, max_length=-3)
    with pytest.raises(ntm.ConfigError):
        ntm.tasks.shape("copy", min_length=5, max_length=2)
    with pytest.raises(ntm.ConfigError, match="JSON"):
        ntm.tasks.sample("copy", 1, width=float("inf"))
    with pytest.raises(ntm.ArgumentError, match="batch_size"):
        ntm.tasks.sample("copy", 0)
    with pytest.raises(ntm.ArgumentError, match="seed"):
        ntm.tasks.sample("copy", 1, -5)
    with pytest.raises(ntm.ArgumentError, match="pad_to is 5 but 'copy' sequences"):
        ntm.tasks.sample("copy", 1, pad_to=5, max_length=3)
    with pytest.raises(ntm.ArgumentError, match="name must be a str"):
        ntm.tasks.shape(None)  # type: ignore[arg-type]

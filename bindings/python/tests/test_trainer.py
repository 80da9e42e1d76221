"""ntm.Trainer: learning from Python, gradients, backward, save/resume, errors."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pytest

import ntm

from conftest import SMALL, random_inputs

COPY = {"input_size": 9, "output_size": 8, "controller": "feedforward", "controller_layers": [50],
        "memory_rows": 16, "memory_width": 8}


def test_a_short_copy_training_run_reduces_the_loss() -> None:
    """300 Adam updates of 8 copy sequences (1 ... 3 vectors) take well under
    a second and bring the loss from ~16 bits per sequence (coin flips: 2 x 8
    bits per vector on average) to a few bits."""
    model = ntm.Model(COPY, seed=1)
    trainer = ntm.Trainer(model, kind="adam", learning_rate=1e-2, threads=2, data_seed=2)
    held_out = ntm.tasks.sample("copy", batch_size=32, seed=99, max_length=3)
    before = model.evaluate(*held_out)
    losses = [trainer.train_task("copy", batch_size=8, max_length=3) for _ in range(300)]
    after = model.evaluate(*held_out)
    first = np.mean([r.loss_bits for r in losses[:20]])
    last = np.mean([r.loss_bits for r in losses[-20:]])
    print(f"train loss {first:.2f} -> {last:.2f} bits; held-out {before.loss_bits:.2f} -> {after.loss_bits:.2f} "
          f"bits, {before.bit_errors:.2f} -> {after.bit_errors:.2f} bit errors per sequence")
    assert 14 < first < 18 and 14 < before.loss_bits < 18 and before.bit_errors > 5
    assert last < 6.5 and last < 0.4 * first
    assert after.loss_bits < 6 and after.loss_bits < 0.4 * before.loss_bits
    assert after.bit_errors < 2.5
    assert trainer.updates == 300 and trainer.sequences == 2400
    assert all(isinstance(r, ntm.TrainResult) for r in losses)


def test_train_on_your_own_batch(batch: ntm.TaskBatch) -> None:
    model = ntm.Model(COPY, seed=3)
    with ntm.Trainer(model, {"kind": "adam", "learning_rate": 1e-2}) as trainer:
        results = [trainer.train(*batch) for _ in range(40)]
        results.append(trainer.train(batch.inputs, batch.targets, batch.mask))  # lengths optional
    assert results[0].loss_bits > 2 * results[-2].loss_bits
    assert results[0].loss_bits == pytest.approx(ntm.Model(COPY, seed=3).evaluate(*batch).loss_bits, rel=1e-6)


def test_thread_count_does_not_change_results() -> None:
    parameters = []
    for threads in (1, 2, 3):
        model = ntm.Model(SMALL, seed=4)
        trainer = ntm.Trainer(model, threads=threads, data_seed=5)
        assert trainer.threads == threads
        for _ in range(5):
            trainer.train_task("copy", batch_size=6, max_length=4)
        parameters.append(model.parameters.tobytes())
    assert parameters[0] == parameters[1] == parameters[2]


def pair(seed: int = 6, **optimizer: object) -> tuple:
    return tuple(ntm.Trainer(ntm.Model(SMALL, seed=seed), dict(kind="adam", **optimizer)) for _ in range(2))


def test_loss_and_gradient_then_apply_gradient_equals_train(batch: ntm.TaskBatch) -> None:
    a, b = pair()
    c = ntm.Trainer(ntm.Model(SMALL, seed=6), kind="adam")
    trained = a.train(*batch)
    before = b.model.parameters.copy()
    measured = b.loss_and_gradient(*batch)
    assert measured == trained  # same loss and bit errors
    assert np.array_equal(b.model.parameters, before)  # no update yet
    assert b.updates == 0
    b.apply_gradient()  # from the trainer's own buffer
    assert b.model.parameters.tobytes() == a.model.parameters.tobytes()
    c.loss_and_gradient(*batch)
    c.apply_gradient(c.gradient.copy())  # from a caller's array
    assert c.model.parameters.tobytes() == a.model.parameters.tobytes()
    assert b.updates == c.updates == 1


def test_gradient_is_a_zero_copy_view(batch: ntm.TaskBatch) -> None:
    a, b = pair(seed=8)
    g = a.gradient
    assert g.dtype == np.float32 and g.shape == (a.model.parameter_count,) and g.flags.writeable
    assert np.shares_memory(g, a.gradient)
    a.loss_and_gradient(*batch)
    assert np.abs(g).max() > 0  # the library wrote into the array we hold
    v = random_inputs(1, g.size, seed=9)[0] - 0.5
    g[:] = v  # write the buffer, then update from it
    a.apply_gradient()
    b.apply_gradient(v)
    assert a.model.parameters.tobytes() == b.model.parameters.tobytes()
    kept = a.gradient
    a.close()
    del a
    gc.collect()
    assert kept.shape == g.shape and np.isfinite(kept).all()  # still valid memory
    kept[0] = 1.0


def test_backward_matches_the_loss_gradient_and_finite_differences() -> None:
    model = ntm.Model(SMALL, seed=10)
    trainer = ntm.Trainer(model)
    sample = ntm.tasks.sample("copy", batch_size=1, seed=12, max_length=3)
    length = int(sample.lengths[0])
    x, t, m = sample.inputs[0, :length], sample.targets[0, :length], sample.mask[0, :length]
    with model.stream() as stream:
        expected_outputs = stream.run(np.ascontiguousarray(x))
    # the cross-entropy's gradient with respect to the outputs (nats)
    y = expected_outputs.astype(np.float64)
    dy = (m[:, None] * (y - t) / (y * (1 - y))).astype(np.float32)
    result = trainer.backward(np.ascontiguousarray(x), dy)
    assert isinstance(result, ntm.BackwardResult)
    assert result.outputs.tobytes() == expected_outputs.tobytes()
    assert result.input_gradients.shape == (length, 9)
    from_backward = trainer.gradient.copy()
    trainer.loss_and_gradient(sample.inputs[:, :length].copy(), sample.targets[:, :length].copy(),
                              sample.mask[:, :length].copy())
    from_loss = trainer.gradient.copy()
    scale = np.abs(from_loss).max()
    assert np.allclose(from_backward, from_loss, rtol=1e-3, atol=1e-5 * scale)

    # input gradients against central differences of L(x) = sum(w * outputs(x))
    rng = np.random.default_rng(13)
    w = rng.standard_normal((length, 8)).astype(np.float32)
    base = np.ascontiguousarray(x) + 0.1
    grad = trainer.backward(base, w).input_gradients

    def loss(inputs: np.ndarray) -> float:
        with model.stream() as s:
            return float(np.sum(w.astype(np.float64) * s.run(inputs)))

    eps = 1e-2
    for step, channel in [(0, 0), (0, 8), (1, 3), (length // 2, 5), (length - 1, 2)]:
        plus, minus = base.copy(), base.copy()
        plus[step, channel] += eps
        minus[step, channel] -= eps
        numeric = (loss(plus) - loss(minus)) / (2 * eps)
        assert grad[step, channel] == pytest.approx(numeric, rel=0.05, abs=2e-3), (step, channel)


def test_backward_errors() -> None:
    trainer = ntm.Trainer(ntm.Model(SMALL))
    x = random_inputs(3, 9)
    with pytest.raises(ntm.ArgumentError, match=r"inputs must be a C-contiguous float32 array of shape \(length, 9\)"):
        trainer.backward(x.astype(np.float64), np.zeros((3, 8), np.float32))
    with pytest.raises(ntm.ArgumentError, match=r"output_gradients must be a C-contiguous float32 array of shape "
                                               r"\(3, 8\), got float32 array of shape \(2, 8\)"):
        trainer.backward(x, np.zeros((2, 8), np.float32))
    bad = np.zeros((3, 8), np.float32)
    bad[1, 1] = np.inf
    with pytest.raises(ntm.NonFiniteError):
        trainer.backward(x, bad)
    with pytest.raises(ntm.ArgumentError, match="length"):
        trainer.backward(np.zeros((0, 9), np.float32), np.zeros((0, 8), np.float32))


def test_save_and_resume_bit_identically(tmp_path: Path) -> None:
    model = ntm.Model(SMALL, seed=14)
    trainer = ntm.Trainer(model, kind="rmsprop", learning_rate=1e-3, data_seed=15, threads=2)
    for _ in range(4):
        trainer.train_task("copy", batch_size=3, max_length=4)
    path = tmp_path / "trainer.safetensors"
    trainer.save(path)
    data = trainer.to_bytes()
    assert path.read_bytes() == data
    for _ in range(4):
        trainer.train_task("copy", batch_size=3, max_length=4)
    uninterrupted = model.parameters.tobytes()
    for source in (path, str(path), data, bytearray(data)):
        resumed = ntm.Trainer.load(source, threads=1)
        assert resumed.updates == 4 and resumed.sequences == 12 and resumed.threads == 1
        assert resumed.optimizer == trainer.optimizer
        assert resumed.model.config == model.config
        for _ in range(4):
            resumed.train_task("copy", batch_size=3, max_length=4)
        assert resumed.model.parameters.tobytes() == uninterrupted
        resumed.close()
    # a trainer file is also a model file
    assert ntm.Model.load(path).config == model.config


def test_load_errors(tmp_path: Path) -> None:
    model = ntm.Model(SMALL)
    model_only = model.to_bytes()
    with pytest.raises(ntm.FormatError, match="trainer"):
        ntm.Trainer.load(model_only)
    path = tmp_path / "m.safetensors"
    model.save(path)
    with pytest.raises(ntm.FormatError):
        ntm.Trainer.load(path)
    data = bytearray(ntm.Trainer(model).to_bytes())
    data[-40] ^= 1
    with pytest.raises(ntm.FormatError, match="checksum"):
        ntm.Trainer.load(bytes(data))
    with pytest.raises(ntm.FileError):
        ntm.Trainer.load(tmp_path / "missing")
    with pytest.raises(ntm.ArgumentError, match="threads"):
        ntm.Trainer.load(path, threads=0)
    with pytest.raises(ntm.FileError):
        ntm.Trainer(model).save(tmp_path / "missing-dir" / "t.safetensors")


def test_optimizer_config() -> None:
    model = ntm.Model(SMALL)
    default = ntm.Trainer(model).optimizer
    assert default["kind"] == "rmsprop" and set(default) >= set(ntm.Trainer.OPTIMIZER_FIELDS)
    for field, value in ntm.Trainer.OPTIMIZER_FIELDS.items():
        assert default[field] == value, field
    adam = ntm.Trainer(model, {"kind": "adam"}, learning_rate=5e-3).optimizer
    assert adam["kind"] == "adam" and adam["learning_rate"] == 5e-3


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"momentum_typo": 0.9}, ntm.ConfigError, 'unknown optimizer config field "momentum_typo"'),
        ({"learning_rate": -1.0}, ntm.ConfigError, "learning_rate"),
        ({"kind": "sgd"}, ntm.ConfigError, "kind"),
        ({"threads": 0}, ntm.ArgumentError, "threads"),
        ({"threads": 257}, ntm.ArgumentError, "threads"),
        ({"data_seed": -1}, ntm.ArgumentError, "data_seed"),
    ],
)
def test_constructor_errors(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        ntm.Trainer(ntm.Model(SMALL), **kwargs)


def test_constructor_needs_a_model() -> None:
    with pytest.raises(TypeError):
        ntm.Trainer(None)  # type: ignore[arg-type]


def test_train_errors(batch: ntm.TaskBatch) -> None:
    model = ntm.Model(SMALL)
    trainer = ntm.Trainer(model)
    x, t, m, lengths = (a.copy() for a in batch)
    with pytest.raises(ntm.ArgumentError, match="got float64 array"):
        trainer.train(x.astype(np.float64), t, m)
    with pytest.raises(ntm.ArgumentError, match="non-contiguous"):
        trainer.loss_and_gradient(x, t[:, :, ::-1], m)
    t[0, 1, 2] = np.nan
    before = model.parameters.copy()
    with pytest.raises(ntm.NonFiniteError, match=r"targets\[0\]\[1\]\[2\]"):
        trainer.train(x, t, m, lengths)
    assert np.array_equal(model.parameters, before) and trainer.updates == 0


def test_train_task_errors() -> None:
    trainer = ntm.Trainer(ntm.Model(SMALL))
    with pytest.raises(ntm.ConfigError, match="unknown task|nope"):
        trainer.train_task("nope")
    with pytest.raises(ntm.ConfigError, match="unknown option 'colour'"):
        trainer.train_task("copy", colour=1)
    with pytest.raises(ntm.ConfigError, match="max_length"):
        trainer.train_task("copy", max_length=0)
    with pytest.raises(ntm.ArgumentError, match="the task has 10 inputs and 9 outputs but the model has 9 and 8"):
        trainer.train_task("repeat-copy")
    with pytest.raises(ntm.ArgumentError, match="batch_size"):
        trainer.train_task("copy", batch_size=0)


def test_apply_gradient_errors() -> None:
    model = ntm.Model(SMALL, seed=16)
    trainer = ntm.Trainer(model, kind="rmsprop", learning_rate=1, clip_value=0)
    n = model.parameter_count
    with pytest.raises(ntm.ArgumentError, match=rf"gradient must be a C-contiguous float32 array of shape \({n},\), "
                                               rf"got float32 array of shape \({n - 1},\)"):
        trainer.apply_gradient(np.zeros(n - 1, np.float32))
    with pytest.raises(ntm.ArgumentError, match="got float64"):
        trainer.apply_gradient(np.zeros(n))
    g = np.zeros(n, np.float32)
    g[5] = np.nan
    with pytest.raises(ntm.NonFiniteError, match="5"):
        trainer.apply_gradient(g)
    before = model.parameters.copy()
    # RMSProp squares the gradient in float32: 3e38 overflows its state.
    with pytest.raises(ntm.DivergedError, match="non-finite") as info:
        trainer.apply_gradient(np.full(n, 3e38, np.float32))
    assert isinstance(info.value, ArithmeticError) and info.value.status_name == "NTM_ERR_DIVERGED"
    assert np.array_equal(model.parameters, before) and trainer.updates == 0


def test_preset_trainer() -> None:
    trainer = ntm.Trainer.preset("copy/ntm-feedforward", seed=1, data_seed=2)
    info = ntm.preset_info("copy/ntm-feedforward")
    assert trainer.model.config == info.model_config
    assert trainer.optimizer == info.optimizer_config
    result = trainer.train_task(info.task, info.batch_size, max_length=2)
    assert result.loss_bits > 0 and trainer.updates == 1


def test_trainer_outlives_a_closed_model(batch: ntm.TaskBatch) -> None:
    model = ntm.Model(SMALL, seed=17)
    trainer = ntm.Trainer(model)
    model.close()
    assert trainer.train(*batch).loss_bits > 0
    with pytest.raises(ntm.ClosedError):
        trainer.model.parameters


def test_use_after_close(batch: ntm.TaskBatch, tmp_path: Path) -> None:
    trainer = ntm.Trainer(ntm.Model(SMALL))
    trainer.close()
    trainer.close()
    assert trainer.closed and "closed" in repr(trainer)
    x = random_inputs(2, 9)
    calls = [
        lambda: trainer.train(*batch), lambda: trainer.loss_and_gradient(*batch), trainer.apply_gradient,
        lambda: trainer.backward(x, np.zeros((2, 8), np.float32)), lambda: trainer.gradient,
        lambda: trainer.train_task("copy"), lambda: trainer.save(tmp_path / "t"), trainer.to_bytes,
        lambda: trainer.updates, lambda: trainer.sequences, lambda: trainer.optimizer, lambda: trainer.threads,
        trainer.__enter__,
    ]
    for call in calls:
        with pytest.raises(ntm.ClosedError, match="this Trainer is closed"):
            call()


def test_repr() -> None:
    trainer = ntm.Trainer(ntm.Model(SMALL), kind="adam", threads=2)
    assert repr(trainer) == "<ntm.Trainer adam, 2 threads, 0 updates, 0 sequences>"


def test_pickle_and_copy_resume_training_identically() -> None:
    import copy
    import pickle

    trainer = ntm.Trainer(ntm.Model(SMALL, seed=18), kind="adam", data_seed=19, threads=2)
    trainer.train_task("copy", batch_size=2, max_length=3)
    clones = [pickle.loads(pickle.dumps(trainer)), copy.deepcopy(trainer), copy.copy(trainer)]
    trainer.train_task("copy", batch_size=2, max_length=3)
    for clone in clones:
        assert clone.threads == 2 and clone.updates == 1
        clone.train_task("copy", batch_size=2, max_length=3)
        assert clone.model.parameters.tobytes() == trainer.model.parameters.tobytes()


def test_memory_limit_refuses_what_does_not_fit() -> None:
    model = ntm.Model(SMALL, seed=16)
    assert ntm.memory_limit() == 8 << 30
    previous = ntm.set_memory_limit(1000)
    try:
        assert previous == 8 << 30
        with pytest.raises(ntm.MemoryLimitError, match="a trainer needs .* more than the memory limit of 1000 bytes"):
            ntm.Trainer(model, kind="adam")
    finally:
        assert ntm.set_memory_limit(0) == 1000
    assert ntm.memory_limit() == 8 << 30
    ntm.Trainer(model, kind="adam")
    with pytest.raises(ntm.ArgumentError, match="limit_bytes"):
        ntm.set_memory_limit(-1)

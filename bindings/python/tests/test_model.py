"""ntm.Model: creation, config, shapes, zero-copy parameters, save/load,
evaluate, and every error path."""

from __future__ import annotations

import gc
import inspect
import json
import os
import pydoc
import struct
import typing
from pathlib import Path

import numpy as np
import pytest

import ntm

from conftest import SMALL


# ---------------------------------------------------------------- creation


def test_create_from_keywords_dict_and_both() -> None:
    a = ntm.Model(seed=3, **SMALL)
    b = ntm.Model(SMALL, seed=3)
    c = ntm.Model({"input_size": 9, "output_size": 8}, seed=3, **{k: v for k, v in SMALL.items() if k != "input_size"})
    for m in (b, c):
        assert m.config == a.config
        assert np.array_equal(m.parameters, a.parameters)
    d = ntm.Model(SMALL, seed=4)
    assert not np.array_equal(d.parameters, a.parameters)
    # keyword arguments override the dict
    e = ntm.Model(SMALL, seed=3, memory_rows=20)
    assert e.shape.memory_rows == 20


def test_config_has_every_field_with_defaults() -> None:
    m = ntm.Model(input_size=3, output_size=2)
    config = m.config
    defaults = ntm.Model.default_config()
    assert list(config) == list(defaults)
    assert defaults["input_size"] is None and defaults["output_size"] is None
    assert (defaults["memory_rows"], defaults["controller_layers"], defaults["initial_weighting"]) == (
        128, [100], "focused")
    assert config == {**defaults, "input_size": 3, "output_size": 2}
    lstm = ntm.Model.default_config("lstm")
    assert (lstm["kind"], lstm["read_heads"], lstm["memory_rows"]) == ("lstm", 0, 0)
    assert ntm.Model(kind="lstm", input_size=3, output_size=2).config == {**lstm, "input_size": 3, "output_size": 2}
    with pytest.raises(ntm.ConfigError, match="transformer"):
        ntm.Model.default_config("transformer")  # type: ignore[arg-type]
    assert ntm.Model(config).config == config  # a config round-trips
    config["memory_rows"] = 1  # a copy: the model is unchanged
    assert m.config["memory_rows"] == 128


def test_keyword_arguments_are_the_library_fields() -> None:
    """The typed keyword arguments of Model() are exactly the fields the
    library knows, in its order, and each one reaches the config."""
    keywords = [p.name for p in inspect.signature(ntm.Model.__init__).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name != "seed"]
    assert keywords == list(ntm.Model.default_config())
    hints = typing.get_type_hints(ntm.Model.__init__)
    assert all(name in hints for name in keywords)
    m = ntm.Model(input_size=3, output_size=2, controller="feedforward", controller_layers=[7], read_heads=2,
                  write_heads=2, memory_rows=10, memory_width=4, shift_range=2, initial_memory="learned",
                  initial_memory_value=0.5, add_activation="tanh", initial_weighting="random", kind="ntm")
    assert m.config == {"kind": "ntm", "input_size": 3, "output_size": 2, "controller": "feedforward",
                        "controller_layers": [7], "read_heads": 2, "write_heads": 2, "memory_rows": 10,
                        "memory_width": 4, "shift_range": 2, "initial_memory": "learned",
                        "initial_memory_value": 0.5, "add_activation": "tanh", "initial_weighting": "random"}
    with pytest.raises(TypeError, match="reed_heads"):
        ntm.Model(input_size=3, output_size=2, reed_heads=1)  # type: ignore[call-arg]
    with pytest.raises(ntm.ConfigError, match="reed_heads"):
        ntm.Model({"input_size": 3, "output_size": 2, "reed_heads": 1})


def test_numpy_scalars_in_config_are_accepted() -> None:
    m = ntm.Model(input_size=np.int64(9), output_size=np.int32(8), controller_layers=np.array([5]),
                  initial_memory_value=np.float32(0.5), seed=np.uint64(2))
    assert m.config["controller_layers"] == [5]


def test_shape(model: ntm.Model) -> None:
    s = model.shape
    assert isinstance(s, ntm.ModelShape)
    assert (s.input_size, s.output_size, s.memory_rows, s.memory_width, s.read_heads, s.write_heads) == (
        9, 8, 16, 6, 1, 1)
    assert model.input_size == 9 and model.output_size == 8
    assert model.parameter_count == s.parameter_count == model.parameters.size


def test_presets() -> None:
    names = ntm.presets()
    assert len(names) == 15 and "copy/ntm-lstm" in names
    for name in names:
        info = ntm.preset_info(name)
        assert isinstance(info, ntm.PresetInfo)
        assert info.name == name and info.task in ntm.tasks.names() and info.batch_size >= 1
        shape = ntm.tasks.shape(info.task)
        assert (info.model_config["input_size"], info.model_config["output_size"]) == shape[:2]
        assert "kind" in info.optimizer_config
    m = ntm.Model.preset("copy/ntm-feedforward", seed=5)
    info = ntm.preset_info("copy/ntm-feedforward")
    assert m.config == info.model_config
    assert np.array_equal(m.parameters, ntm.Model(info.model_config, seed=5).parameters)


def test_lstm_baseline_has_no_memory() -> None:
    m = ntm.Model.preset("copy/lstm", seed=1)
    s = m.shape
    assert (s.memory_rows, s.memory_width, s.read_heads, s.write_heads) == (0, 0, 0, 0)
    with m.stream() as stream:
        assert stream.step(np.zeros(9, np.float32)).shape == (8,)
        assert stream.memory.shape == (0, 0) and stream.read_vectors.shape[0] == 0
        assert stream.weightings.shape == (0, 0)
        with pytest.raises(ntm.ArgumentError, match="head"):
            stream.weighting(0)


# ---------------------------------------------------------------- config errors


@pytest.mark.parametrize(
    "config, match",
    [
        ({"input_size": 9, "output_size": 8, "colour": "red"}, 'unknown config field "colour"'),
        ({"input_size": 9, "output_size": 8, "read_heads": 0}, '"read_heads"'),
        ({"input_size": 9, "output_size": 8, "controller": "gru"}, '"controller"'),
        ({"input_size": 9, "output_size": 8, "memory_rows": 2.5}, '"memory_rows"'),
        ({"output_size": 8}, "input_size"),
    ],
)
def test_bad_config_raises_config_error_naming_the_field(config: dict, match: str) -> None:
    with pytest.raises(ntm.ConfigError, match=match) as info:
        ntm.Model(config)
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, ntm.NTMError)
    assert error.status == 4 and error.status_name == "NTM_ERR_CONFIG"
    assert error.function == "ntm_model_create" and error.message == str(error)


def test_config_that_is_not_json() -> None:
    with pytest.raises(ntm.ConfigError, match="JSON"):
        ntm.Model(input_size=9, output_size=8, initial_memory_value=float("nan"))
    with pytest.raises(ntm.ConfigError, match="JSON"):
        ntm.Model(input_size=9, output_size=8, controller=object())
    with pytest.raises(ntm.ConfigError, match="must be a dict"):
        ntm.Model([("input_size", 9)])  # type: ignore[arg-type]
    with pytest.raises(ntm.ConfigError, match="keys must be strings"):
        ntm.Model({1: 2})  # type: ignore[dict-item]


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, "1", True])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(ntm.ArgumentError, match="seed must be an integer"):
        ntm.Model(SMALL, seed=seed)  # type: ignore[arg-type]


def test_unknown_preset() -> None:
    with pytest.raises(ntm.ConfigError, match="valid presets: copy/ntm-feedforward"):
        ntm.Model.preset("copy/transformer")
    with pytest.raises(ntm.ConfigError):
        ntm.preset_info("nope")
    with pytest.raises(ntm.ArgumentError):
        ntm.Model.preset(3)  # type: ignore[arg-type]
    with pytest.raises(ntm.ArgumentError, match="NUL"):
        ntm.Model.preset("copy/ntm-lstm\0x")


# ---------------------------------------------------------------- parameters


def test_parameters_share_memory_with_the_library(model: ntm.Model) -> None:
    p = model.parameters
    assert p.dtype == np.float32 and p.ndim == 1 and p.flags.writeable
    q = model.parameters
    assert p.ctypes.data == q.ctypes.data  # the same buffer, not a copy
    assert np.shares_memory(p, q)
    x = np.ones((1, 3, 9), np.float32)
    t = np.zeros((1, 3, 8), np.float32)
    m = np.ones((1, 3), np.float32)
    before = model.evaluate(x, t, m).outputs
    p[:] = 0  # writes change the model at once
    assert np.array_equal(model.parameters, np.zeros_like(p))
    after = model.evaluate(x, t, m).outputs
    assert not np.array_equal(before, after)
    assert np.allclose(after, 0.5)  # every weight zero: sigmoid(0)
    # and the change is what a save records
    assert np.array_equal(ntm.Model.load(model.to_bytes()).parameters, p)


def test_parameters_keep_the_weights_alive_after_close_and_gc() -> None:
    m = ntm.Model(SMALL, seed=1)
    expected = m.parameters.copy()
    view = m.parameters[10:20]  # a view of the view still keeps it alive
    p = m.parameters
    m.close()
    del m
    gc.collect()
    junk = [ntm.Model(SMALL, seed=i).parameters.copy() for i in range(3)]  # reuse freed memory, if any
    assert np.array_equal(p, expected) and np.array_equal(view, expected[10:20])
    p[0] = 42.0  # still writable, still valid
    assert view.base is not None and junk


def test_named_parameters_view_the_flat_buffer(model: ntm.Model) -> None:
    named = model.named_parameters()
    names = list(named)
    assert names[:2] == ["controller.0.kernel", "controller.0.bias"]
    assert names[-3:] == ["output.bias", "read0", "weighting0.logits"]
    assert named["controller.0.kernel"].shape == (9 + 6, 24)  # inputs + read vectors, units
    assert named["heads.kernel"].shape == (24, (6 + 3 + 3) + (6 + 3 + 3 + 2 * 6))
    assert named["weighting0.logits"].shape == (2, 16)
    flat = np.concatenate([v.ravel() for v in named.values()])
    assert np.array_equal(flat, model.parameters)
    named["output.bias"][:] = 7  # views, not copies
    assert np.count_nonzero(model.parameters == 7) >= 8


# ---------------------------------------------------------------- save / load


def test_save_and_load_path_and_bytes_bit_identical(model: ntm.Model, batch: ntm.TaskBatch, tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    model.save(path)
    model.save(str(tmp_path / "as-str.safetensors"))
    data = model.to_bytes()
    assert path.read_bytes() == data
    reference = model.evaluate(*batch)
    for loaded in (ntm.Model.load(path), ntm.Model.load(str(path)), ntm.Model.load(data),
                   ntm.Model.load(bytearray(data)), ntm.Model.load(memoryview(data)), ntm.Model.from_bytes(data)):
        assert loaded.config == model.config
        assert loaded.parameters.tobytes() == model.parameters.tobytes()
        result = loaded.evaluate(*batch)
        assert result.outputs.tobytes() == reference.outputs.tobytes()
        assert (result.loss_bits, result.bit_errors) == (reference.loss_bits, reference.bit_errors)
    with pytest.raises(ntm.ArgumentError):
        ntm.Model.from_bytes(str(path))  # type: ignore[arg-type]


def corrupt(data: bytes) -> bytes:
    """Flips one bit in the last tensor's data."""
    damaged = bytearray(data)
    damaged[-3] ^= 0x10
    return bytes(damaged)


def test_load_corrupt_truncated_and_foreign_files(model: ntm.Model, tmp_path: Path) -> None:
    data = model.to_bytes()
    (header_size,) = struct.unpack("<Q", data[:8])
    cases = {
        "corrupt": (corrupt(data), "checksum"),
        "truncated": (data[: len(data) // 2], "safetensors"),
        "empty": (b"", "safetensors"),
        "text": (b"hello, world, this is not a checkpoint", "safetensors"),
        "foreign": (foreign_safetensors(), "not an ntm checkpoint"),
    }
    for name, (content, match) in cases.items():
        path = tmp_path / f"{name}.safetensors"
        path.write_bytes(content)
        with pytest.raises(ntm.FormatError, match=match) as info:
            ntm.Model.load(path)
        assert info.value.status_name == "NTM_ERR_FORMAT" and isinstance(info.value, ValueError)
        if content:
            with pytest.raises(ntm.FormatError, match=match):
                ntm.Model.load(content)
    assert header_size > 0


def foreign_safetensors() -> bytes:
    header = json.dumps({"weight": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                         "__metadata__": {"format": "pt"}}).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + struct.pack("<2f", 1, 2)


def test_io_errors_are_oserrors(model: ntm.Model, tmp_path: Path) -> None:
    with pytest.raises(ntm.FileError, match="No such file") as info:
        ntm.Model.load(tmp_path / "missing.safetensors")
    assert isinstance(info.value, OSError) and info.value.status_name == "NTM_ERR_IO"
    with pytest.raises(ntm.FileError):
        model.save(tmp_path / "no" / "such" / "dir" / "m.safetensors")
    with pytest.raises(ntm.FileError):
        ntm.Model.load(tmp_path)  # a directory
    with pytest.raises(ntm.ArgumentError):
        ntm.Model.load(12)  # type: ignore[arg-type]
    with pytest.raises(ntm.ArgumentError, match="NUL"):
        model.save("bad\0name")


def test_a_failed_save_leaves_the_old_file(model: ntm.Model, tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    model.save(path)
    before = path.read_bytes()
    other = ntm.Model(SMALL, seed=99)
    other.save(path)  # atomic replace
    assert ntm.Model.load(path).parameters.tobytes() == other.parameters.tobytes()
    assert before != path.read_bytes()


# ---------------------------------------------------------------- evaluate


def test_evaluate(model: ntm.Model, batch: ntm.TaskBatch) -> None:
    result = model.evaluate(batch.inputs, batch.targets, batch.mask, batch.lengths)
    assert isinstance(result, ntm.EvaluationResult)
    assert result.outputs.shape == batch.targets.shape and result.outputs.dtype == np.float32
    # an untrained model is about as good as coin flips: ~1 bit per masked bit
    masked_bits = batch.mask.sum() * 8 / len(batch.lengths)
    assert 0.8 * masked_bits < result.loss_bits < 1.3 * masked_bits
    assert 0 <= result.bit_errors <= masked_bits
    # outputs are zero past each length
    for i, length in enumerate(batch.lengths):
        assert not result.outputs[i, length:].any()
        assert result.outputs[i, :length].all()
    # lengths as a list, and None meaning "all full length"
    again = model.evaluate(*batch[:3], list(batch.lengths))
    assert (again.loss_bits, again.bit_errors) == (result.loss_bits, result.bit_errors)
    assert again.outputs.tobytes() == result.outputs.tobytes()
    full = model.evaluate(batch.inputs, batch.targets, batch.mask)
    assert full.outputs[:, -1].all()


def test_evaluate_matches_a_stream(model: ntm.Model, batch: ntm.TaskBatch) -> None:
    outputs = model.evaluate(*batch).outputs
    with model.stream() as stream:
        for i, length in enumerate(batch.lengths):
            stream.reset()
            assert stream.run(batch.inputs[i, :length]).tobytes() == outputs[i, :length].tobytes()


def test_evaluate_rejects_wrong_arrays_in_numpy_terms(model: ntm.Model, batch: ntm.TaskBatch) -> None:
    x, t, m, lengths = batch
    cases = [
        ((x.astype(np.float64), t, m), "inputs must be a C-contiguous float32 array of shape (batch, max_length, 9), "
                                       "got float64 array of shape (4, 7, 9)"),
        ((x[..., :8].copy(), t, m), "got float32 array of shape (4, 7, 8)"),
        ((x[:, ::2], t, m), "got non-contiguous float32 array of shape (4, 4, 9)"),
        ((np.asfortranarray(x), t, m), "got non-contiguous float32 array"),
        ((x.tolist(), t, m), "got list"),
        ((x[0], t, m), "got float32 array of shape (7, 9)"),
        ((x, t[:3], m), "targets must be a C-contiguous float32 array of shape (4, 7, 8), got float32 array of "
                        "shape (3, 7, 8)"),
        ((x, t.astype(np.float16), m), "targets must be"),
        ((x, t, m[:, :5].copy()), "mask must be a C-contiguous float32 array of shape (4, 7), got float32 array of "
                           "shape (4, 5)"),
        ((x, t, m.astype(">f4")), "mask must be"),
    ]
    for arrays, message in cases:
        with pytest.raises(ntm.ArgumentError) as info:
            model.evaluate(*arrays)
        assert message in str(info.value), str(info.value)
        assert info.value.function is None  # caught before the library
    misaligned = np.frombuffer(b"\0" + x.tobytes(), dtype=np.float32, offset=1).reshape(x.shape)
    assert not misaligned.flags.aligned
    with pytest.raises(ntm.ArgumentError, match="got misaligned float32 array of shape"):
        model.evaluate(misaligned, t, m)


def test_evaluate_rejects_bad_lengths(model: ntm.Model, batch: ntm.TaskBatch) -> None:
    x, t, m, lengths = batch
    with pytest.raises(ntm.ArgumentError, match=r"lengths\[1\] is 0"):
        model.evaluate(x, t, m, [3, 0, 3, 3])
    with pytest.raises(ntm.ArgumentError, match=r"lengths\[0\] is 8; each length must be 1 ... 7"):
        model.evaluate(x, t, m, [8, 1, 1, 1])
    with pytest.raises(ntm.ArgumentError, match=r"lengths\[2\] is -1"):
        model.evaluate(x, t, m, np.array([1, 1, -1, 1]))
    with pytest.raises(ntm.ArgumentError, match=r"shape \(4,\)"):
        model.evaluate(x, t, m, [1, 2])
    with pytest.raises(ntm.ArgumentError, match="integer array"):
        model.evaluate(x, t, m, [1.0, 2.0, 3.0, 4.0])


def test_evaluate_rejects_nan_and_bad_values_in_the_library(model: ntm.Model, batch: ntm.TaskBatch) -> None:
    x, t, m, lengths = (a.copy() for a in batch)
    x[1, 2, 3] = np.nan
    with pytest.raises(ntm.NonFiniteError, match=r"inputs\[1\]\[2\]\[3\] is nan") as info:
        model.evaluate(x, t, m)
    assert info.value.status_name == "NTM_ERR_NONFINITE" and info.value.function == "ntm_model_evaluate"
    x[1, 2, 3] = 0
    m[0, 0] = np.inf
    with pytest.raises(ntm.NonFiniteError, match="mask"):
        model.evaluate(x, t, m)
    m[0, 0] = -1
    with pytest.raises(ntm.ArgumentError, match="mask"):
        model.evaluate(x, t, m)
    m[0, 0] = 0
    t[0, 0, 0] = 2
    with pytest.raises(ntm.ArgumentError, match="outside"):
        model.evaluate(x, t, m)


# ---------------------------------------------------------------- lifetime


def test_context_manager_close_and_use_after_close(batch: ntm.TaskBatch, tmp_path: Path) -> None:
    with ntm.Model(SMALL, seed=1) as m:
        assert not m.closed
        stream = m.stream()
    assert m.closed
    m.close()  # twice is fine
    assert "closed" in repr(m)
    calls = [
        lambda: m.parameters, lambda: m.config, lambda: m.shape, lambda: m.input_size, lambda: m.output_size,
        lambda: m.parameter_count, lambda: m.named_parameters(), lambda: m.to_bytes(),
        lambda: m.save(tmp_path / "x"), lambda: m.evaluate(*batch), lambda: m.stream(), lambda: ntm.Stream(m),
        lambda: ntm.Trainer(m), lambda: m.__enter__(),
    ]
    for call in calls:
        with pytest.raises(ntm.ClosedError, match="this Model is closed") as info:
            call()
        assert isinstance(info.value, ntm.HandleError)
    # a stream made before the close keeps working: it holds the weights
    assert stream.step(np.zeros(9, np.float32)).shape == (8,)
    stream.close()


def test_garbage_collection_frees_handles_safely() -> None:
    import weakref

    models = [ntm.Model(SMALL, seed=i) for i in range(20)]
    finalizers = [m._handle._finalizer for m in models]  # type: ignore[union-attr]
    streams = [m.stream() for m in models[:5]]
    del models
    gc.collect()
    # freed at collection, except the models that streams still refer to
    assert [f.alive for f in finalizers] == [True] * 5 + [False] * 15
    for s in streams:
        s.step(np.zeros(9, np.float32))
        s.model.close()  # closing frees the model handle; the stream keeps the weights
        s.step(np.zeros(9, np.float32))
    assert not any(f.alive for f in finalizers)
    stream_finalizers = [s._handle._finalizer for s in streams]  # type: ignore[union-attr]
    ref = weakref.ref(streams[0])
    del streams, s
    gc.collect()
    assert ref() is None and not any(f.alive for f in stream_finalizers)


def test_repr_and_help(model: ntm.Model) -> None:
    text = repr(model)
    assert "feedforward" in text and "memory 16x6" in text and str(model.parameter_count) in text
    doc = pydoc.render_doc(ntm.Model, renderer=pydoc.plaintext)
    for phrase in ("Neural Turing Machine", "evaluate(", "Runs a padded batch", "parameters",
                   "Raises:", "preset(", "save(", "load("):
        assert phrase in doc, phrase


def test_pickle_and_copy_make_independent_models(model: ntm.Model, batch: ntm.TaskBatch) -> None:
    import copy
    import pickle

    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model), copy.copy(model)):
        assert isinstance(clone, ntm.Model) and clone.config == model.config
        assert clone.parameters.tobytes() == model.parameters.tobytes()
        assert not np.shares_memory(clone.parameters, model.parameters)
        assert clone.evaluate(*batch).outputs.tobytes() == model.evaluate(*batch).outputs.tobytes()
    closed = ntm.Model(SMALL)
    closed.close()
    with pytest.raises(ntm.ClosedError):
        pickle.dumps(closed)


def test_empty_batches_are_rejected_by_the_library(model: ntm.Model) -> None:
    with pytest.raises(ntm.ArgumentError, match="batch"):
        model.evaluate(np.zeros((0, 5, 9), np.float32), np.zeros((0, 5, 8), np.float32), np.zeros((0, 5), np.float32))
    with pytest.raises(ntm.ArgumentError, match="max_length"):
        model.evaluate(np.zeros((2, 0, 9), np.float32), np.zeros((2, 0, 8), np.float32), np.zeros((2, 0), np.float32))


def test_paths_that_are_not_utf8_name_exactly_their_bytes(tmp_path: Path) -> None:
    model = ntm.Model(SMALL, seed=3)
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.st")
    model.save(os.fsdecode(raw))  # surrogate-escaped str: the bytes go through as they are
    assert os.path.exists(raw)
    assert not os.path.exists(os.path.join(os.fsencode(tmp_path), "café.st".encode()))
    loaded = ntm.Model.load(os.fsdecode(raw))
    assert np.array_equal(loaded.parameters, model.parameters)
    with pytest.raises(ntm.FileError, match=r"caf\\xe8"):
        ntm.Model.load(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"caf\xe8.st")))

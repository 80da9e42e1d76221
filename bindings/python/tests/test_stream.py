"""ntm.Stream: step, run, trace, reset, introspection, errors, threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import ntm

from conftest import SMALL, random_inputs


def test_step_run_and_reset(model: ntm.Model) -> None:
    xs = random_inputs(12, 9, seed=1)
    with model.stream() as stream:
        assert isinstance(stream, ntm.Stream) and stream.model is model and stream.steps == 0
        stepped = np.stack([stream.step(x) for x in xs])
        assert stepped.shape == (12, 8) and stepped.dtype == np.float32
        assert stream.steps == 12
        assert ((stepped > 0) & (stepped < 1)).all()
        stream.reset()
        assert stream.steps == 0
        ran = stream.run(xs)
        assert ran.tobytes() == stepped.tobytes()  # bit-identical
        # run continues from the current state
        more = stream.run(xs[:3])
        assert stream.steps == 15
        assert more.tobytes() != ran[:3].tobytes()
        # out= writes in place
        out = np.empty(8, np.float32)
        stream.reset()
        result = stream.step(xs[0], out=out)
        assert result is out and out.tobytes() == stepped[0].tobytes()


def test_streams_are_independent(model: ntm.Model) -> None:
    xs = random_inputs(6, 9, seed=2)
    a, b = ntm.Stream(model), model.stream()
    a.run(random_inputs(5, 9, seed=3))  # a has a different history
    fresh = b.run(xs)
    a.reset()
    assert a.run(xs).tobytes() == fresh.tobytes()


def test_memory_weightings_and_read_vectors(model: ntm.Model) -> None:
    s = model.shape
    with model.stream() as stream:
        initial_memory = stream.memory
        assert initial_memory.shape == (16, 6)
        assert np.allclose(initial_memory, 1e-6)  # the default constant initial memory
        w0 = stream.weightings
        assert w0.shape == (2, 16) and np.allclose(w0.sum(axis=1), 1, atol=1e-5)
        assert stream.read_vectors.shape == (1, 6)
        stream.run(random_inputs(4, 9, seed=4))
        assert not np.array_equal(stream.memory, initial_memory)  # written
        for head in range(s.write_heads + s.read_heads):
            w = stream.weighting(head)
            assert w.shape == (16,) and (w >= 0).all() and abs(w.sum() - 1) < 1e-5
            assert np.array_equal(w, stream.weightings[head])
        # the read vector is the read weighting applied to the memory (read after write)
        read_w = stream.weighting(s.write_heads)
        assert np.allclose(read_w @ stream.memory, stream.read_vectors[0], atol=1e-6)
        stream.memory[:] = 5  # copies: the stream is unchanged
        assert not np.allclose(stream.memory, 5)


def test_trace_records_each_step(model: ntm.Model) -> None:
    xs = random_inputs(5, 9, seed=5)
    with model.stream() as stream:
        trace = stream.trace(xs)
        assert isinstance(trace, ntm.StreamTrace)
        assert trace.outputs.shape == (5, 8) and trace.weightings.shape == (5, 2, 16)
        assert trace.read_vectors.shape == (5, 1, 6)
        assert np.array_equal(trace.weightings[-1], stream.weightings)
        assert np.array_equal(trace.read_vectors[-1], stream.read_vectors)
        stream.reset()
        assert stream.run(xs).tobytes() == trace.outputs.tobytes()
        stream.reset()
        stream.run(xs[:2])
        assert np.array_equal(stream.weightings, trace.weightings[1])


def test_step_errors(model: ntm.Model) -> None:
    x = random_inputs(1, 9)[0]
    with model.stream() as stream:
        cases = [
            (x.astype(np.float64), "x must be a C-contiguous float32 array of shape (9,), got float64 array of shape (9,)"),
            (x[:8].copy(), "got float32 array of shape (8,)"),
            (np.zeros((9, 2), np.float32)[:, 0], "got non-contiguous float32 array of shape (9,)"),
            (list(x), "got list"),
            (x.reshape(1, 9), "got float32 array of shape (1, 9)"),
        ]
        for value, message in cases:
            with pytest.raises(ntm.ArgumentError) as info:
                stream.step(value)
            assert message in str(info.value)
        with pytest.raises(ntm.ArgumentError, match=r"out must be a C-contiguous float32 array of shape \(8,\)"):
            stream.step(x, out=np.empty(9, np.float32))
        read_only = np.empty(8, np.float32)
        read_only.flags.writeable = False
        with pytest.raises(ntm.ArgumentError, match="writable"):
            stream.step(x, out=read_only)
        with pytest.raises(ntm.ArgumentError, match=r"xs must be a C-contiguous float32 array of shape \(length, 9\)"):
            stream.run(np.zeros((3, 9)))
        # NaN: rejected by the library, state unchanged
        stream.step(x)
        before = (stream.steps, stream.memory, stream.weightings)
        bad = x.copy()
        bad[4] = np.nan
        with pytest.raises(ntm.NonFiniteError, match="nan") as info:
            stream.step(bad)
        assert info.value.function == "ntm_stream_step"
        with pytest.raises(ntm.NonFiniteError):
            stream.run(np.stack([x, bad]))
        assert stream.steps == before[0] + 1  # run stopped at the bad step
        with pytest.raises(ntm.ArgumentError, match="head = 2 is out of range"):
            stream.weighting(2)
        with pytest.raises(ntm.ArgumentError, match="head must be an integer"):
            stream.weighting(-1)


def test_use_after_close() -> None:
    stream = ntm.Model(SMALL).stream()
    stream.close()
    stream.close()
    assert stream.closed and "closed" in repr(stream)
    x = np.zeros(9, np.float32)
    for call in (lambda: stream.step(x), lambda: stream.run(x[None]), lambda: stream.trace(x[None]),
                 stream.reset, lambda: stream.steps, lambda: stream.memory, lambda: stream.weighting(0),
                 lambda: stream.weightings, lambda: stream.read_vectors, stream.__enter__):
        with pytest.raises(ntm.ClosedError, match="this Stream is closed"):
            call()


def test_stream_needs_a_model() -> None:
    with pytest.raises(TypeError):
        ntm.Stream("model")  # type: ignore[arg-type]


def test_two_threads_stepping_separate_streams_match_sequential_runs(model: ntm.Model) -> None:
    length = 400
    inputs = [random_inputs(length, 9, seed=10 + i) for i in range(2)]
    sequential = []
    for xs in inputs:
        with model.stream() as stream:
            sequential.append(np.stack([stream.step(x) for x in xs]))
    streams = [model.stream() for _ in inputs]
    results = [np.zeros((length, 8), np.float32) for _ in inputs]
    errors: list = []
    barrier = threading.Barrier(2)

    def work(i: int) -> None:
        try:
            barrier.wait()
            for t in range(length):  # one library call per step, interleaved with the other thread
                streams[i].step(inputs[i][t], out=results[i][t])
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for i in range(2):
        assert results[i].tobytes() == sequential[i].tobytes()
    assert sequential[0].tobytes() != sequential[1].tobytes()
    for stream in streams:
        stream.close()


def test_one_stream_from_two_threads_is_busy_or_fine_never_a_crash(model: ntm.Model) -> None:
    stream = model.stream()
    xs = random_inputs(300, 9, seed=20)
    outcomes: list = []

    def work() -> None:
        for x in xs:
            try:
                stream.step(x)
                outcomes.append("ok")
            except ntm.BusyError as error:
                assert "another thread" in str(error)
                outcomes.append("busy")

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 600
    assert stream.steps == outcomes.count("ok")
    stream.close()


def test_streams_cannot_be_pickled(model: ntm.Model) -> None:
    import copy
    import pickle

    with model.stream() as stream:
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(stream)
        with pytest.raises(TypeError, match="cannot be pickled"):
            copy.deepcopy(stream)

"""Model.state_size, initial_state, forward and backward: batches of
sequence chunks with the recurrent state carried in and out, and their
gradients (ntm_model_state_size, _initial_state, _forward, _backward).
NumPy only, so these always run; tests/test_torch.py covers the PyTorch
layer built on them."""

from __future__ import annotations

import subprocess
import sys
from typing import Optional

import numpy as np
import pytest

import ntm

from conftest import SMALL

LSTM = {"input_size": 4, "output_size": 3, "controller": "lstm", "controller_layers": [5], "memory_rows": 6,
        "memory_width": 4, "read_heads": 2, "initial_memory": "learned"}


def generic_model(config: dict, seed: int) -> ntm.Model:
    """A model moved off its initialisation (where the keys are nearly zero
    and finite differences measure curvature; see Tests/C/test_gradients.c)."""
    model = ntm.Model(config, seed=seed)
    rng = np.random.default_rng(seed)
    model.parameters[:] += rng.uniform(-0.3, 0.3, model.parameter_count).astype(np.float32)
    return model


def valid_states(model: ntm.Model, batch: int, seed: int) -> np.ndarray:
    """States that are not the learned one: values in [-0.5, 0.5], and
    weightings positive (each at least about 0.1) summing to 1."""
    rng = np.random.default_rng(seed)
    s = model.shape
    states = rng.uniform(-0.5, 0.5, (batch, model.state_size)).astype(np.float32)
    start = (s.memory_rows + s.read_heads) * s.memory_width
    heads = s.read_heads + s.write_heads
    w = rng.uniform(0.5, 1.5, (batch, heads, s.memory_rows))
    states[:, start:start + heads * s.memory_rows] = (w / w.sum(axis=2, keepdims=True)).reshape(batch, -1)
    return states


def test_import_ntm_does_not_import_torch() -> None:
    code = "import sys, ntm; ntm.Model; assert 'torch' not in sys.modules, 'import ntm imported torch'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("config, lstm_units", [(SMALL, 0), (LSTM, 5)])
def test_state_layout_and_learned_initial_state(config: dict, lstm_units: int) -> None:
    model = ntm.Model(config, seed=1)
    s = model.shape
    assert model.state_size == ((s.memory_rows + s.read_heads) * s.memory_width
                                + (s.read_heads + s.write_heads) * s.memory_rows + 2 * lstm_units)
    state = model.initial_state()
    assert state.shape == (model.state_size,) and state.dtype == np.float32
    start = (s.memory_rows + s.read_heads) * s.memory_width
    weightings = state[start:start + (s.read_heads + s.write_heads) * s.memory_rows].reshape(-1, s.memory_rows)
    # "focused" initial weightings: a softmax peaked at location 0
    assert np.allclose(weightings.sum(axis=1), 1, atol=1e-5)
    assert (weightings.argmax(axis=1) == 0).all()


def test_forward_in_chunks_is_one_pass() -> None:
    model = ntm.Model(LSTM, seed=2)
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (3, 8, 4)).astype(np.float32)
    whole = model.forward(x)
    assert isinstance(whole, ntm.ChunkResult)
    assert whole.outputs.shape == (3, 8, 3) and whole.final_states.shape == (3, model.state_size)
    evaluated = model.evaluate(x, np.zeros((3, 8, 3), np.float32), np.ones((3, 8), np.float32)).outputs
    assert whole.outputs.tobytes() == evaluated.tobytes()
    learned = np.tile(model.initial_state(), (3, 1))
    assert model.forward(x, learned).outputs.tobytes() == whole.outputs.tobytes()
    first = model.forward(np.ascontiguousarray(x[:, :5]))
    second = model.forward(np.ascontiguousarray(x[:, 5:]), first.final_states)
    assert np.concatenate([first.outputs, second.outputs], axis=1).tobytes() == whole.outputs.tobytes()
    assert second.final_states.tobytes() == whole.final_states.tobytes()
    logits = model.forward(x, logits=True).outputs
    assert np.allclose(1 / (1 + np.exp(-logits.astype(np.float64))), whole.outputs, atol=1e-6)


def objective(model: ntm.Model, x: np.ndarray, states: Optional[np.ndarray], logits: bool, w: np.ndarray,
              v: np.ndarray) -> float:
    result = model.forward(x, states, logits=logits)
    return float(np.sum(w * result.outputs.astype(np.float64)) + np.sum(v * result.final_states.astype(np.float64)))


def central_difference(f, values: np.ndarray, index: int, h: float = 1e-2) -> float:
    """Fourth-order central difference of f() in values.flat[index] (as in the C tests)."""
    x0 = values.flat[index]
    h = h * max(1.0, abs(float(x0)))
    samples = []
    for step in (h, -h, 2 * h, -2 * h):
        values.flat[index] = x0 + np.float32(step)
        samples.append(f())
    values.flat[index] = x0
    f1, b1, f2, b2 = samples
    return (8 * (f1 - b1) - (f2 - b2)) / (12 * h)


def assert_close(analytic: float, numeric: float, what: str) -> None:
    assert abs(analytic - numeric) <= 1e-4 + 1e-3 * max(abs(analytic), abs(numeric)), (what, analytic, numeric)


@pytest.mark.parametrize("config, logits", [(SMALL, False), (LSTM, True), (LSTM, False)])
def test_backward_against_finite_differences(config: dict, logits: bool) -> None:
    model = generic_model(config, 4)
    rng = np.random.default_rng(5)
    s = model.shape
    x = rng.uniform(-1, 1, (2, 4, s.input_size)).astype(np.float32)
    states = valid_states(model, 2, 6)
    w = rng.uniform(-1, 1, (2, 4, s.output_size)).astype(np.float32)
    v = rng.uniform(-1, 1, (2, model.state_size)).astype(np.float32)
    g = model.backward(x, w, states, v, logits=logits)
    assert isinstance(g, ntm.ChunkGradients)
    assert g.outputs.tobytes() == model.forward(x, states, logits=logits).outputs.tobytes()

    def f() -> float:
        return objective(model, x, states, logits, w, v)

    parameters = model.parameters
    for i in rng.choice(model.parameter_count, 60, replace=False):
        assert_close(g.parameter_gradient[i], central_difference(f, parameters, int(i)), f"parameter {i}")
    for i in rng.choice(x.size, 12, replace=False):
        assert_close(g.input_gradients.flat[i], central_difference(f, x, int(i)), f"input {i}")
    for i in rng.choice(states.size, 24, replace=False):
        assert_close(g.initial_state_gradients.flat[i], central_difference(f, states, int(i)), f"state {i}")
    # all parameters at once, along a random unit direction
    d = rng.standard_normal(model.parameter_count)
    d /= np.linalg.norm(d)
    saved = parameters.copy()
    parameters[:] = saved + 1e-2 * d
    plus = f()
    parameters[:] = saved - 1e-2 * d
    minus = f()
    parameters[:] = saved
    along = float(np.dot(g.parameter_gradient.astype(np.float64), d))
    assert abs(along - (plus - minus) / 2e-2) <= 1e-3 * abs(along) + 1e-4


def test_chained_chunks_give_the_gradient_of_one_pass() -> None:
    model = generic_model(LSTM, 7)
    rng = np.random.default_rng(8)
    x = rng.uniform(-1, 1, (2, 6, 4)).astype(np.float32)
    dy = rng.uniform(-1, 1, (2, 6, 3)).astype(np.float32)
    whole = model.backward(x, dy)
    first_x, second_x = np.ascontiguousarray(x[:, :2]), np.ascontiguousarray(x[:, 2:])
    middle = model.forward(first_x).final_states
    second = model.backward(second_x, np.ascontiguousarray(dy[:, 2:]), middle)
    first = model.backward(first_x, np.ascontiguousarray(dy[:, :2]), None, second.initial_state_gradients)
    scale = np.abs(whole.parameter_gradient).max()
    assert scale > 0
    assert np.abs(whole.parameter_gradient - (first.parameter_gradient + second.parameter_gradient)).max() \
        <= 1e-5 * scale
    assert np.allclose(whole.input_gradients, np.concatenate([first.input_gradients, second.input_gradients], 1),
                       rtol=0, atol=1e-5 * scale)


def test_errors() -> None:
    model = ntm.Model(SMALL, seed=9)
    x = np.zeros((2, 3, 9), np.float32)
    dy = np.zeros((2, 3, 8), np.float32)
    with pytest.raises(ntm.ArgumentError, match=r"inputs must be a C-contiguous float32 array"):
        model.forward(x.astype(np.float64))
    with pytest.raises(ntm.ArgumentError, match=r"initial_states must be"):
        model.forward(x, np.zeros((2, model.state_size + 1), np.float32))
    with pytest.raises(ntm.ArgumentError, match=r"output_gradients must be"):
        model.backward(x, dy[:, :2].copy())
    with pytest.raises(ntm.ArgumentError, match="length"):
        model.forward(np.zeros((2, 0, 9), np.float32))
    bad = x.copy()
    bad[1, 2, 3] = np.nan
    with pytest.raises(ntm.NonFiniteError, match=r"inputs\[1\]\[2\]\[3\] is nan"):
        model.forward(bad)
    states = np.tile(model.initial_state(), (2, 1))
    states[0, -1] = -0.5  # the last weighting
    with pytest.raises(ntm.ArgumentError, match="negative"):
        model.backward(x, dy, states)
    d_final = np.zeros((2, model.state_size), np.float32)
    d_final[1, 0] = np.inf
    with pytest.raises(ntm.NonFiniteError, match=r"final_state_gradients\[1\]\[0\]"):
        model.backward(x, dy, None, d_final)
    model.close()
    with pytest.raises(ntm.ClosedError):
        model.forward(x)

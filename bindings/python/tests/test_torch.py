"""ntm.torch.NTMLayer: autograd gradients against finite differences
through the library, zero-copy parameters, chained chunks.

Skipped when torch is not importable (CI does not install it); `make
torch-test` runs these with TORCH_PYTHON's torch and NTM_REQUIRE_TORCH=1,
which turns the skip into a failure."""

from __future__ import annotations

import os

import numpy as np
import pytest

import ntm

from conftest import SMALL
from test_chunks import LSTM, central_difference, assert_close, generic_model, valid_states

if os.environ.get("NTM_REQUIRE_TORCH") == "1":
    import torch
else:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (run `make torch-test` with TORCH_PYTHON)")

from ntm.torch import NTMLayer  # noqa: E402


def test_the_parameter_is_the_models_buffer() -> None:
    model = ntm.Model(SMALL, seed=1)
    layer = NTMLayer(model)
    assert [p is layer.weight for p in layer.parameters()] == [True]
    assert layer.weight.dtype == torch.float32 and layer.weight.shape == (model.parameter_count,)
    assert layer.weight.data_ptr() == model.parameters.ctypes.data
    with torch.no_grad():
        layer.weight[3] = 0.25
    assert model.parameters[3] == np.float32(0.25)
    model.parameters[4] = -0.5
    assert layer.weight[4].item() == -0.5
    del model  # the layer keeps the model and its weights alive
    outputs, state = layer(torch.zeros(1, 2, 9))
    assert outputs.shape == (1, 2, 8) and state.shape == (1, layer.state_size)


@pytest.mark.parametrize("config, logits", [(SMALL, False), (LSTM, True)])
def test_autograd_against_finite_differences(config: dict, logits: bool) -> None:
    model = generic_model(config, 11)
    layer = NTMLayer(model, logits=logits)
    rng = np.random.default_rng(12)
    s = model.shape
    x = rng.uniform(-1, 1, (2, 4, s.input_size)).astype(np.float32)
    states = valid_states(model, 2, 13)
    w = rng.uniform(-1, 1, (2, 4, s.output_size)).astype(np.float32)
    v = rng.uniform(-1, 1, (2, model.state_size)).astype(np.float32)

    x_t = torch.tensor(x, requires_grad=True)
    state_t = torch.tensor(states, requires_grad=True)
    outputs, final = layer(x_t, state_t)
    assert outputs.detach().numpy().tobytes() == model.forward(x, states, logits=logits).outputs.tobytes()
    loss = (torch.from_numpy(w) * outputs).sum() + (torch.from_numpy(v) * final).sum()
    loss.backward()

    def f() -> float:
        result = model.forward(x, states, logits=logits)
        return float(np.sum(w * result.outputs.astype(np.float64))
                     + np.sum(v * result.final_states.astype(np.float64)))

    assert_close(loss.item(), f(), "loss")
    parameters = model.parameters
    for i in rng.choice(model.parameter_count, 40, replace=False):
        assert_close(layer.weight.grad[i].item(), central_difference(f, parameters, int(i)), f"parameter {i}")
    for i in rng.choice(x.size, 10, replace=False):
        assert_close(x_t.grad.flatten()[i].item(), central_difference(f, x, int(i)), f"input {i}")
    for i in rng.choice(states.size, 20, replace=False):
        assert_close(state_t.grad.flatten()[i].item(), central_difference(f, states, int(i)), f"state {i}")


def test_logits_mode_with_bce_matches_probabilities_mode() -> None:
    model = generic_model(SMALL, 14)
    rng = np.random.default_rng(15)
    x = torch.tensor(rng.uniform(-1, 1, (3, 5, 9)).astype(np.float32))
    targets = torch.tensor((rng.random((3, 5, 8)) > 0.5).astype(np.float32))
    by_logits, by_probabilities = NTMLayer(model, logits=True), NTMLayer(model)
    z, _ = by_logits(x)
    torch.nn.functional.binary_cross_entropy_with_logits(z, targets, reduction="sum").backward()
    y, _ = by_probabilities(x)
    torch.nn.functional.binary_cross_entropy(y, targets, reduction="sum").backward()
    assert torch.allclose(torch.sigmoid(z), y, atol=1e-6)
    scale = by_logits.weight.grad.abs().max()
    assert torch.allclose(by_logits.weight.grad, by_probabilities.weight.grad, rtol=0, atol=1e-3 * scale)


def test_chained_chunks_and_truncation() -> None:
    model = generic_model(LSTM, 16)
    layer = NTMLayer(model)
    rng = np.random.default_rng(17)
    x = torch.tensor(rng.uniform(-1, 1, (2, 6, 4)).astype(np.float32))
    w = torch.tensor(rng.uniform(-1, 1, (2, 6, 3)).astype(np.float32))

    outputs, _ = layer(x)
    (w * outputs).sum().backward()
    whole = layer.weight.grad.clone()

    # Attached state: the gradient flows back through the chunk boundary.
    layer.weight.grad = None
    first, state = layer(x[:, :2])
    second, _ = layer(x[:, 2:], state)
    assert torch.equal(torch.cat([first, second], 1), outputs)
    (w * torch.cat([first, second], 1)).sum().backward()
    scale = whole.abs().max()
    assert torch.allclose(layer.weight.grad, whole, rtol=0, atol=1e-5 * scale)

    # Detached state (truncated BPTT): the first chunk no longer sees the
    # second chunk's loss.
    layer.weight.grad = None
    first, state = layer(x[:, :2])
    second, _ = layer(x[:, 2:], state.detach())
    (w[:, 2:] * second).sum().backward()
    truncated = layer.weight.grad.clone()
    from_second = model.backward(x[:, 2:].contiguous().numpy(), w[:, 2:].contiguous().numpy(),
                                 state.detach().numpy()).parameter_gradient
    assert np.array_equal(truncated.numpy(), from_second)
    assert not torch.allclose(truncated, whole)


def test_a_few_optimiser_steps_learn() -> None:
    model = ntm.Model(SMALL, seed=18)
    layer = NTMLayer(model, logits=True)
    optimiser = torch.optim.Adam(layer.parameters(), lr=3e-3)
    batch = ntm.tasks.sample("copy", batch_size=8, seed=19, max_length=3)
    x, t, m = (torch.from_numpy(a) for a in (batch.inputs, batch.targets, batch.mask))
    before = model.parameters.copy()
    losses = []
    for _ in range(60):
        optimiser.zero_grad()
        z, _ = layer(x)
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(z, t, reduction="none").sum(2) * m).sum()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert not np.array_equal(before, model.parameters)  # the optimiser wrote the model's own buffer
    assert losses[-1] < 0.85 * losses[0]


def test_a_step_between_forward_and_backward_is_refused() -> None:
    layer = NTMLayer(ntm.Model(SMALL, seed=21))
    optimiser = torch.optim.SGD(layer.parameters(), lr=0.1)
    x = torch.rand(2, 3, 9)
    outputs, _ = layer(x)
    outputs.sum().backward(retain_graph=True)
    optimiser.step()  # changes the weight the retained graph would recompute from
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        outputs.sum().backward()


def test_errors() -> None:
    layer = NTMLayer(ntm.Model(SMALL, seed=20))
    with pytest.raises(ntm.ArgumentError, match=r"inputs must have shape \(batch, length, 9\)"):
        layer(torch.zeros(2, 9))
    with pytest.raises(ntm.ArgumentError, match="state must have shape"):
        layer(torch.zeros(2, 3, 9), torch.zeros(1, layer.state_size))
    x = torch.zeros(2, 3, 9)
    x[1, 2, 3] = float("nan")
    with pytest.raises(ntm.NonFiniteError):
        layer(x)
    with pytest.raises(ntm.ArgumentError, match="ntm.Model"):
        NTMLayer("not a model")  # type: ignore[arg-type]

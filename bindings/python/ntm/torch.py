"""A Neural Turing Machine as a PyTorch module: :class:`NTMLayer`.

Imported on its own (``import ntm.torch`` or ``from ntm.torch import
NTMLayer``); ``import ntm`` never imports PyTorch. CPU and float32 only.

::

    import torch, ntm
    from ntm.torch import NTMLayer

    layer = NTMLayer(ntm.Model.preset("copy/ntm-feedforward", seed=1), logits=True)
    optimiser = torch.optim.Adam(layer.parameters(), lr=1e-3)
    outputs, state = layer(inputs)              # inputs: (batch, length, input_size)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(outputs, targets)
    loss.backward()                             # the library's own backward pass
    optimiser.step()                            # updates the model's weights in place

The layer's one parameter, ``weight``, *is* the model's parameter buffer
(no copy): an optimiser step changes the model at once, and training or
writes through :attr:`ntm.Model.parameters` change the parameter.

Truncated backpropagation through time: pass the state a chunk returned
as the next chunk's ``state``. Detached (``state.detach()``), gradients
stop at the chunk boundary; left attached, they flow back through it into
the earlier chunk, exactly as through one pass over the whole sequence.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

try:
    import torch as _torch
except ImportError as error:  # pragma: no cover - exercised only without torch
    raise ImportError(
        "ntm.torch needs PyTorch (`pip install torch`; a CPU build is enough); the rest of ntm works without it"
    ) from error

import numpy as np

from .errors import ArgumentError
from .model import Model

__all__ = ["NTMLayer", "NTMFunction"]


def _array(tensor: "_torch.Tensor") -> np.ndarray:
    """A float32, C-contiguous NumPy view (or copy, when it must be) of a CPU tensor."""
    return np.ascontiguousarray(tensor.detach().contiguous().numpy(), dtype=np.float32)


class NTMFunction(_torch.autograd.Function):
    """The forward and backward passes of a batch of sequences through the
    library: ``apply(model, logits, weight, inputs, state)`` returns
    ``(outputs, final_state)``.

    The backward pass runs the library's ``ntm_model_backward``, which
    computes the forward pass again (the library keeps no tape between
    calls) with the model's weights at that moment: do not change the
    weights between a forward and its backward (autograd refuses a
    backward after an in-place change through torch, such as an optimiser
    step; writes through :attr:`ntm.Model.parameters` or an
    :class:`ntm.Trainer` it cannot see).
    """

    @staticmethod
    def forward(ctx: Any, model: Model, logits: bool, weight: "_torch.Tensor", inputs: "_torch.Tensor",
                state: Optional["_torch.Tensor"]) -> Tuple["_torch.Tensor", "_torch.Tensor"]:
        result = model.forward(_array(inputs), None if state is None else _array(state), logits=logits)
        ctx.model, ctx.logits = model, logits
        # Saved as tensors, so that autograd refuses the backward pass if
        # any of them (the weight by an optimiser step, say) was changed in
        # place since: the backward pass recomputes the forward from them.
        ctx.save_for_backward(weight, inputs, state)
        ctx.set_materialize_grads(False)
        return _torch.from_numpy(result.outputs), _torch.from_numpy(result.final_states)

    @staticmethod
    def backward(ctx: Any, d_outputs: Optional["_torch.Tensor"],
                 d_final_state: Optional["_torch.Tensor"]) -> Tuple[Any, ...]:
        _, inputs, state = ctx.saved_tensors
        inputs_, state_ = _array(inputs), None if state is None else _array(state)
        batch, length, _ = inputs_.shape
        if d_outputs is None:
            d_outputs_ = np.zeros((batch, length, ctx.model.output_size), dtype=np.float32)
        else:
            d_outputs_ = _array(d_outputs)
        d_final_ = None if d_final_state is None else _array(d_final_state)
        g = ctx.model.backward(inputs_, d_outputs_, state_, d_final_, logits=ctx.logits)
        d_state = None if state_ is None else _torch.from_numpy(g.initial_state_gradients)
        return (None, None, _torch.from_numpy(g.parameter_gradient), _torch.from_numpy(g.input_gradients),
                d_state)


class NTMLayer(_torch.nn.Module):
    """An :class:`ntm.Model` as a module: ``layer(inputs, state=None)``
    returns ``(outputs, final_state)``.

    Args:
        model: the model; the layer keeps it, and its parameter ``weight``
            is the model's parameter buffer (zero-copy).
        logits: output the logits instead of the probabilities (pair with
            ``binary_cross_entropy_with_logits``); the gradient that reaches
            the library is then with respect to the logits.

    Call:
        inputs: float ``(batch, length, input_size)`` on the CPU (other
            float dtypes are converted to float32, and their gradient back).
        state: ``(batch, model.state_size)``, the state to start from (a
            previous chunk's ``final_state``), or ``None`` for the learned
            initial state, whose parameters then receive their gradient.

    Returns:
        ``outputs`` ``(batch, length, output_size)`` and ``final_state``
        ``(batch, model.state_size)``, both differentiable.
    """

    def __init__(self, model: Model, logits: bool = False) -> None:
        super().__init__()
        if not isinstance(model, Model):
            raise ArgumentError(f"model must be an ntm.Model, got {type(model).__name__}")
        self.model = model
        self.logits = bool(logits)
        # torch.from_numpy shares the buffer and keeps the NumPy view, and so
        # the model's weights, alive.
        self.weight = _torch.nn.Parameter(_torch.from_numpy(model.parameters))

    @property
    def state_size(self) -> int:
        return self.model.state_size

    def initial_state(self, batch: int) -> "_torch.Tensor":
        """The learned initial state repeated for ``batch`` sequences (a
        constant: starting from it, unlike from ``state=None``, sends no
        gradient to the initial-state parameters)."""
        return _torch.from_numpy(np.tile(self.model.initial_state(), (batch, 1)))

    def forward(self, inputs: "_torch.Tensor",
                state: Optional["_torch.Tensor"] = None) -> Tuple["_torch.Tensor", "_torch.Tensor"]:
        shape = self.model.shape
        if inputs.dim() != 3 or inputs.shape[2] != shape.input_size:
            raise ArgumentError(f"inputs must have shape (batch, length, {shape.input_size}), "
                                f"got {tuple(inputs.shape)}")
        for name, tensor in (("inputs", inputs), ("state", state)):
            if tensor is not None and tensor.device.type != "cpu":
                raise ArgumentError(f"{name} must be on the CPU, got a tensor on {tensor.device}")
        if state is not None and tuple(state.shape) != (inputs.shape[0], self.model.state_size):
            raise ArgumentError(f"state must have shape ({inputs.shape[0]}, {self.model.state_size}), "
                                f"got {tuple(state.shape)}")
        return NTMFunction.apply(self.model, self.logits, self.weight, inputs.to(_torch.float32),
                                 None if state is None else state.to(_torch.float32))

    def extra_repr(self) -> str:
        return f"{self.model!r}, logits={self.logits}"

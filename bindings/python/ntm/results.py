"""The small record types :mod:`ntm` returns (named tuples: unpack them or
use the field names)."""

from typing import Any, Dict, NamedTuple

import numpy as np

__all__ = [
    "BackwardResult",
    "ChunkGradients",
    "ChunkResult",
    "EvaluationResult",
    "ModelShape",
    "PresetInfo",
    "StreamTrace",
    "TaskBatch",
    "TaskShape",
    "TrainResult",
]


class ModelShape(NamedTuple):
    """A model's sizes (see :attr:`ntm.Model.shape`)."""

    input_size: int
    output_size: int
    parameter_count: int
    memory_rows: int
    memory_width: int
    read_heads: int
    write_heads: int


class EvaluationResult(NamedTuple):
    """What :meth:`ntm.Model.evaluate` returns."""

    loss_bits: float
    bit_errors: float
    outputs: np.ndarray


class TrainResult(NamedTuple):
    """What :meth:`ntm.Trainer.train`, :meth:`~ntm.Trainer.train_task` and
    :meth:`~ntm.Trainer.loss_and_gradient` return: computed before the
    update, averaged over the batch's sequences."""

    loss_bits: float
    bit_errors: float


class BackwardResult(NamedTuple):
    """What :meth:`ntm.Trainer.backward` returns."""

    outputs: np.ndarray
    input_gradients: np.ndarray


class ChunkResult(NamedTuple):
    """What :meth:`ntm.Model.forward` returns: the outputs, ``(batch, length,
    output_size)``, and the state after each sequence's last step,
    ``(batch, state_size)``."""

    outputs: np.ndarray
    final_states: np.ndarray


class ChunkGradients(NamedTuple):
    """What :meth:`ntm.Model.backward` returns: the forward results and the
    gradients of the caller's loss with respect to the inputs, the initial
    states and the parameters (summed over the batch)."""

    outputs: np.ndarray
    final_states: np.ndarray
    input_gradients: np.ndarray
    initial_state_gradients: np.ndarray
    parameter_gradient: np.ndarray


class StreamTrace(NamedTuple):
    """What :meth:`ntm.Stream.trace` returns: per step, the outputs and the
    state the heads left behind."""

    outputs: np.ndarray
    weightings: np.ndarray
    read_vectors: np.ndarray


class TaskShape(NamedTuple):
    """A task's sizes (see :func:`ntm.tasks.shape`)."""

    input_size: int
    output_size: int
    max_length: int


class TaskBatch(NamedTuple):
    """A padded batch of sequences (see :func:`ntm.tasks.sample`), ready for
    :meth:`ntm.Model.evaluate` and :meth:`ntm.Trainer.train`."""

    inputs: np.ndarray
    targets: np.ndarray
    mask: np.ndarray
    lengths: np.ndarray


class PresetInfo(NamedTuple):
    """A built-in preset (see :func:`ntm.preset_info`)."""

    name: str
    task: str
    batch_size: int
    model_config: Dict[str, Any]
    optimizer_config: Dict[str, Any]


def _document(cls: Any, docs: Dict[str, str]) -> None:
    for field, doc in docs.items():
        getattr(cls, field).__doc__ = doc


_document(ModelShape, {
    'input_size': "Width of one step's input vector.",
    'output_size': "Width of one step's output vector.",
    'parameter_count': 'Length of the flat parameter (and gradient) buffer.',
    'memory_rows': 'Memory rows N (0 for the LSTM baseline).',
    'memory_width': 'Memory width M (0 for the LSTM baseline).',
    'read_heads': 'Number of read heads.',
    'write_heads': 'Number of write heads (heads are numbered write heads first).',
})
_document(EvaluationResult, {
    'loss_bits': 'Cross-entropy over the masked steps in bits, averaged over sequences.',
    'bit_errors': 'Outputs on the wrong side of 1/2 over the masked steps, averaged over sequences.',
    'outputs': 'Output probabilities, ``(batch, max_length, output_size)``, zero past each length.',
})
_document(TrainResult, {
    'loss_bits': 'Cross-entropy in bits per sequence.',
    'bit_errors': 'Bit errors per sequence.',
})
_document(BackwardResult, {
    'outputs': "The forward pass's output probabilities, ``(length, output_size)``.",
    'input_gradients': "Gradient of the caller's loss with respect to the inputs, ``(length, input_size)``.",
})
_document(StreamTrace, {
    'outputs': '``(length, output_size)``.',
    'weightings': "``(length, write_heads + read_heads, memory_rows)``: each head's weighting after each step, write heads first.",
    'read_vectors': '``(length, read_heads, memory_width)``.',
})
_document(TaskShape, {
    'input_size': "Width of one step's input vector.",
    'output_size': "Width of one step's target vector.",
    'max_length': 'The most steps a sequence can have (the padded length of a batch).',
})
_document(TaskBatch, {
    'inputs': '``float32 (batch, max_length, input_size)``.',
    'targets': '``float32 (batch, max_length, output_size)``, values in [0, 1].',
    'mask': "``float32 (batch, max_length)``: 1 where a step's targets count.",
    'lengths': "``int64 (batch,)``: each sequence's length in steps.",
})
_document(PresetInfo, {
    'name': '``"<task>/<network>"``, e.g. ``"copy/ntm-lstm"``.',
    'task': 'The task it trains on (a name for :mod:`ntm.tasks`).',
    'batch_size': 'Sequences per update.',
    'model_config': 'The model config (every field), for :class:`ntm.Model`.',
    'optimizer_config': 'The optimiser config (every field), for :class:`ntm.Trainer`.',
})

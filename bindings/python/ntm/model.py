"""The :class:`Model`: a config and its weights."""

from __future__ import annotations

import ctypes
import json
import os
import struct
from typing import Any, Dict, Literal, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _ffi
from ._library import library
from ._util import Closeable, Handle, float_array, float_p, lengths_array, pointer, seed as check_seed
from ._util import as_bytes, blob, c_path, c_string, merge, shared_view, size_p, text, to_json
from .errors import ArgumentError
from .results import ChunkGradients, ChunkResult, EvaluationResult, ModelShape

__all__ = ["Model"]

PathLike = Union[str, "os.PathLike[str]"]


class Model(Closeable):
    """A Neural Turing Machine (or the paper's LSTM baseline): a config and
    its weights, held by ``libntm``.

    Create one from a config, given as a dict and/or keyword arguments
    (every field but ``input_size`` and ``output_size`` is optional; see
    :meth:`default_config` for the defaults), and a seed for the initial
    weights::

        model = ntm.Model(input_size=9, output_size=8, controller="feedforward",
                          memory_rows=128, memory_width=20, seed=1)
        model = ntm.Model({"input_size": 9, "output_size": 8}, seed=1)
        model = ntm.Model.preset("copy/ntm-lstm", seed=1)   # the paper's settings
        model = ntm.Model.load("copy.safetensors")           # or bytes

    Run it with :meth:`stream` (one step at a time) or :meth:`evaluate`
    (padded batches); train it with :class:`ntm.Trainer`. :attr:`parameters`
    is the weight buffer itself, as a NumPy array.

    Lifetime: :meth:`close` (or a ``with`` block) releases the handle at
    once; so does garbage collection. Streams and trainers made from the
    model keep its weights alive and go on working after it is closed. Using
    a closed model raises :class:`~ntm.ClosedError`.

    Threads: any number of threads may step streams of one model and
    evaluate it at the same time (the library releases the GIL); training
    or writing :attr:`parameters` must not overlap with any other use.
    """

    def __init__(
        self,
        config: Optional[Mapping[str, Any]] = None,
        /,
        *,
        seed: int = 0,
        kind: Optional[Literal["ntm", "lstm"]] = None,
        input_size: Optional[int] = None,
        output_size: Optional[int] = None,
        controller: Optional[Literal["feedforward", "lstm"]] = None,
        controller_layers: Optional[Sequence[int]] = None,
        read_heads: Optional[int] = None,
        write_heads: Optional[int] = None,
        memory_rows: Optional[int] = None,
        memory_width: Optional[int] = None,
        shift_range: Optional[int] = None,
        initial_memory: Optional[Literal["constant", "learned", "random"]] = None,
        initial_memory_value: Optional[float] = None,
        add_activation: Optional[Literal["linear", "tanh"]] = None,
        initial_weighting: Optional[Literal["focused", "random"]] = None,
    ) -> None:
        """Creates a model from ``config`` updated with the keyword arguments
        given (``None`` leaves a field to ``config`` or to the library's
        default, :meth:`default_config`), with initial weights drawn from
        ``seed`` (the same config and seed give the same weights everywhere).
        ``input_size`` and ``output_size`` are required, in one or the other.

        Raises:
            ConfigError: a missing size, an unknown field in ``config``, a
                value of the wrong type or out of range (the message names the
                field).
            ArgumentError: ``seed`` is not an integer in 0 ... 2**64 - 1.
        """
        # The config fields are exactly the keyword parameters besides `seed`
        # (a test holds them to the library's list), so read them back rather
        # than naming each one a second time.
        given = dict(locals())  # first, before any other local exists
        fields = {name: value for name, value in given.items()
                  if name not in ("self", "config", "seed") and value is not None}
        text_ = to_json("config", merge("config", config, fields))
        seed_ = check_seed(seed)
        lib = library()
        out = _ffi.ntm_model_p()
        lib.ntm_model_create(text_, seed_, ctypes.byref(out))
        self._adopt(out)

    @staticmethod
    def default_config(kind: Literal["ntm", "lstm"] = "ntm") -> Dict[str, Any]:
        """Every config field with the value the library gives it when it is
        left out, for a model of ``kind`` (``"ntm"``, or ``"lstm"`` for the
        paper's LSTM baseline); ``input_size`` and ``output_size`` are
        ``None``: they are required. Read from the library
        (``ntm_model_default_config_json``), so it is never out of date; see
        ``include/ntm.h`` for the allowed ranges and docs/MODEL.md for what
        each choice means.

        Raises:
            ConfigError: ``kind`` is neither ``"ntm"`` nor ``"lstm"``.
        """
        return dict(json.loads(text(library().ntm_model_default_config_json, c_string("kind", kind))))

    # ------------------------------------------------------------ creation

    def _adopt(self, handle_pointer: Any) -> None:
        lib = library()
        self._handle: Optional[Handle] = Handle(handle_pointer, lib.ntm_model_free, "model")
        sizes = [ctypes.c_size_t() for _ in range(7)]
        lib.ntm_model_shape(handle_pointer, *[ctypes.byref(s) for s in sizes])
        self._shape = ModelShape(*(s.value for s in sizes))
        self._config_text = text(lib.ntm_model_config_json, handle_pointer)

    @classmethod
    def _from_pointer(cls, handle_pointer: Any) -> "Model":
        model = cls.__new__(cls)
        model._adopt(handle_pointer)
        return model

    @classmethod
    def preset(cls, name: str, seed: int = 0) -> "Model":
        """A model with the config of a built-in preset (see
        :func:`ntm.presets`), e.g. ``"copy/ntm-lstm"``, and initial weights
        from ``seed``.

        Raises:
            ConfigError: an unknown preset (the message lists the valid ones).
        """
        lib = library()
        out = _ffi.ntm_model_p()
        lib.ntm_model_create_preset(c_string("name", name), check_seed(seed), ctypes.byref(out))
        return cls._from_pointer(out)

    @classmethod
    def load(cls, source: Union[PathLike, bytes, bytearray, memoryview]) -> "Model":
        """Loads a model saved by :meth:`save`, :meth:`to_bytes`,
        :meth:`ntm.Trainer.save` (the trainer state is ignored) or the C API:
        from a file path, or from the bytes of such a file.

        Raises:
            FileError: the file cannot be read (an ``OSError``).
            FormatError: not an ntm checkpoint, or damaged (truncated,
                foreign, checksum mismatch, ...; the message says which).
        """
        lib = library()
        out = _ffi.ntm_model_p()
        if isinstance(source, (str, os.PathLike)):
            lib.ntm_model_load(c_path(source), ctypes.byref(out))
        else:
            data = as_bytes(source)
            lib.ntm_model_load_from_buffer(data, len(data), ctypes.byref(out))
        return cls._from_pointer(out)

    @classmethod
    def from_bytes(cls, data: Union[bytes, bytearray, memoryview]) -> "Model":
        """Same as :meth:`load` with bytes: the inverse of :meth:`to_bytes`."""
        if isinstance(data, (str, os.PathLike)):
            raise ArgumentError(f"from_bytes expects bytes, got {type(data).__name__}; use Model.load for paths")
        return cls.load(data)

    # ------------------------------------------------------------ saving

    def save(self, path: PathLike) -> None:
        """Saves the config and weights to ``path`` as a safetensors file
        (written atomically; readable by the ``safetensors`` package and by
        ``ntm_model_load`` in C).

        Raises:
            FileError: the file cannot be written.
        """
        library().ntm_model_save(self._live().pointer, c_path(path))

    def to_bytes(self) -> bytes:
        """The bytes :meth:`save` would write (load them with :meth:`load`)."""
        return blob(library().ntm_model_save_to_buffer, self._live().pointer)

    # ------------------------------------------------------------ introspection

    @property
    def config(self) -> Dict[str, Any]:
        """The config with every field written (a new dict; pass it to
        :class:`Model` to make a model of the same shape)."""
        self._live()
        return json.loads(self._config_text)

    @property
    def shape(self) -> ModelShape:
        """The model's sizes: input and output widths, parameter count,
        memory rows and width, read and write heads."""
        self._live()
        return self._shape

    @property
    def input_size(self) -> int:
        """Width of one step's input vector."""
        return self.shape.input_size

    @property
    def output_size(self) -> int:
        """Width of one step's output vector."""
        return self.shape.output_size

    @property
    def parameter_count(self) -> int:
        """Length of :attr:`parameters`."""
        return self.shape.parameter_count

    @property
    def parameters(self) -> np.ndarray:
        """The model's weights: a writable float32 array of
        :attr:`parameter_count` elements that *is* the library's buffer (no
        copy) in the layout of docs/MODEL.md. Writes change the model at once,
        for every stream and trainer using it; training changes the values
        seen here. The array keeps the weights alive even after
        :meth:`close`. Take a copy (``.copy()``) to keep a snapshot.
        """
        handle = self._live()
        data = float_p()
        count = ctypes.c_size_t()
        library().ntm_model_parameters(handle.pointer, ctypes.byref(data), ctypes.byref(count))
        return shared_view(data, count.value, handle)

    def named_parameters(self) -> Dict[str, np.ndarray]:
        """The weights as named tensors (zero-copy views of
        :attr:`parameters`, shaped as in a saved file), e.g.
        ``"controller.0.kernel"`` of shape ``(inputs, units)``, in layout
        order."""
        data = self.to_bytes()
        (header_size,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8 : 8 + header_size])
        header.pop("__metadata__", None)
        flat = self.parameters
        tensors = []
        for name, entry in header.items():
            if name.startswith("optimizer.") or name.startswith("trainer."):
                continue
            start, end = entry["data_offsets"]
            tensors.append((start, name, tuple(entry["shape"]), end))
        result: Dict[str, np.ndarray] = {}
        for start, name, shape, end in sorted(tensors):
            result[name] = flat[start // 4 : end // 4].reshape(shape)
        return result

    # ------------------------------------------------------------ running

    def stream(self) -> "Stream":
        """A new :class:`~ntm.Stream` over this model, in its initial state."""
        return Stream(self)

    def evaluate(
        self,
        inputs: np.ndarray,
        targets: np.ndarray,
        mask: np.ndarray,
        lengths: Optional[Any] = None,
    ) -> EvaluationResult:
        """Runs a padded batch of sequences without learning.

        Args:
            inputs: float32 ``(batch, max_length, input_size)``, C-contiguous.
            targets: float32 ``(batch, max_length, output_size)``, in [0, 1].
            mask: float32 ``(batch, max_length)``, >= 0: each step's loss
                weight (0 = no target).
            lengths: each sequence's length (1 ... max_length), or ``None``
                when all are ``max_length``; steps past a length are ignored.

        Returns:
            :class:`~ntm.EvaluationResult`: loss in bits and bit errors, both
            averaged over the sequences, and the outputs.

        Raises:
            ArgumentError: a wrong dtype, shape or layout, a length out of
                range, a target outside [0, 1], a negative mask value.
            NonFiniteError: a NaN or infinite value (the message names the
                array and index, e.g. ``inputs[1][2][3] is nan``).
        """
        handle = self._live()
        batch = check_batch(self._shape, inputs, targets, mask)
        max_length = inputs.shape[1]
        lengths_ = lengths_array(lengths, batch, max_length)
        outputs = np.zeros((batch, max_length, self._shape.output_size), dtype=np.float32)
        loss = ctypes.c_double()
        errors = ctypes.c_double()
        library().ntm_model_evaluate(
            handle.pointer, batch, max_length, pointer(inputs), pointer(targets), pointer(mask),
            pointer(lengths_, size_p), pointer(outputs), ctypes.byref(loss), ctypes.byref(errors),
        )
        return EvaluationResult(loss.value, errors.value, outputs)

    # ------------------------------------------------------------ chunks and gradients

    @property
    def state_size(self) -> int:
        """Floats in one sequence's recurrent state, as :meth:`forward` and
        :meth:`backward` pass it in and out: the memory (``memory_rows x
        memory_width``, row-major), the read vectors, the head weightings
        (write heads first) and, for an LSTM controller, each layer's hidden
        then each layer's cell state (see ``ntm_model_state_size``)."""
        size = ctypes.c_size_t()
        library().ntm_model_state_size(self._live().pointer, ctypes.byref(size))
        return size.value

    def initial_state(self) -> np.ndarray:
        """The learned initial state (what a sequence starts from when no
        state is given), float32 ``(state_size,)``; it depends on the
        weights."""
        handle = self._live()
        state = np.zeros(self.state_size, dtype=np.float32)
        library().ntm_model_initial_state(handle.pointer, pointer(state), state.size)
        return state

    def _chunk_arguments(self, inputs: Any, initial_states: Any) -> Tuple[int, int, int]:
        s = self._shape
        float_array("inputs", inputs, ("batch", "length", s.input_size))
        batch, length = inputs.shape[0], inputs.shape[1]
        state_size = self.state_size
        if initial_states is not None:
            float_array("initial_states", initial_states, (batch, state_size))
        return batch, length, state_size

    def forward(self, inputs: np.ndarray, initial_states: Optional[np.ndarray] = None,
                logits: bool = False) -> ChunkResult:
        """Runs a batch of equal-length sequences (a chunk of each, for
        truncated backpropagation through time) without gradients.

        Args:
            inputs: float32 ``(batch, length, input_size)``.
            initial_states: float32 ``(batch, state_size)``, e.g. the
                ``final_states`` of the previous chunk; ``None`` starts every
                sequence from the learned initial state.
            logits: return the logits instead of the output probabilities.

        Returns:
            :class:`~ntm.ChunkResult` ``(outputs, final_states)``.
        """
        handle = self._live()
        batch, length, state_size = self._chunk_arguments(inputs, initial_states)
        outputs = np.zeros((batch, length, self._shape.output_size), dtype=np.float32)
        final_states = np.zeros((batch, state_size), dtype=np.float32)
        library().ntm_model_forward(
            handle.pointer, batch, length, pointer(inputs), pointer(initial_states), bool(logits),
            pointer(outputs), pointer(final_states),
        )
        return ChunkResult(outputs, final_states)

    def backward(self, inputs: np.ndarray, output_gradients: np.ndarray,
                 initial_states: Optional[np.ndarray] = None,
                 final_state_gradients: Optional[np.ndarray] = None, logits: bool = False) -> ChunkGradients:
        """Backpropagation of a caller's loss through a batch of chunks: the
        forward pass of :meth:`forward` (computed again), then the gradients.

        Args:
            inputs, initial_states, logits: as for :meth:`forward`.
            output_gradients: float32 ``(batch, length, output_size)``, the
                gradient of the loss with respect to the outputs
                (probabilities, or logits with ``logits=True``).
            final_state_gradients: float32 ``(batch, state_size)``, the
                gradient with respect to the final states (the next chunk's
                ``initial_state_gradients``); ``None`` for zero.

        Returns:
            :class:`~ntm.ChunkGradients`: outputs, final states, and the
            gradients with respect to the inputs, the initial states and the
            parameters (summed over the batch; the learned initial state's
            parameters get theirs only when ``initial_states`` is ``None``).
        """
        handle = self._live()
        batch, length, state_size = self._chunk_arguments(inputs, initial_states)
        s = self._shape
        float_array("output_gradients", output_gradients, (batch, length, s.output_size))
        if final_state_gradients is not None:
            float_array("final_state_gradients", final_state_gradients, (batch, state_size))
        outputs = np.zeros((batch, length, s.output_size), dtype=np.float32)
        final_states = np.zeros((batch, state_size), dtype=np.float32)
        input_gradients = np.zeros((batch, length, s.input_size), dtype=np.float32)
        initial_state_gradients = np.zeros((batch, state_size), dtype=np.float32)
        parameter_gradient = np.zeros(s.parameter_count, dtype=np.float32)
        library().ntm_model_backward(
            handle.pointer, batch, length, pointer(inputs), pointer(initial_states), bool(logits),
            pointer(output_gradients), pointer(final_state_gradients), pointer(outputs), pointer(final_states),
            pointer(input_gradients), pointer(initial_state_gradients), pointer(parameter_gradient),
            parameter_gradient.size,
        )
        return ChunkGradients(outputs, final_states, input_gradients, initial_state_gradients, parameter_gradient)

    def __reduce__(self) -> Any:
        # pickling and copy.deepcopy go through the saved bytes: a new,
        # independent model with the same config and weights
        return (Model.from_bytes, (self.to_bytes(),))

    def __copy__(self) -> "Model":
        return Model.from_bytes(self.to_bytes())

    def __repr__(self) -> str:
        if self._handle is None:
            return "<ntm.Model (closed)>"
        config = json.loads(self._config_text)
        s = self._shape
        memory = f", memory {s.memory_rows}x{s.memory_width}" if s.memory_rows else ""
        return (
            f"<ntm.Model {config.get('kind')} {config.get('controller')} {config.get('controller_layers')}, "
            f"{s.input_size} in, {s.output_size} out, {s.read_heads}R/{s.write_heads}W heads{memory}, "
            f"{s.parameter_count} parameters>"
        )


def check_batch(shape: ModelShape, inputs: Any, targets: Any, mask: Any) -> int:
    """Validates a padded batch against a model's sizes; returns ``batch``."""
    float_array("inputs", inputs, ("batch", "max_length", shape.input_size))
    batch, max_length = inputs.shape[0], inputs.shape[1]
    float_array("targets", targets, (batch, max_length, shape.output_size))
    float_array("mask", mask, (batch, max_length))
    return batch


# At the end: stream.py imports Model from here (a resolvable annotation for
# Model.stream, without an import cycle at load time).
from .stream import Stream  # noqa: E402

"""The :class:`Stream`: inference one step at a time."""

from __future__ import annotations

import ctypes
from typing import Any, Optional

import numpy as np

from . import _ffi
from ._library import library
from ._util import Closeable, Handle, float_array, integer, pointer
from .model import Model
from .results import StreamTrace

__all__ = ["Stream"]


class Stream(Closeable):
    """One sequence's inference state over a :class:`~ntm.Model`: memory,
    head weightings, read vectors and controller state.

    Any number of streams may share one model, each with its own memory::

        with model.stream() as stream:
            y = stream.step(x)            # x: float32 (input_size,)
            ys = stream.run(xs)           # xs: float32 (length, input_size)
            picture = stream.weightings   # (heads, memory_rows)
            stream.reset()                # back to the initial state

    A stream keeps its model's weights alive (it works after the model is
    closed). Threads: a stream belongs to one thread at a time (another
    thread gets :class:`~ntm.BusyError`); streams of one model may be
    stepped from different threads at once, in parallel.
    """

    def __init__(self, model: Model) -> None:
        """A new stream over ``model``, in the model's initial state (same as
        :meth:`ntm.Model.stream`)."""
        if not isinstance(model, Model):
            raise TypeError(f"Stream needs an ntm.Model, got {type(model).__name__}")
        model_handle = model._live()
        lib = library()
        out = _ffi.ntm_stream_p()
        lib.ntm_stream_create(model_handle.pointer, ctypes.byref(out))
        self._handle: Optional[Handle] = Handle(out, lib.ntm_stream_free, "stream")
        self._model = model
        self._shape = model._shape

    @property
    def model(self) -> Model:
        """The model this stream runs (possibly closed by now)."""
        return self._model

    def reset(self) -> None:
        """Puts the stream back into the model's initial state, as at the start
        of a sequence."""
        library().ntm_stream_reset(self._live().pointer)

    def step(self, x: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
        """One time step: feeds ``x`` (float32, ``(input_size,)``) and returns
        the output probabilities (float32, ``(output_size,)``), written into
        ``out`` if given.

        Raises:
            ArgumentError: a wrong dtype, shape or layout.
            NonFiniteError: ``x`` holds NaN or infinity (the state is unchanged).
        """
        handle = self._live()
        s = self._shape
        float_array("x", x, (s.input_size,))
        if out is None:
            out = np.empty(s.output_size, dtype=np.float32)
        else:
            float_array("out", out, (s.output_size,), writable=True)
        library().ntm_stream_step(handle.pointer, pointer(x), s.input_size, pointer(out), s.output_size)
        return out

    def run(self, xs: np.ndarray) -> np.ndarray:
        """Steps through a whole sequence: ``xs`` is float32 ``(length,
        input_size)``; returns the outputs, float32 ``(length, output_size)``.
        Continues from the current state (call :meth:`reset` first for a new
        sequence). The GIL is released during each step.

        Raises:
            ArgumentError, NonFiniteError: as :meth:`step`; on an error at step
            ``t`` the steps before it have been taken.
        """
        return self._run(xs, trace=False).outputs

    def trace(self, xs: np.ndarray) -> StreamTrace:
        """As :meth:`run`, also recording each head's weighting and the read
        vectors after every step, for pictures and debugging.

        Returns:
            :class:`~ntm.StreamTrace` ``(outputs, weightings, read_vectors)``
            of shapes ``(length, output_size)``, ``(length, heads,
            memory_rows)`` and ``(length, read_heads, memory_width)``.
        """
        return self._run(xs, trace=True)

    def _run(self, xs: np.ndarray, trace: bool) -> StreamTrace:
        handle = self._live()
        s = self._shape
        float_array("xs", xs, ("length", s.input_size))
        length = xs.shape[0]
        outputs = np.empty((length, s.output_size), dtype=np.float32)
        heads = s.read_heads + s.write_heads if s.memory_rows else 0
        weightings = np.zeros((length if trace else 0, heads, s.memory_rows), dtype=np.float32)
        reads = np.zeros((length if trace else 0, s.read_heads if s.memory_rows else 0, s.memory_width),
                         dtype=np.float32)
        lib = library()
        step = lib.ntm_stream_step
        base_in = xs.ctypes.data
        base_out = outputs.ctypes.data
        in_bytes = 4 * s.input_size
        out_bytes = 4 * s.output_size
        float_p = ctypes.POINTER(ctypes.c_float)
        for t in range(length):
            step(handle.pointer, ctypes.cast(base_in + t * in_bytes, float_p), s.input_size,
                 ctypes.cast(base_out + t * out_bytes, float_p), s.output_size)
            if trace and heads:
                for h in range(heads):
                    lib.ntm_stream_weighting(handle.pointer, h, pointer(weightings[t, h]), s.memory_rows)
                lib.ntm_stream_read_vectors(handle.pointer, pointer(reads[t]), reads[t].size)
        return StreamTrace(outputs, weightings, reads)

    @property
    def steps(self) -> int:
        """The number of steps taken since the stream was created or reset."""
        count = ctypes.c_size_t()
        library().ntm_stream_step_count(self._live().pointer, ctypes.byref(count))
        return count.value

    @property
    def memory(self) -> np.ndarray:
        """A copy of the memory after the last step (after a reset: the initial
        memory), float32 ``(memory_rows, memory_width)``; ``(0, 0)`` for the
        LSTM baseline."""
        handle = self._live()
        s = self._shape
        values = np.zeros((s.memory_rows, s.memory_width), dtype=np.float32)
        library().ntm_stream_memory(handle.pointer, pointer(values) if values.size else None, values.size)
        return values

    def weighting(self, head: int) -> np.ndarray:
        """A copy of head ``head``'s weighting over the memory rows after the
        last step, float32 ``(memory_rows,)``. Heads are numbered write heads
        first, then read heads.

        Raises:
            ArgumentError: ``head`` is out of range (the LSTM baseline has no
                heads).
        """
        handle = self._live()
        s = self._shape
        index = integer("head", head, 0, 2**63 - 1)
        values = np.zeros(s.memory_rows, dtype=np.float32)
        library().ntm_stream_weighting(handle.pointer, index, pointer(values), s.memory_rows)
        return values

    @property
    def weightings(self) -> np.ndarray:
        """Every head's weighting after the last step, float32 ``(write_heads +
        read_heads, memory_rows)``, write heads first."""
        s = self._shape
        heads = s.read_heads + s.write_heads if s.memory_rows else 0
        self._live()
        values = np.zeros((heads, s.memory_rows), dtype=np.float32)
        for h in range(heads):
            values[h] = self.weighting(h)
        return values

    @property
    def read_vectors(self) -> np.ndarray:
        """A copy of the read vectors after the last step, float32
        ``(read_heads, memory_width)``; ``(0, 0)`` for the LSTM baseline."""
        handle = self._live()
        s = self._shape
        values = np.zeros((s.read_heads if s.memory_rows else 0, s.memory_width), dtype=np.float32)
        library().ntm_stream_read_vectors(handle.pointer, pointer(values) if values.size else None, values.size)
        return values

    def __reduce__(self) -> Any:
        raise TypeError("an ntm.Stream cannot be pickled or copied (its state lives in the library); "
                        "make a new one with model.stream() and replay the inputs")

    def __repr__(self) -> str:
        if self._handle is None:
            return "<ntm.Stream (closed)>"
        return f"<ntm.Stream over {self._shape.input_size}->{self._shape.output_size} model, {self.steps} steps>"

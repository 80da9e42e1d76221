"""The :class:`Trainer`: learning."""

from __future__ import annotations

import ctypes
import json
import os
from typing import Any, Dict, Mapping, Optional, Tuple, Union

import numpy as np

from . import _ffi
from ._library import library
from ._util import Closeable, Handle, as_bytes, blob, c_path, c_string, float_array, float_p, integer
from ._util import lengths_array, merge, pointer, seed as check_seed, shared_view, size_p, text, to_json
from .model import Model, PathLike, check_batch
from .results import BackwardResult, TrainResult

__all__ = ["Trainer"]


class Trainer(Closeable):
    """An optimiser with its state, a gradient buffer and a training-data
    generator, bound to one :class:`~ntm.Model` whose weights it updates in
    place.

    ::

        trainer = ntm.Trainer(model, kind="adam", learning_rate=1e-3, threads=2)
        for _ in range(1000):
            result = trainer.train_task("copy", batch_size=8, max_length=5)
            print(result.loss_bits, result.bit_errors)
        trainer.save("copy.safetensors")            # model + optimiser state
        trainer = ntm.Trainer.load("copy.safetensors")  # resumes bit-identically

    With your own data: :meth:`train` (one update from a padded batch),
    :meth:`loss_and_gradient` then :meth:`apply_gradient` (to average or
    change the gradient elsewhere, via :attr:`gradient`), and
    :meth:`backward` (gradients from an outer model's loss, for an NTM inside
    a larger model).

    Optimiser config (a dict and/or keyword arguments; see
    :data:`OPTIMIZER_FIELDS`): ``kind`` ``"rmsprop"`` (default; Graves 2013)
    or ``"adam"``, ``learning_rate``, ``decay``, ``momentum``, ``epsilon``,
    ``beta1``, ``beta2``, ``clip_value``, ``clip_norm``.

    Threads: a trainer belongs to one thread at a time; while it trains, no
    other thread may use its model. ``threads`` spreads each batch over that
    many threads; results are bit-identical for any number.
    """

    #: The optimiser config fields, with their defaults (Adam's learning rate
    #: and epsilon default to 1e-3 and 1e-8).
    OPTIMIZER_FIELDS: Dict[str, Any] = {
        "kind": "rmsprop",
        "learning_rate": 1e-4,
        "decay": 0.95,
        "momentum": 0.9,
        "epsilon": 1e-4,
        "beta1": 0.9,
        "beta2": 0.999,
        "clip_value": 10.0,
        "clip_norm": 0.0,
    }

    def __init__(
        self,
        model: Model,
        optimizer: Optional[Mapping[str, Any]] = None,
        /,
        *,
        threads: int = 1,
        data_seed: int = 0,
        **optimizer_fields: Any,
    ) -> None:
        """Creates a trainer for ``model`` with the optimiser config
        ``optimizer`` updated with ``optimizer_fields`` (defaults: Graves'
        RMSProp), spreading batches over ``threads`` (1 ... 256) threads, with
        training data for :meth:`train_task` drawn from ``data_seed``.

        Raises:
            ConfigError: an unknown optimiser field or a value out of range.
            ArgumentError: ``threads`` or ``data_seed`` out of range.
        """
        if not isinstance(model, Model):
            raise TypeError(f"Trainer needs an ntm.Model, got {type(model).__name__}")
        fields = merge("optimizer", optimizer, optimizer_fields)
        config = to_json("optimizer", fields) if fields else None
        threads_ = integer("threads", threads, 1, 256)
        seed_ = check_seed(data_seed, "data_seed")
        model_handle = model._live()
        lib = library()
        out = _ffi.ntm_trainer_p()
        lib.ntm_trainer_create(model_handle.pointer, config, threads_, seed_, ctypes.byref(out))
        self._adopt(out, model, threads_)

    def _adopt(self, handle_pointer: Any, model: Model, threads: int) -> None:
        lib = library()
        self._handle: Optional[Handle] = Handle(handle_pointer, lib.ntm_trainer_free, "trainer")
        self._model = model
        self._shape = model._shape
        self._threads = threads
        self._optimizer_text = text(lib.ntm_trainer_optimizer_json, handle_pointer)

    @classmethod
    def preset(cls, name: str, seed: int = 0, *, data_seed: int = 0, threads: int = 1) -> "Trainer":
        """A new model from a built-in preset (weights from ``seed``) and a
        trainer for it with the preset's optimiser; the model is
        :attr:`model`. Train it with ``train_task(info.task,
        info.batch_size)`` where ``info = ntm.preset_info(name)``."""
        from .presets import preset_info

        info = preset_info(name)
        model = Model.preset(name, seed)
        return cls(model, info.optimizer_config, threads=threads, data_seed=data_seed)

    @classmethod
    def load(cls, source: Union[PathLike, bytes, bytearray, memoryview], *, threads: int = 1) -> "Trainer":
        """Loads a file (or its bytes) written by :meth:`save` or
        :meth:`to_bytes` (or ``ntm_trainer_save`` in C): a new model
        (:attr:`model`) and a trainer with the saved optimiser config and state,
        data generator and counters, so that training resumes bit-identically.

        Raises:
            FileError: the file cannot be read.
            FormatError: not an ntm checkpoint, damaged, or without trainer
                state (a file from :meth:`ntm.Model.save`).
        """
        threads_ = integer("threads", threads, 1, 256)
        lib = library()
        model_out = _ffi.ntm_model_p()
        trainer_out = _ffi.ntm_trainer_p()
        if isinstance(source, (str, os.PathLike)):
            lib.ntm_trainer_load(c_path(source), threads_, ctypes.byref(model_out), ctypes.byref(trainer_out))
        else:
            data = as_bytes(source)
            lib.ntm_trainer_load_from_buffer(
                data, len(data), threads_, ctypes.byref(model_out), ctypes.byref(trainer_out)
            )
        try:
            model = Model._from_pointer(model_out)
        except BaseException:
            lib.ntm_trainer_free(trainer_out)
            raise
        trainer = cls.__new__(cls)
        trainer._adopt(trainer_out, model, threads_)
        return trainer

    # ------------------------------------------------------------ state

    @property
    def model(self) -> Model:
        """The model this trainer updates."""
        return self._model

    @property
    def threads(self) -> int:
        """The number of threads a batch is spread over."""
        self._live()
        return self._threads

    @property
    def optimizer(self) -> Dict[str, Any]:
        """The optimiser config with every field written (a new dict)."""
        self._live()
        return json.loads(self._optimizer_text)

    def _progress(self) -> Tuple[int, int]:
        updates = ctypes.c_uint64()
        sequences = ctypes.c_uint64()
        library().ntm_trainer_progress(self._live().pointer, ctypes.byref(updates), ctypes.byref(sequences))
        return updates.value, sequences.value

    @property
    def updates(self) -> int:
        """Optimiser steps taken (restored by :meth:`load`)."""
        return self._progress()[0]

    @property
    def sequences(self) -> int:
        """Sequences trained on (restored by :meth:`load`)."""
        return self._progress()[1]

    @property
    def gradient(self) -> np.ndarray:
        """The trainer's gradient buffer: a writable float32 array of the
        parameter count that *is* the library's buffer (no copy), in the
        parameter layout. :meth:`loss_and_gradient` and :meth:`backward`
        write it; write it yourself and call ``apply_gradient()`` to update
        with your own gradient. :meth:`train` overwrites it and an update
        clips it in place. The array keeps the trainer's buffer alive even
        after :meth:`close`."""
        handle = self._live()
        data = float_p()
        count = ctypes.c_size_t()
        library().ntm_trainer_gradient(handle.pointer, ctypes.byref(data), ctypes.byref(count))
        return shared_view(data, count.value, handle)

    # ------------------------------------------------------------ learning

    def _batch_call(self, function: Any, inputs: Any, targets: Any, mask: Any, lengths: Any) -> TrainResult:
        handle = self._live()
        batch = check_batch(self._shape, inputs, targets, mask)
        max_length = inputs.shape[1]
        lengths_ = lengths_array(lengths, batch, max_length)
        loss = ctypes.c_double()
        errors = ctypes.c_double()
        function(
            handle.pointer, batch, max_length, pointer(inputs), pointer(targets), pointer(mask),
            pointer(lengths_, size_p), ctypes.byref(loss), ctypes.byref(errors),
        )
        return TrainResult(loss.value, errors.value)

    def train(
        self, inputs: np.ndarray, targets: np.ndarray, mask: np.ndarray, lengths: Optional[Any] = None
    ) -> TrainResult:
        """One update from a padded batch of sequences (arrays as in
        :meth:`ntm.Model.evaluate`): the mean gradient over the sequences,
        clipping, one optimiser step.

        Returns:
            :class:`~ntm.TrainResult`: loss in bits and bit errors per
            sequence, computed before the update.

        Raises:
            ArgumentError, NonFiniteError: as :meth:`ntm.Model.evaluate`.
            DivergedError: the update would make the parameters non-finite
                (nothing was changed).
        """
        return self._batch_call(library().ntm_trainer_train, inputs, targets, mask, lengths)

    def loss_and_gradient(
        self, inputs: np.ndarray, targets: np.ndarray, mask: np.ndarray, lengths: Optional[Any] = None
    ) -> TrainResult:
        """The loss and its gradient on a padded batch, without an update. The
        gradient (mean over sequences of the cross-entropy gradient in nats,
        unclipped) goes to :attr:`gradient`; see :meth:`apply_gradient`."""
        return self._batch_call(library().ntm_trainer_loss_and_gradient, inputs, targets, mask, lengths)

    def apply_gradient(self, gradient: Optional[np.ndarray] = None) -> None:
        """One optimiser step from ``gradient`` (float32, ``(parameter_count,)``;
        e.g. averaged over several trainers), or with ``None`` from the
        trainer's own :attr:`gradient` buffer. Frozen parameters' entries are
        zeroed and the gradient is clipped first.

        Raises:
            ArgumentError: a wrong dtype, shape or layout.
            NonFiniteError: ``gradient`` holds NaN or infinity.
            DivergedError: the update would make the parameters non-finite.
        """
        handle = self._live()
        if gradient is None:
            library().ntm_trainer_apply_gradient(handle.pointer, None, 0)
            return
        count = self._shape.parameter_count
        float_array("gradient", gradient, (count,))
        library().ntm_trainer_apply_gradient(handle.pointer, pointer(gradient), count)

    def backward(self, inputs: np.ndarray, output_gradients: np.ndarray) -> BackwardResult:
        """Backpropagation from an outer loss, for an NTM inside a larger
        model: runs the model from its initial state over ``inputs`` (float32
        ``(length, input_size)``), then backpropagates ``output_gradients``
        (float32 ``(length, output_size)``, the gradient of your loss with
        respect to the output probabilities).

        The parameter gradient goes to :attr:`gradient` (overwritten), ready
        for ``apply_gradient()``.

        Returns:
            :class:`~ntm.BackwardResult` ``(outputs, input_gradients)``: the
            outputs, ``(length, output_size)``, and the gradient with respect
            to the inputs, ``(length, input_size)``.
        """
        handle = self._live()
        s = self._shape
        float_array("inputs", inputs, ("length", s.input_size))
        length = inputs.shape[0]
        float_array("output_gradients", output_gradients, (length, s.output_size))
        outputs = np.zeros((length, s.output_size), dtype=np.float32)
        input_gradients = np.zeros((length, s.input_size), dtype=np.float32)
        library().ntm_trainer_backward(
            handle.pointer, length, pointer(inputs), pointer(output_gradients), pointer(outputs),
            pointer(input_gradients),
        )
        return BackwardResult(outputs, input_gradients)

    def train_task(self, task: str, batch_size: int = 1, **options: Any) -> TrainResult:
        """One update from a batch of ``batch_size`` sequences of a built-in
        task (see :mod:`ntm.tasks`), drawn from the trainer's own data
        generator (seeded by ``data_seed``, saved with the trainer).
        ``options`` are the task's options, e.g. ``max_length=5`` for
        ``"copy"``.

        Raises:
            ConfigError: an unknown task or option.
            ArgumentError: ``batch_size`` out of range, or the task's sizes do
                not match the model's.
        """
        handle = self._live()
        name = c_string("task", task)
        size = integer("batch_size", batch_size, 1, 65536)
        config = to_json("options", options) if options else None
        loss = ctypes.c_double()
        errors = ctypes.c_double()
        library().ntm_trainer_train_task(handle.pointer, name, config, size, ctypes.byref(loss), ctypes.byref(errors))
        return TrainResult(loss.value, errors.value)

    # ------------------------------------------------------------ saving

    def save(self, path: PathLike) -> None:
        """Saves the model and the trainer's complete state (optimiser config
        and state, data generator, counters) to ``path`` (safetensors, written
        atomically), so that :meth:`load` resumes training bit-identically.
        :meth:`ntm.Model.load` reads the model from it too."""
        library().ntm_trainer_save(self._live().pointer, c_path(path))

    def to_bytes(self) -> bytes:
        """The bytes :meth:`save` would write."""
        return blob(library().ntm_trainer_save_to_buffer, self._live().pointer)

    def __reduce__(self) -> Any:
        # pickling and copy.deepcopy go through the saved bytes: a new model
        # and trainer that continue exactly where this one is
        return (_load_trainer, (self.to_bytes(), self._threads))

    def __copy__(self) -> "Trainer":
        return Trainer.load(self.to_bytes(), threads=self._threads)

    def __repr__(self) -> str:
        if self._handle is None:
            return "<ntm.Trainer (closed)>"
        kind = json.loads(self._optimizer_text).get("kind")
        updates, sequences = self._progress()
        return f"<ntm.Trainer {kind}, {self._threads} threads, {updates} updates, {sequences} sequences>"


def _load_trainer(data: bytes, threads: int) -> Trainer:
    """Unpickles a :class:`Trainer` (see ``Trainer.__reduce__``)."""
    return Trainer.load(data, threads=threads)

"""Exceptions raised by :mod:`ntm`.

Every error the library reports is an :class:`NTMError` carrying the
library's message (which names the argument, config field, tensor or array
index at fault) and its status code. There is one subclass per status, so
callers can catch exactly what they expect; most also derive from the
matching built-in exception (``ValueError``, ``OSError``, ...), so generic
handlers work too::

    try:
        model = ntm.Model.load("copy.safetensors")
    except ntm.FormatError as error:      # damaged or foreign file
        print(error.message, error.status_name)
    except ntm.FileError:                 # an OSError: missing, unreadable
        ...

Invalid arguments that the bindings catch before calling the library (a
``float64`` array, a wrong shape, a non-contiguous view) raise
:class:`ArgumentError` with a message in NumPy's terms; using a closed
object raises :class:`ClosedError`.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

from . import _ffi

__all__ = [
    "ArgumentError",
    "BufferTooSmallError",
    "BusyError",
    "ClosedError",
    "ConfigError",
    "DivergedError",
    "FileError",
    "FormatError",
    "HandleError",
    "InternalError",
    "LibraryError",
    "NTMError",
    "NonFiniteError",
    "NullPointerError",
    "error_for_status",
]


class NTMError(Exception):
    """Base class of every error of :mod:`ntm`.

    Attributes:
        message: the library's message (or the bindings' own, for errors
            caught before the library was called).
        status: the C status code (``ntm_status``), e.g. ``4`` for
            ``NTM_ERR_CONFIG``; ``None`` for errors without one
            (:class:`LibraryError`).
        status_name: the status's C name, e.g. ``"NTM_ERR_CONFIG"``.
        function: the C function that failed, if any.
    """

    #: The status code this class stands for (``None``: no single one).
    STATUS: Optional[int] = None

    def __init__(self, message: str, status: Optional[int] = None, function: Optional[str] = None) -> None:
        super().__init__(message)
        self.message: str = message
        self.status: Optional[int] = self.STATUS if status is None else status
        self.function: Optional[str] = function

    @property
    def status_name(self) -> Optional[str]:
        """The C name of :attr:`status` (``None`` if there is no status)."""
        if self.status is None:
            return None
        for name, value in _ffi.STATUS_CODES.items():
            if value == self.status:
                return name
        return "NTM_UNKNOWN_STATUS"

    def __str__(self) -> str:
        return self.message


class NullPointerError(NTMError, ValueError):
    """``NTM_ERR_NULL``: a required pointer was NULL (a bug in the bindings
    if it ever reaches Python)."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_NULL"]


class ArgumentError(NTMError, ValueError):
    """``NTM_ERR_ARGUMENT``: an argument out of range or of the wrong size,
    dtype, shape or layout (a length of 0, a target outside [0, 1], an
    unknown head, a ``float64`` array, ...)."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_ARGUMENT"]


class HandleError(NTMError):
    """``NTM_ERR_HANDLE``: the library does not know the handle (freed, or
    of another kind)."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_HANDLE"]


class ClosedError(HandleError):
    """The :class:`~ntm.Model`, :class:`~ntm.Stream` or
    :class:`~ntm.Trainer` was closed; raised before the library is called."""


class ConfigError(NTMError, ValueError):
    """``NTM_ERR_CONFIG``: a bad model or optimiser config, task options, or
    an unknown preset or task name (the message names the field)."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_CONFIG"]


class FileError(NTMError, OSError):
    """``NTM_ERR_IO``: a file could not be read or written (also an
    ``OSError``)."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_IO"]


class FormatError(NTMError, ValueError):
    """``NTM_ERR_FORMAT``: not an ntm checkpoint, or a damaged one
    (truncated, foreign, checksum mismatch, no trainer state where one is
    required)."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_FORMAT"]


class NonFiniteError(NTMError, ValueError):
    """``NTM_ERR_NONFINITE``: an input, target, mask or gradient value is NaN
    or infinite (the message names the array and index)."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_NONFINITE"]


class BufferTooSmallError(NTMError):
    """``NTM_ERR_BUFFER_TOO_SMALL``: an output buffer was too small (the
    bindings size buffers themselves, so this indicates a bug)."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_BUFFER_TOO_SMALL"]


class DivergedError(NTMError, ArithmeticError):
    """``NTM_ERR_DIVERGED``: an update would have made the parameters or the
    optimiser state non-finite; nothing was changed. Lower the learning rate
    or clip the gradient."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_DIVERGED"]


class InternalError(NTMError):
    """``NTM_ERR_INTERNAL``: a bug in the library (please report it)."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_INTERNAL"]


class BusyError(NTMError, RuntimeError):
    """``NTM_ERR_BUSY``: a stream or trainer is in use by another thread (each
    belongs to one thread at a time); nothing was done."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_BUSY"]


class MemoryLimitError(NTMError, MemoryError):
    """``NTM_ERR_MEMORY``: the call would allocate more than the library's
    memory limit (see :func:`ntm.set_memory_limit`); nothing was done."""

    STATUS = _ffi.STATUS_CODES["NTM_ERR_MEMORY"]


class LibraryError(NTMError, OSError):
    """``libntm.so`` could not be found or loaded, or it does not match the
    bindings (the message says where it looked and how to build it)."""


_BY_STATUS: Dict[int, Type[NTMError]] = {
    cls.STATUS: cls  # type: ignore[misc]
    for cls in (
        NullPointerError,
        ArgumentError,
        HandleError,
        ConfigError,
        FileError,
        FormatError,
        NonFiniteError,
        BufferTooSmallError,
        DivergedError,
        InternalError,
        BusyError,
        MemoryLimitError,
    )
}


def error_for_status(status: int, message: str, function: Optional[str] = None) -> NTMError:
    """The exception for a C status code (an :class:`NTMError` for an
    unknown code)."""
    cls = _BY_STATUS.get(status, NTMError)
    return cls(message, status, function)

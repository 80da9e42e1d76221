"""Internal helpers: argument validation in NumPy's terms, handles with
deterministic and GC-safe release, two-call buffers, zero-copy views."""

from __future__ import annotations

import ctypes
import json
import os
import weakref
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, TypeVar, Union

import numpy as np

from .errors import ArgumentError, ClosedError, ConfigError

Dim = Union[int, str]

float_p = ctypes.POINTER(ctypes.c_float)
size_p = ctypes.POINTER(ctypes.c_size_t)

UINT64_MAX = 2**64 - 1


# ---------------------------------------------------------------- validation


def describe(value: Any) -> str:
    """``"float64 array of shape (2, 5, 9)"``, ``"non-contiguous float32
    array of shape (3, 9)"``, ``"list"``."""
    if not isinstance(value, np.ndarray):
        return type(value).__name__
    qualifiers = []
    if not value.flags.c_contiguous:
        qualifiers.append("non-contiguous")
    elif not value.flags.aligned:
        qualifiers.append("misaligned")
    prefix = " ".join(qualifiers) + " " if qualifiers else ""
    return f"{prefix}{value.dtype} array of shape {value.shape}"


def format_shape(dims: Sequence[Dim]) -> str:
    inner = ", ".join(str(d) for d in dims)
    return f"({inner},)" if len(dims) == 1 else f"({inner})"


def float_array(name: str, value: Any, dims: Sequence[Dim], *, writable: bool = False) -> np.ndarray:
    """Checks that ``value`` is a C-contiguous, aligned float32 ndarray of
    shape ``dims`` (ints are fixed sizes, strings free ones) and returns it.
    Raises :class:`ArgumentError` in NumPy's terms otherwise."""
    ok = (
        isinstance(value, np.ndarray)
        and value.dtype == np.float32
        and value.flags.c_contiguous
        and value.flags.aligned
        and value.ndim == len(dims)
        and all(isinstance(d, str) or value.shape[i] == d for i, d in enumerate(dims))
    )
    if ok and writable and not value.flags.writeable:
        raise ArgumentError(f"{name} must be a writable float32 array, got a read-only one")
    if not ok:
        raise ArgumentError(
            f"{name} must be a C-contiguous float32 array of shape {format_shape(dims)}, got {describe(value)}"
        )
    return value


def lengths_array(value: Any, batch: int, max_length: int) -> Optional[np.ndarray]:
    """``None``, or the sequence lengths as a C-contiguous ``size_t`` array of
    shape ``(batch,)``; accepts any 1-D integer array or sequence of ints."""
    if value is None:
        return None
    array = value if isinstance(value, np.ndarray) else np.asarray(value)
    if array.ndim != 1 or array.shape[0] != batch or (array.size and array.dtype.kind not in "iu"):
        raise ArgumentError(
            f"lengths must be None or an integer array of shape ({batch},) (one length per sequence), "
            f"got {describe(array)}"
        )
    if array.size and (array.min() < 1 or array.max() > max_length):
        bad = int(np.flatnonzero((array < 1) | (array > max_length))[0])
        raise ArgumentError(f"lengths[{bad}] is {int(array[bad])}; each length must be 1 ... {max_length}")
    return np.ascontiguousarray(array, dtype=np.uintp)


def integer(name: str, value: Any, low: int, high: int) -> int:
    """``value`` as an int in ``low ... high`` (NumPy integers accepted)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentError(f"{name} must be an integer from {low} to {high}, got {type(value).__name__} {value!r}")
    number = int(value)
    if not low <= number <= high:
        raise ArgumentError(f"{name} must be an integer from {low} to {high}, got {number}")
    return number


def seed(value: Any, name: str = "seed") -> int:
    return integer(name, value, 0, UINT64_MAX)


def c_string(name: str, value: Any) -> bytes:
    """A str argument as NUL-terminated UTF-8 for the library."""
    if not isinstance(value, str):
        raise ArgumentError(f"{name} must be a str, got {type(value).__name__}")
    if "\0" in value:
        raise ArgumentError(f"{name} must not contain a NUL character")
    return value.encode("utf-8")


def c_path(value: Any) -> bytes:
    """A file path (str or os.PathLike) as bytes for the library."""
    try:
        encoded = os.fsencode(value)
    except TypeError:
        raise ArgumentError(f"path must be a str or os.PathLike, got {type(value).__name__}") from None
    if b"\0" in encoded:
        raise ArgumentError("path must not contain a NUL character")
    return encoded


def pointer(array: Optional[np.ndarray], kind: Any = float_p) -> Any:
    return None if array is None else array.ctypes.data_as(kind)


# ---------------------------------------------------------------- JSON


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON-serializable")


def to_json(what: str, value: Mapping[str, Any]) -> bytes:
    """A mapping as JSON text for the library; :class:`ConfigError` if it
    cannot be written as JSON."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"{what} must be a dict, got {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise ConfigError(f"{what} keys must be strings, got {type(key).__name__} {key!r}")
    try:
        return json.dumps(dict(value), default=_json_default, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{what} cannot be written as JSON: {error}") from None


def merge(what: str, base: Optional[Mapping[str, Any]], fields: Mapping[str, Any]) -> Dict[str, Any]:
    if base is not None and not isinstance(base, Mapping):
        raise ConfigError(f"{what} must be a dict, got {type(base).__name__}")
    merged = dict(base or {})
    merged.update(fields)
    return merged


# ---------------------------------------------------------------- buffers


def text(function: Callable[..., Any], *arguments: Any) -> str:
    """Calls a two-call-pattern function that returns NUL-terminated text."""
    size = ctypes.c_size_t()
    function(*arguments, None, 0, ctypes.byref(size))
    buffer = ctypes.create_string_buffer(size.value)
    function(*arguments, buffer, size.value, ctypes.byref(size))
    return buffer.value.decode("utf-8")


def blob(function: Callable[..., Any], *arguments: Any) -> bytes:
    """Calls a two-call-pattern function that returns bytes."""
    size = ctypes.c_size_t()
    function(*arguments, None, 0, ctypes.byref(size))
    buffer = (ctypes.c_char * size.value)()
    function(*arguments, buffer, size.value, ctypes.byref(size))
    return buffer.raw[: size.value]


def as_bytes(data: Any) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return memoryview(data).tobytes()
    except TypeError:
        raise ArgumentError(f"expected a path or a bytes-like object, got {type(data).__name__}") from None


def shared_view(address_pointer: Any, count: int, owner: Any) -> np.ndarray:
    """A float32 array of ``count`` elements over library memory (no copy),
    which keeps ``owner`` alive for as long as the array or any view of it
    exists."""
    address = ctypes.cast(address_pointer, ctypes.c_void_p).value
    if not address or count == 0:
        return np.zeros(0, dtype=np.float32)
    cbuffer = (ctypes.c_float * count).from_address(address)
    cbuffer._ntm_owner = owner  # type: ignore[attr-defined]  # the array's base chain ends here
    return np.ctypeslib.as_array(cbuffer)


# ---------------------------------------------------------------- handles


def _free_quietly(free: Callable[[Any], Any], pointer: Any) -> None:
    try:
        free(pointer)
    except Exception:  # pragma: no cover - at shutdown, or already freed
        pass


class Handle:
    """Owns one library handle: frees it exactly once, when the last Python
    reference goes (``weakref.finalize``, which also runs at exit). Objects
    drop their reference on ``close()``; zero-copy arrays hold one so the
    memory they view stays valid."""

    __slots__ = ("pointer", "kind", "_finalizer", "__weakref__")

    def __init__(self, pointer: Any, free: Callable[[Any], Any], kind: str) -> None:
        self.pointer = pointer
        self.kind = kind
        self._finalizer = weakref.finalize(self, _free_quietly, free, pointer)

    @property
    def alive(self) -> bool:
        return self._finalizer.alive


_Self = TypeVar("_Self", bound="Closeable")


class Closeable:
    """Base of Model, Stream and Trainer: the handle, ``close()``, the
    context-manager protocol and the closed check."""

    #: ``None`` when closed (or never opened: a constructor that raised).
    _handle: Optional[Handle] = None

    def _live(self) -> Handle:
        handle = self._handle
        if handle is None:
            raise ClosedError(f"this {type(self).__name__} is closed")
        return handle

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._handle is None

    def close(self) -> None:
        """Releases the handle (closing twice does nothing). Every later use
        raises :class:`~ntm.ClosedError`. The library memory is freed at once
        unless a zero-copy array (``parameters``, ``gradient``) still views
        it; then when the last such array goes."""
        self._handle = None

    def __enter__(self: _Self) -> _Self:
        self._live()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

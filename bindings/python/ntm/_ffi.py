"""Every C function of ``libntm`` declared for :mod:`ctypes`, in one place.

No signature is written down here: :mod:`ntm._declarations` holds every
prototype, the status codes and the version as data, generated with
``include/ntm.h`` by ``scripts/generate-header`` (``make check-header`` fails
when it is stale), and :func:`ctype` maps each C type to ctypes as follows:

=========================  ====================================
C                          ctypes
=========================  ====================================
``ntm_status``             :class:`ntm_status` (a ``c_int`` subclass)
``bool``                   ``c_bool``
``int32_t``                ``c_int32``
``size_t``                 ``c_size_t``
``uint64_t``               ``c_uint64``
``const char *`` (string)  ``c_char_p``
``char *`` (out buffer)    ``POINTER(c_char)``
``void *``, ``const void *``  ``c_void_p``
``float *``, ``const float *``  ``POINTER(c_float)``
``ntm_model *`` etc.       ``POINTER(ntm_model)`` etc. (opaque)
``T **``                   ``POINTER(POINTER(T))``
=========================  ====================================

Handles are opaque: the library's handles are numbers cast to pointers, and
the bindings never dereference them. Distinct pointer types for the three
kinds make ctypes itself reject a stream passed where a model is expected.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, c_bool, c_char, c_char_p, c_double, c_float, c_int, c_int32, c_size_t, c_uint64, c_void_p
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _declarations

__all__ = [
    "HEADER_VERSION",
    "PROTOTYPES",
    "STATUS_CODES",
    "ctype",
    "declare",
    "ntm_model",
    "ntm_model_p",
    "ntm_status",
    "ntm_stream",
    "ntm_stream_p",
    "ntm_trainer",
    "ntm_trainer_p",
]

#: The version of ``include/ntm.h`` these declarations come from
#: (``NTM_VERSION_MAJOR``, ``_MINOR``, ``_PATCH``). A library whose major
#: version (for 0.x: major and minor) differs is refused at load time.
HEADER_VERSION: Tuple[int, int, int] = _declarations.HEADER_VERSION

#: The status codes of ``enum ntm_status``, by name.
STATUS_CODES: Dict[str, int] = dict(_declarations.STATUS_CODES)


class ntm_status(c_int):
    """``ntm_status``, a C enum returned as ``int``.

    A distinct subclass of ``c_int`` (which ``c_int32`` is an alias of on
    this platform), so that the functions returning a status can be told
    apart from ``ntm_version_number``; as a restype it makes ctypes return
    the instance, whose ``value`` the error check reads.
    """


class ntm_model(ctypes.Structure):
    """Opaque ``struct ntm_model`` (never dereferenced)."""


class ntm_stream(ctypes.Structure):
    """Opaque ``struct ntm_stream`` (never dereferenced)."""


class ntm_trainer(ctypes.Structure):
    """Opaque ``struct ntm_trainer`` (never dereferenced)."""


ntm_model_p = POINTER(ntm_model)
ntm_stream_p = POINTER(ntm_stream)
ntm_trainer_p = POINTER(ntm_trainer)

_SCALARS: Dict[str, Any] = {
    "bool": c_bool,
    "int32_t": c_int32,
    "size_t": c_size_t,
    "uint64_t": c_uint64,
    "double": c_double,
    "float": c_float,
    "char": c_char,
}


_HANDLES: Dict[str, Any] = {"ntm_model": ntm_model, "ntm_stream": ntm_stream, "ntm_trainer": ntm_trainer}


def ctype(c_type: str) -> Any:
    """The ctypes type for a C type as the header writes it (the table
    above): ``"const char *"`` -> ``c_char_p``, ``"ntm_model **"`` ->
    ``POINTER(POINTER(ntm_model))``, ``"float *"`` -> ``POINTER(c_float)``.

    Raises:
        ValueError: a C type the bindings do not know.
    """
    if c_type == "void":
        return None
    if c_type == "ntm_status":
        return ntm_status
    if c_type == "const char *":
        return c_char_p  # a NUL-terminated string in or out
    if c_type in ("void *", "const void *"):
        return c_void_p
    if c_type.endswith("*"):
        return POINTER(ctype(c_type[:-1].rstrip()))
    base = c_type[len("const "):] if c_type.startswith("const ") else c_type
    if base in _SCALARS:
        return _SCALARS[base]
    if base in _HANDLES:
        return _HANDLES[base]
    raise ValueError(f"the bindings do not know the C type {c_type!r}; add it to ntm._ffi.ctype")


#: Every C function: ``name -> (restype, [argtypes])``, in header order.
PROTOTYPES: Dict[str, Tuple[Any, List[Any]]] = {
    name: (ctype(result), [ctype(parameter) for parameter in parameters])
    for name, (result, parameters) in _declarations.PROTOTYPES.items()
}


def declare(lib: ctypes.CDLL, errcheck: Optional[Callable[..., Any]] = None) -> List[str]:
    """Sets ``argtypes`` and ``restype`` of every function of :data:`PROTOTYPES`
    on ``lib``, and ``errcheck`` on those that return an ``ntm_status``.

    Returns the names the library does not export (empty for a library that
    matches these declarations).
    """
    missing = []
    for name, (restype, argtypes) in PROTOTYPES.items():
        try:
            function = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            continue
        function.restype = restype
        function.argtypes = argtypes
        if errcheck is not None and restype is ntm_status:
            function.errcheck = errcheck
    return missing

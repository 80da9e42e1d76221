"""Every C function of ``libntm`` declared for :mod:`ctypes`, in one place.

This module is the only place where the C API's signatures are written down
on the Python side. ``tests/test_ffi.py`` parses ``include/ntm.h`` and checks
every prototype there against :data:`PROTOTYPES` (name, argument count, each
argument's and the result's ctypes type) and the status codes against
:data:`STATUS_CODES`, so a changed header cannot silently break the bindings.

The C type ``T`` maps to ctypes as follows:

=========================  ====================================
C                          ctypes
=========================  ====================================
``ntm_status``             :class:`ntm_status` (a ``c_int`` subclass)
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
from ctypes import POINTER, c_char, c_char_p, c_double, c_float, c_int, c_int32, c_size_t, c_uint64, c_void_p
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = [
    "HEADER_VERSION",
    "PROTOTYPES",
    "STATUS_CODES",
    "declare",
    "ntm_model",
    "ntm_model_p",
    "ntm_status",
    "ntm_stream",
    "ntm_stream_p",
    "ntm_trainer",
    "ntm_trainer_p",
]

#: The version of ``include/ntm.h`` these declarations were written for
#: (``NTM_VERSION_MAJOR``, ``_MINOR``, ``_PATCH``). A library whose major
#: version (for 0.x: major and minor) differs is refused at load time.
HEADER_VERSION: Tuple[int, int, int] = (0, 1, 0)

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

_float_p = POINTER(c_float)
_size_p = POINTER(c_size_t)
_double_p = POINTER(c_double)
_uint64_p = POINTER(c_uint64)
_char_buf = POINTER(c_char)

#: The status codes of ``enum ntm_status``, by name.
STATUS_CODES: Dict[str, int] = {
    "NTM_OK": 0,
    "NTM_ERR_NULL": 1,
    "NTM_ERR_ARGUMENT": 2,
    "NTM_ERR_HANDLE": 3,
    "NTM_ERR_CONFIG": 4,
    "NTM_ERR_IO": 5,
    "NTM_ERR_FORMAT": 6,
    "NTM_ERR_NONFINITE": 7,
    "NTM_ERR_BUFFER_TOO_SMALL": 8,
    "NTM_ERR_DIVERGED": 9,
    "NTM_ERR_INTERNAL": 10,
    "NTM_ERR_BUSY": 11,
    "NTM_ERR_MEMORY": 12,
}

#: Every C function: ``name -> (restype, [argtypes])``, in header order.
PROTOTYPES: Dict[str, Tuple[Any, List[Any]]] = {
    # Version
    "ntm_version_number": (c_int32, []),
    "ntm_version_string": (c_char_p, []),
    # Status codes and errors
    "ntm_status_name": (c_char_p, [c_int32]),
    "ntm_last_error": (c_char_p, []),
    # Memory limit
    "ntm_set_memory_limit": (c_uint64, [c_uint64]),
    "ntm_memory_limit": (c_uint64, []),
    # Presets
    "ntm_preset_count": (c_size_t, []),
    "ntm_preset_name": (c_char_p, [c_size_t]),
    "ntm_preset_info": (ntm_status, [c_char_p, POINTER(c_char_p), _size_p]),
    "ntm_preset_model_json": (ntm_status, [c_char_p, _char_buf, c_size_t, _size_p]),
    "ntm_preset_optimizer_json": (ntm_status, [c_char_p, _char_buf, c_size_t, _size_p]),
    # Models
    "ntm_model_create": (ntm_status, [c_char_p, c_uint64, POINTER(ntm_model_p)]),
    "ntm_model_default_config_json": (ntm_status, [c_char_p, _char_buf, c_size_t, _size_p]),
    "ntm_model_create_preset": (ntm_status, [c_char_p, c_uint64, POINTER(ntm_model_p)]),
    "ntm_model_free": (ntm_status, [ntm_model_p]),
    "ntm_model_config_json": (ntm_status, [ntm_model_p, _char_buf, c_size_t, _size_p]),
    "ntm_model_shape": (ntm_status, [ntm_model_p, _size_p, _size_p, _size_p, _size_p, _size_p, _size_p, _size_p]),
    "ntm_model_parameters": (ntm_status, [ntm_model_p, POINTER(_float_p), _size_p]),
    "ntm_model_save": (ntm_status, [ntm_model_p, c_char_p]),
    "ntm_model_save_to_buffer": (ntm_status, [ntm_model_p, c_void_p, c_size_t, _size_p]),
    "ntm_model_load": (ntm_status, [c_char_p, POINTER(ntm_model_p)]),
    "ntm_model_load_from_buffer": (ntm_status, [c_void_p, c_size_t, POINTER(ntm_model_p)]),
    "ntm_model_evaluate": (
        ntm_status,
        [ntm_model_p, c_size_t, c_size_t, _float_p, _float_p, _float_p, _size_p, _float_p, _double_p, _double_p],
    ),
    # Streams
    "ntm_stream_create": (ntm_status, [ntm_model_p, POINTER(ntm_stream_p)]),
    "ntm_stream_free": (ntm_status, [ntm_stream_p]),
    "ntm_stream_reset": (ntm_status, [ntm_stream_p]),
    "ntm_stream_step": (ntm_status, [ntm_stream_p, _float_p, c_size_t, _float_p, c_size_t]),
    "ntm_stream_step_count": (ntm_status, [ntm_stream_p, _size_p]),
    "ntm_stream_memory": (ntm_status, [ntm_stream_p, _float_p, c_size_t]),
    "ntm_stream_weighting": (ntm_status, [ntm_stream_p, c_size_t, _float_p, c_size_t]),
    "ntm_stream_read_vectors": (ntm_status, [ntm_stream_p, _float_p, c_size_t]),
    # Trainers
    "ntm_trainer_create": (ntm_status, [ntm_model_p, c_char_p, c_size_t, c_uint64, POINTER(ntm_trainer_p)]),
    "ntm_trainer_free": (ntm_status, [ntm_trainer_p]),
    "ntm_trainer_train": (
        ntm_status,
        [ntm_trainer_p, c_size_t, c_size_t, _float_p, _float_p, _float_p, _size_p, _double_p, _double_p],
    ),
    "ntm_trainer_train_task": (ntm_status, [ntm_trainer_p, c_char_p, c_char_p, c_size_t, _double_p, _double_p]),
    "ntm_trainer_loss_and_gradient": (
        ntm_status,
        [ntm_trainer_p, c_size_t, c_size_t, _float_p, _float_p, _float_p, _size_p, _double_p, _double_p],
    ),
    "ntm_trainer_gradient": (ntm_status, [ntm_trainer_p, POINTER(_float_p), _size_p]),
    "ntm_trainer_apply_gradient": (ntm_status, [ntm_trainer_p, _float_p, c_size_t]),
    "ntm_trainer_backward": (ntm_status, [ntm_trainer_p, c_size_t, _float_p, _float_p, _float_p, _float_p]),
    "ntm_trainer_save": (ntm_status, [ntm_trainer_p, c_char_p]),
    "ntm_trainer_save_to_buffer": (ntm_status, [ntm_trainer_p, c_void_p, c_size_t, _size_p]),
    "ntm_trainer_load": (ntm_status, [c_char_p, c_size_t, POINTER(ntm_model_p), POINTER(ntm_trainer_p)]),
    "ntm_trainer_load_from_buffer": (
        ntm_status,
        [c_void_p, c_size_t, c_size_t, POINTER(ntm_model_p), POINTER(ntm_trainer_p)],
    ),
    "ntm_trainer_optimizer_json": (ntm_status, [ntm_trainer_p, _char_buf, c_size_t, _size_p]),
    "ntm_trainer_progress": (ntm_status, [ntm_trainer_p, _uint64_p, _uint64_p]),
    # Tasks
    "ntm_task_count": (c_size_t, []),
    "ntm_task_name": (c_char_p, [c_size_t]),
    "ntm_task_shape": (ntm_status, [c_char_p, c_char_p, _size_p, _size_p, _size_p]),
    "ntm_task_sample": (
        ntm_status,
        [c_char_p, c_char_p, c_uint64, c_size_t, c_size_t, _float_p, _float_p, _float_p, _size_p],
    ),
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

"""The ctypes declarations (ntm/_ffi.py), made from the generated
ntm/_declarations.py: the C-to-ctypes mapping, the status codes and the
version against the loaded library. (That _declarations.py matches
include/ntm.h is checked where both are generated: `make check-header`.)"""

from __future__ import annotations

import ctypes

import pytest

import ntm
from ntm import _declarations, _ffi
from ntm.errors import NTMError, error_for_status


def test_c_types_map_to_ctypes() -> None:
    P = ctypes.POINTER
    expected = {
        "void": None,
        "ntm_status": _ffi.ntm_status,
        "int32_t": ctypes.c_int32,
        "size_t": ctypes.c_size_t,
        "uint64_t": ctypes.c_uint64,
        "const char *": ctypes.c_char_p,
        "char *": P(ctypes.c_char),
        "const char **": P(ctypes.c_char_p),
        "void *": ctypes.c_void_p,
        "const void *": ctypes.c_void_p,
        "float *": P(ctypes.c_float),
        "const float *": P(ctypes.c_float),
        "float **": P(P(ctypes.c_float)),
        "const size_t *": P(ctypes.c_size_t),
        "double *": P(ctypes.c_double),
        "uint64_t *": P(ctypes.c_uint64),
        "ntm_model *": _ffi.ntm_model_p,
        "ntm_stream **": P(_ffi.ntm_stream_p),
        "ntm_trainer **": P(_ffi.ntm_trainer_p),
    }
    for c_type, ctype in expected.items():
        assert _ffi.ctype(c_type) is ctype, c_type
    with pytest.raises(ValueError, match="long double"):
        _ffi.ctype("long double")


def test_every_declaration_is_made_from_the_generated_data() -> None:
    assert len(_ffi.PROTOTYPES) >= 40 and list(_ffi.PROTOTYPES) == list(_declarations.PROTOTYPES)
    assert _declarations.PROTOTYPES["ntm_model_create"] == ("ntm_status", ["const char *", "uint64_t", "ntm_model **"])
    restype, argtypes = _ffi.PROTOTYPES["ntm_model_create"]
    assert restype is _ffi.ntm_status and argtypes == [ctypes.c_char_p, ctypes.c_uint64, ctypes.POINTER(_ffi.ntm_model_p)]
    # ntm_version_number returns a plain int32_t, not a status to check.
    assert _ffi.PROTOTYPES["ntm_version_number"][0] is ctypes.c_int32


def test_status_codes_match_the_library() -> None:
    codes = _ffi.STATUS_CODES
    assert codes["NTM_OK"] == 0 and len(codes) >= 13
    for name, code in codes.items():
        assert ntm.status_name(code) == name
        if code:
            error = error_for_status(code, "message", "ntm_x")
            assert error.status == code and error.status_name == name
            assert type(error) is not NTMError, f"{name} has no exception class of its own"
    assert ntm.status_name(max(codes.values()) + 1) == "NTM_UNKNOWN_STATUS"
    assert ntm.status_name(999) == "NTM_UNKNOWN_STATUS"
    assert type(error_for_status(999, "m")) is NTMError


def test_header_version_matches_the_library() -> None:
    version = _declarations.HEADER_VERSION
    assert _ffi.HEADER_VERSION == version
    assert ntm.version_info() == version
    assert ntm.version() == ".".join(map(str, version))


def test_the_library_exports_every_declared_function() -> None:
    lib = ctypes.CDLL(ntm.library_path())
    assert _ffi.declare(lib) == []
    for name, (restype, argtypes) in _ffi.PROTOTYPES.items():
        function = getattr(lib, name)
        assert function.restype is restype and function.argtypes == argtypes


def test_ctypes_rejects_a_handle_of_the_wrong_kind(model: ntm.Model) -> None:
    stream = model.stream()
    with pytest.raises(ctypes.ArgumentError):
        ntm.library().ntm_model_free(stream._live().pointer)
    stream.close()


def test_a_freed_handle_is_reported_not_dereferenced(model: ntm.Model) -> None:
    lib = ntm.library()
    out = _ffi.ntm_stream_p()
    lib.ntm_stream_create(model._live().pointer, ctypes.byref(out))
    lib.ntm_stream_free(out)
    with pytest.raises(ntm.HandleError, match="ntm_stream_reset"):
        lib.ntm_stream_reset(out)
    with pytest.raises(ntm.HandleError):
        lib.ntm_stream_free(out)

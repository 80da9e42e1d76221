"""The ctypes declarations (ntm/_ffi.py) against the generated header
include/ntm.h: every prototype's name, argument count and ctypes types, the
status codes and the version, so a changed header cannot silently break the
bindings."""

from __future__ import annotations

import ctypes
import re
from typing import Any, Dict, List, Tuple

import pytest

import ntm
from ntm import _ffi
from ntm.errors import NTMError, error_for_status

from conftest import HEADER

pytestmark = pytest.mark.skipif(not HEADER.is_file(), reason=f"{HEADER} not found")

OPAQUE = {"ntm_model": _ffi.ntm_model, "ntm_stream": _ffi.ntm_stream, "ntm_trainer": _ffi.ntm_trainer}
SCALARS = {
    "int32_t": ctypes.c_int32,
    "size_t": ctypes.c_size_t,
    "uint64_t": ctypes.c_uint64,
    "double": ctypes.c_double,
    "float": ctypes.c_float,
    "char": ctypes.c_char,
}


def header_text() -> str:
    text = HEADER.read_text()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)  # block comments
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r"^\s*#[^\n]*", " ", text, flags=re.M)  # preprocessor lines


def parse_prototypes() -> Dict[str, Tuple[str, List[str]]]:
    """``name -> (return type, [parameter types])`` for every ``ntm_*``
    function declared in the header, types normalised like ``const char *``."""
    prototypes = {}
    pattern = re.compile(r"([A-Za-z_][\w\s\*]*?)\b(ntm_\w+)\s*\(([^()]*)\)\s*;")
    for match in pattern.finditer(header_text()):
        result, name, params = match.groups()
        result = normalise(result)
        if result.startswith("typedef"):
            continue
        types = []
        if params.strip() != "void":
            for param in params.split(","):
                param = " ".join(param.split())
                declared = re.match(r"^(.*?)([A-Za-z_]\w*)$", param)
                assert declared, f"cannot parse parameter {param!r} of {name}"
                types.append(normalise(declared.group(1)))
        prototypes[name] = (result, types)
    return prototypes


def normalise(c_type: str) -> str:
    c_type = " ".join(c_type.replace("*", " * ").split())
    return c_type.replace("* *", "**")


def expected_ctype(c_type: str) -> Any:
    """The ctypes type the bindings must use for a C type (see _ffi's table)."""
    if c_type == "void":
        return None
    if c_type == "ntm_status":
        return _ffi.ntm_status
    if c_type in ("const char *", "const char * const"):
        return ctypes.c_char_p
    if c_type in ("void *", "const void *"):
        return ctypes.c_void_p
    base = c_type.removeprefix("const ").strip()
    stars = base.count("*")
    base = base.replace("*", "").strip()
    if base in OPAQUE:
        ctype: Any = OPAQUE[base]
    elif base in SCALARS:
        ctype = SCALARS[base]
    else:
        raise AssertionError(f"the bindings do not know the C type {c_type!r}; add it to _ffi and this test")
    if base == "char" and stars == 2:
        return ctypes.POINTER(ctypes.c_char_p)  # const char **out: a string result
    for _ in range(stars):
        ctype = ctypes.POINTER(ctype)
    return ctype


HEADER_PROTOTYPES = parse_prototypes() if HEADER.is_file() else {}


def test_the_header_parses_into_a_plausible_number_of_functions() -> None:
    assert len(HEADER_PROTOTYPES) >= 40
    assert HEADER_PROTOTYPES["ntm_model_create"] == ("ntm_status", ["const char *", "uint64_t", "ntm_model **"])


def test_every_header_function_is_declared_and_nothing_else() -> None:
    header = set(HEADER_PROTOTYPES)
    declared = set(_ffi.PROTOTYPES)
    assert header - declared == set(), "functions in include/ntm.h that _ffi.py does not declare"
    assert declared - header == set(), "functions _ffi.py declares that include/ntm.h does not have"


@pytest.mark.parametrize("name", sorted(HEADER_PROTOTYPES))
def test_declaration_matches_header(name: str) -> None:
    c_result, c_params = HEADER_PROTOTYPES[name]
    restype, argtypes = _ffi.PROTOTYPES[name]
    assert len(argtypes) == len(c_params), f"{name}: {len(c_params)} parameters in the header"
    assert restype is expected_ctype(c_result), f"{name}: result {c_result}"
    for index, (c_param, argtype) in enumerate(zip(c_params, argtypes)):
        assert argtype is expected_ctype(c_param), f"{name}: parameter {index} is {c_param}"


def test_status_codes_match_the_header() -> None:
    enum = re.search(r"typedef\s+enum\s+ntm_status\s*\{(.*?)\}", header_text(), re.S)
    assert enum
    codes = {m.group(1): int(m.group(2)) for m in re.finditer(r"(NTM_\w+)\s*=\s*(\d+)", enum.group(1))}
    assert codes == _ffi.STATUS_CODES
    for name, code in codes.items():
        assert ntm.status_name(code) == name
        if code:
            error = error_for_status(code, "message", "ntm_x")
            assert error.status == code and error.status_name == name
            assert type(error) is not NTMError, f"{name} has no exception class of its own"
    assert ntm.status_name(999) == "NTM_UNKNOWN_STATUS"
    assert type(error_for_status(999, "m")) is NTMError


def test_header_version_matches_the_bindings_and_the_library() -> None:
    text = HEADER.read_text()
    version = tuple(int(re.search(rf"#define NTM_VERSION_{part} (\d+)", text).group(1))  # type: ignore[union-attr]
                    for part in ("MAJOR", "MINOR", "PATCH"))
    assert version == _ffi.HEADER_VERSION
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

"""Finding, loading and checking ``libntm.so``.

The library is loaded on first use (``import ntm`` never fails for want of
it), from the first of these that is given or exists:

1. the ``path`` passed to :func:`load_library`, or the ``NTM_LIBRARY``
   environment variable (an explicit choice: if that file cannot be loaded,
   that is an error, and nothing else is tried);
2. a copy bundled inside the installed package, ``ntm/_lib/libntm.so``
   (a non-editable ``pip install`` copies the repository's
   ``build/lib/libntm.so`` there when it exists);
3. the repository's build folder, ``build/lib/libntm.so``, found relative to
   this package's source (``bindings/python/ntm`` in the repository), for an
   editable or in-repository install.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path
from typing import Any, List, Optional, Tuple, Union

from . import _ffi
from .errors import LibraryError, error_for_status

__all__ = ["library", "library_path", "load_library"]

LIBRARY_NAME = "libntm.so"
ENV_VARIABLE = "NTM_LIBRARY"

_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_path: Optional[str] = None


def _package_dir() -> Path:
    return Path(__file__).resolve().parent


def bundled_path() -> Path:
    """Where a copy bundled with the installed package would be."""
    return _package_dir() / "_lib" / LIBRARY_NAME


def repository_path() -> Optional[Path]:
    """Where ``make lib`` puts the library, relative to this package's source
    in the repository (``<repo>/bindings/python/ntm`` -> ``<repo>/build/lib``);
    ``None`` when this copy of the package is not in a repository (e.g.
    installed into site-packages)."""
    package = _package_dir()
    if package.parent.name != "python" or package.parent.parent.name != "bindings":
        return None
    return package.parents[2] / "build" / "lib" / LIBRARY_NAME


def _errcheck(result: Any, function: Any, arguments: Tuple[Any, ...]) -> int:
    status = result.value if isinstance(result, _ffi.ntm_status) else int(result)
    if status != 0:
        raw = _lib.ntm_last_error() if _lib is not None else None
        message = raw.decode("utf-8", "replace") if raw else ""
        name = getattr(function, "__name__", None)
        raise error_for_status(status, message or f"{name} failed with status {status}", name)
    return 0


def _open(path: str) -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(path)
    except OSError as error:
        raise LibraryError(f"cannot load the ntm library {path}: {error}") from None
    missing = _ffi.declare(lib, _errcheck)
    if missing:
        raise LibraryError(
            f"{path} is not the ntm library these bindings were written for: it lacks "
            + ", ".join(missing)
            + ". Rebuild it with `make lib`, or update the bindings."
        )
    number = lib.ntm_version_number()
    found = (number // 10000, number // 100 % 100, number % 100)
    wanted = _ffi.HEADER_VERSION
    compatible = found[0] == wanted[0] and (wanted[0] > 0 or found[1] == wanted[1])
    if not compatible:
        raise LibraryError(
            f"{path} is libntm {'.'.join(map(str, found))}, but these bindings were written for "
            f"{'.'.join(map(str, wanted))}; rebuild the library (`make lib`) or install matching bindings"
        )
    return lib


def _candidates() -> List[Tuple[str, Optional[Path]]]:
    return [("bundled with the package", bundled_path()), ("the repository's build folder", repository_path())]


def load_library(path: Union[str, "os.PathLike[str]", None] = None) -> str:
    """Loads ``libntm.so`` and returns the path it was loaded from.

    With ``path`` (or, without it, the ``NTM_LIBRARY`` environment variable)
    exactly that file is loaded; otherwise the copy bundled with the package
    or the repository's ``build/lib/libntm.so``. Calling this is optional: the
    library is loaded on first use. Once loaded, the library stays for the
    life of the process; asking for a different file then raises.

    Raises:
        LibraryError: the file is missing or cannot be loaded, lacks a
            function, or has an incompatible version; the message says where
            it looked and how to build the library (``make lib``).
    """
    global _lib, _path
    with _lock:
        explicit = os.fspath(path) if path is not None else os.environ.get(ENV_VARIABLE) or None
        source = "the path argument" if path is not None else f"${ENV_VARIABLE}"
        if _lib is not None:
            if explicit is not None and os.path.realpath(explicit) != os.path.realpath(_path or ""):
                raise LibraryError(
                    f"the ntm library is already loaded from {_path}; cannot switch to {explicit} "
                    "in the same process"
                )
            return _path or ""
        if explicit is not None:
            if not os.path.isfile(explicit):
                raise LibraryError(
                    f"the ntm library given by {source} does not exist: {explicit}. "
                    "Build it with `make lib` in the ntm repository (it writes build/lib/libntm.so)."
                )
            chosen = explicit
        else:
            looked = _candidates()
            found = [str(p) for _, p in looked if p is not None and p.is_file()]
            if not found:
                places = "; ".join(
                    f"{what}: {p if p is not None else 'none (this copy of the package is not in the repository)'}"
                    for what, p in looked
                )
                raise LibraryError(
                    f"cannot find the ntm library ({LIBRARY_NAME}). Looked at: ${ENV_VARIABLE} (not set); "
                    f"{places}. Build it with `make lib` in the ntm repository (it writes "
                    f"build/lib/{LIBRARY_NAME}), then reinstall the package or set {ENV_VARIABLE} to its path."
                )
            chosen = found[0]
        _lib = _open(chosen)
        _path = os.path.realpath(chosen)
        return _path


def library() -> ctypes.CDLL:
    """The loaded library (loading it on first use; see :func:`load_library`)."""
    lib = _lib
    if lib is None:
        load_library()
        lib = _lib
        assert lib is not None
    return lib


def library_path() -> str:
    """The path of the loaded ``libntm.so`` (loading it on first use)."""
    library()
    return _path or ""

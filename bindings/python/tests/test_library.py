"""Finding and loading libntm.so: explicit path, NTM_LIBRARY, the bundled
copy, the repository's build folder, and the error when none is found. Each
case runs in a fresh interpreter."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest

import ntm

from conftest import LIBRARY, REPO

SOURCE = REPO / "bindings" / "python"
PROBE = "import ntm; print(ntm.library_path()); print(ntm.version())"


def run(code: str, env: Optional[Dict[str, str]] = None, pythonpath: Optional[Path] = None,
        cwd: Optional[Path] = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("NTM_LIBRARY", "PYTHONPATH")}
    environment.update(env or {})
    if pythonpath is not None:
        environment["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                          cwd=cwd or Path.cwd(), timeout=60)


def copy_package(destination: Path) -> Path:
    """A copy of the package source in a directory with no library anywhere near."""
    shutil.copytree(Path(ntm.__file__).parent, destination / "ntm",
                    ignore=shutil.ignore_patterns("_lib", "__pycache__"))
    return destination


def test_the_installed_package_loads_a_library() -> None:
    path = Path(ntm.library_path())
    assert path.is_file() and path.name == "libntm.so"
    bundled = Path(ntm.__file__).parent / "_lib" / "libntm.so"
    if bundled.is_file() and not os.environ.get("NTM_LIBRARY"):
        assert path == bundled.resolve()  # the bundled copy comes before the repository's


@pytest.mark.skipif(not LIBRARY.is_file(), reason="needs build/lib/libntm.so")
def test_ntm_library_variable_wins(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / "libntm.so"
    copy.parent.mkdir()
    shutil.copy(LIBRARY, copy)
    result = run(PROBE, env={"NTM_LIBRARY": str(copy)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == str(copy.resolve())


def test_explicit_path_argument(tmp_path: Path) -> None:
    library = ntm.library_path()
    code = f"import ntm; print(ntm.load_library({library!r})); print(ntm.Model(input_size=1, output_size=1))"
    result = run(code, env={"NTM_LIBRARY": "/nonexistent/libntm.so"})  # the argument beats the variable
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == library
    # once loaded, the same path is fine and another one is refused
    assert ntm.load_library(library) == library
    with pytest.raises(ntm.LibraryError, match="already loaded"):
        ntm.load_library(tmp_path / "other" / "libntm.so")


def test_a_missing_explicit_library_is_an_error_with_advice() -> None:
    result = run("import ntm\ntry:\n ntm.version()\nexcept ntm.LibraryError as e: print('LibraryError:', e)",
                 env={"NTM_LIBRARY": "/nonexistent/libntm.so"})
    assert result.returncode == 0, result.stderr
    assert "LibraryError: the ntm library given by $NTM_LIBRARY does not exist: /nonexistent/libntm.so" in result.stdout
    assert "make lib" in result.stdout


def test_a_file_that_is_not_the_library(tmp_path: Path) -> None:
    bogus = tmp_path / "libntm.so"
    bogus.write_text("not a shared object")
    result = run("import ntm\ntry:\n ntm.version()\nexcept ntm.LibraryError as e: print(e)",
                 env={"NTM_LIBRARY": str(bogus)})
    assert f"cannot load the ntm library {bogus}" in result.stdout
    libm = next((p for p in ("/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6",
                             "/lib64/libm.so.6") if os.path.exists(p)), None)
    if libm:
        result = run("import ntm\ntry:\n ntm.version()\nexcept ntm.LibraryError as e: print(e)",
                     env={"NTM_LIBRARY": libm})
        assert "is not the ntm library these bindings were written for: it lacks ntm_version_number" in result.stdout


@pytest.mark.skipif(not LIBRARY.is_file(), reason="needs build/lib/libntm.so")
def test_the_repository_build_folder_from_the_source_tree() -> None:
    if (SOURCE / "ntm" / "_lib" / "libntm.so").exists():
        pytest.skip("the source tree holds a bundled copy")
    result = run(PROBE, pythonpath=SOURCE, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == str(LIBRARY.resolve())


def test_a_bundled_copy(tmp_path: Path) -> None:
    site = copy_package(tmp_path)
    (site / "ntm" / "_lib").mkdir()
    shutil.copy(ntm.library_path(), site / "ntm" / "_lib" / "libntm.so")
    result = run(PROBE, pythonpath=site, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == str((site / "ntm" / "_lib" / "libntm.so").resolve())


@pytest.mark.parametrize("layout", ["repository", "site-packages"])
def test_nothing_found_says_where_it_looked_and_how_to_build(tmp_path: Path, layout: str) -> None:
    # a clone without `make lib`, or an install without a bundled copy
    site = copy_package(tmp_path / "bindings" / "python" if layout == "repository" else tmp_path / "site-packages")
    code = ("import ntm\nprint('imported')\ntry:\n ntm.Model(input_size=1, output_size=1)\n"
            "except ntm.LibraryError as e: print(e)")
    result = run(code, pythonpath=site, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "imported"  # importing never needs the library
    message = lines[1]
    assert "cannot find the ntm library (libntm.so)" in message
    assert "$NTM_LIBRARY (not set)" in message
    assert f"bundled with the package: {site / 'ntm' / '_lib' / 'libntm.so'}" in message
    if layout == "repository":
        assert f"the repository's build folder: {tmp_path / 'build' / 'lib' / 'libntm.so'}" in message
    else:
        assert "the repository's build folder: none (this copy of the package is not in the repository)" in message
    assert "Build it with `make lib`" in message

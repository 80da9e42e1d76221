"""Build hook: bundle libntm.so into the package, so that the installed
package works without the repository.

Which library is bundled:

1. ``$NTM_BUNDLE_LIBRARY``, if set (a prebuilt ``libntm.so``);
2. otherwise, when this is the repository's ``bindings/python``, the
   repository's ``build/lib/libntm.so``, built (or brought up to date) with
   ``make lib`` first: ``pip install ./bindings/python`` needs Swift, make
   and a linker, and fails at install time, saying why, when the build fails;
3. nothing, with ``NTM_NO_BUNDLE=1``: a pure-Python package that finds the
   library at run time through ``$NTM_LIBRARY`` (see ``ntm/_library.py``).

Outside the repository without either variable the install fails with that
advice, instead of giving a package that cannot load its library. An
editable install bundles nothing: it finds the repository's build folder.

A wheel with a bundled library holds no Python extension, only a shared
library loaded through ctypes, so it is tagged ``py3-none-<platform>``: any
CPython 3 on that platform. The platform is ``manylinux_2_<N>_<arch>``, with
N the newest glibc symbol version the library needs (read from its dynamic
symbol table), so pip on an older glibc refuses it instead of failing at
``import``.
"""

import os
import platform
import re
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.normpath(os.path.join(HERE, "..", ".."))

_chosen = []  # the library chosen, once: [path or None]


def in_repository():
    return os.path.isfile(os.path.join(REPOSITORY, "Package.swift")) and os.path.isfile(
        os.path.join(REPOSITORY, "Makefile"))


def build_repository_library():
    """Runs `make lib` in the repository; returns the library or exits with the reason."""
    library = os.path.join(REPOSITORY, "build", "lib", "libntm.so")
    advice = ("set NTM_BUNDLE_LIBRARY=/path/to/libntm.so to bundle a library built elsewhere, "
              "or NTM_NO_BUNDLE=1 for a package that loads $NTM_LIBRARY at run time")
    if shutil.which("make") is None:
        raise SystemExit(f"ntm: building libntm.so needs `make` (not found on PATH); {advice}")
    print("ntm: building libntm.so with `make lib` (a first build takes a few minutes)", flush=True)
    try:
        result = subprocess.run(["make", "-C", REPOSITORY, "lib"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    except OSError as error:
        raise SystemExit(f"ntm: could not run `make lib`: {error}; {advice}")
    if result.returncode != 0 or not os.path.isfile(library):
        tail = "\n".join(result.stdout.splitlines()[-15:])
        raise SystemExit(f"ntm: `make lib` failed (exit status {result.returncode}); it needs Swift 6 "
                         f"(swift.org) and the tools in the repository's README. Its last lines:\n{tail}\n{advice}")
    return library


def library_to_bundle():
    if _chosen:
        return _chosen[0]
    explicit = os.environ.get("NTM_BUNDLE_LIBRARY")
    if explicit:
        if not os.path.isfile(explicit):
            raise SystemExit(f"ntm: NTM_BUNDLE_LIBRARY={explicit} does not exist (looked for "
                             f"{os.path.abspath(explicit)}: pip builds in the package's directory, so give an "
                             "absolute path; run `make lib` to build it)")
        library = explicit
    elif os.environ.get("NTM_NO_BUNDLE") == "1":
        library = None
    elif in_repository():
        library = build_repository_library()
    else:
        raise SystemExit("ntm: this copy of the bindings is not inside the ntm repository, so there is no "
                         "libntm.so to build; set NTM_BUNDLE_LIBRARY=/path/to/libntm.so, or NTM_NO_BUNDLE=1 "
                         "for a package that loads $NTM_LIBRARY at run time")
    _chosen.append(library)
    return library


def glibc_floor(library):
    """The newest GLIBC_2.N symbol version `library` needs, as N, or None."""
    try:
        with open(library, "rb") as f:
            data = f.read()
    except OSError:
        return None
    versions = [int(m) for m in re.findall(rb"GLIBC_2\.([0-9]+)(?![0-9.])", data)]
    return max(versions) if versions else None


def platform_tag(library):
    machine = platform.machine()
    floor = glibc_floor(library) if platform.system() == "Linux" else None
    if floor is None or machine not in ("x86_64", "aarch64"):
        return None
    return f"manylinux_2_{floor}_{machine}"


class BuildPyWithLibrary(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        library = library_to_bundle()
        if library is None:
            print("ntm: NTM_NO_BUNDLE=1: no libntm.so bundled; set NTM_LIBRARY at run time")
            return
        target = os.path.join(self.build_lib, "ntm", "_lib")
        os.makedirs(target, exist_ok=True)
        shutil.copy2(library, os.path.join(target, "libntm.so"))
        print(f"ntm: bundled {library}")


class MaybeBinaryDistribution(Distribution):
    """A wheel with a bundled libntm.so is platform-specific; say so."""

    def has_ext_modules(self):
        return library_to_bundle() is not None


commands = {"build_py": BuildPyWithLibrary}
try:  # setuptools >= 70.1 has its own bdist_wheel; older ones use the wheel package's
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:
        bdist_wheel = None

if bdist_wheel is not None:
    class PlatformOnlyWheel(bdist_wheel):
        """py3-none-<platform>: the library is loaded with ctypes, not as an extension module."""

        def get_tag(self):
            python, abi, plat = super().get_tag()
            library = library_to_bundle()
            if library is None:
                return python, abi, plat
            return "py3", "none", platform_tag(library) or plat

    commands["bdist_wheel"] = PlatformOnlyWheel

setup(cmdclass=commands, distclass=MaybeBinaryDistribution)

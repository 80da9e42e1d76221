"""Build hook: bundle libntm.so into the package on a regular (non-editable)
install, so the installed package works without the repository.

The library bundled is $NTM_BUNDLE_LIBRARY if set, else the repository's
build/lib/libntm.so (../../build/lib relative to this file) if it exists.
Without either the package installs as pure Python and finds the library at
run time through $NTM_LIBRARY (see ntm/_library.py). An editable install
bundles nothing: it finds the repository's build folder directly, so a
rebuilt library is picked up without reinstalling.
"""

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))


def library_to_bundle():
    explicit = os.environ.get("NTM_BUNDLE_LIBRARY")
    if explicit:
        if not os.path.isfile(explicit):
            raise SystemExit(f"NTM_BUNDLE_LIBRARY={explicit} does not exist (run `make lib`)")
        return explicit
    candidate = os.path.join(HERE, "..", "..", "build", "lib", "libntm.so")
    return os.path.normpath(candidate) if os.path.isfile(candidate) else None


class BuildPyWithLibrary(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        library = library_to_bundle()
        if library is None:
            print("ntm: no libntm.so to bundle (run `make lib` first, or set NTM_LIBRARY at run time)")
            return
        target = os.path.join(self.build_lib, "ntm", "_lib")
        os.makedirs(target, exist_ok=True)
        shutil.copy2(library, os.path.join(target, "libntm.so"))
        print(f"ntm: bundled {library}")


class MaybeBinaryDistribution(Distribution):
    """A wheel with a bundled libntm.so is platform-specific; say so."""

    def has_ext_modules(self):
        return library_to_bundle() is not None


setup(cmdclass={"build_py": BuildPyWithLibrary}, distclass=MaybeBinaryDistribution)

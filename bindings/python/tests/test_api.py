"""The public API: documented and typed everywhere, help() reads like
documentation, and every public function, method and property is exercised
somewhere in these tests."""

from __future__ import annotations

import inspect
import pydoc
import re
import typing
from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest

import ntm
import ntm.errors
import ntm.tasks

CLASSES = (ntm.Model, ntm.Stream, ntm.Trainer)
MODULE_FUNCTIONS = [getattr(ntm, name) for name in ntm.__all__ if inspect.isfunction(getattr(ntm, name))]
TASK_FUNCTIONS = [getattr(ntm.tasks, name) for name in ntm.tasks.__all__]


def public_members() -> Iterator[Tuple[str, Any]]:
    for cls in CLASSES:
        for name, member in vars(cls).items():
            if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, (property, classmethod))):
                yield f"{cls.__name__}.{name}", member
    for function in MODULE_FUNCTIONS:
        yield f"ntm.{function.__name__}", function
    for function in TASK_FUNCTIONS:
        yield f"ntm.tasks.{function.__name__}", function


def test_all_names_exist() -> None:
    for name in ntm.__all__:
        assert hasattr(ntm, name), name
    for name in ntm.errors.__all__:
        assert getattr(ntm.errors, name) is getattr(ntm, name, getattr(ntm.errors, name))


@pytest.mark.parametrize("name, member", list(public_members()))
def test_documented_and_typed(name: str, member: Any) -> None:
    function = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
    assert function.__doc__ and len(function.__doc__.strip()) > 20, f"{name} has no docstring"
    hints = typing.get_type_hints(function)
    assert "return" in hints, f"{name} has no return type"
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name not in ("self", "cls"):
            assert parameter.name in hints, f"{name}: parameter {parameter.name} has no type hint"


def test_classes_and_errors_are_documented() -> None:
    for value in vars(ntm).values():
        if inspect.isclass(value) and value.__module__.startswith("ntm"):
            assert value.__doc__ and len(value.__doc__) > 20, value
    for module in (ntm, ntm.tasks, ntm.errors):
        assert module.__doc__ and len(module.__doc__) > 100


def test_help_reads_like_documentation() -> None:
    text = pydoc.render_doc(ntm.Model, renderer=pydoc.plaintext)
    assert text.index("A Neural Turing Machine") < text.index("evaluate(")
    assert "ntm.Model.preset(\"copy/ntm-lstm\", seed=1)" in text
    trainer_text = pydoc.render_doc(ntm.Trainer, renderer=pydoc.plaintext)
    assert "resumes bit-identically" in trainer_text and "train_task(" in trainer_text
    package_text = pydoc.render_doc(ntm, renderer=pydoc.plaintext)
    assert "Neural Turing Machines" in package_text and "Model" in package_text
    for name, member in public_members():
        first = (member.fget if isinstance(member, property) else getattr(member, "__func__", member)).__doc__
        assert first.strip()[0].isupper(), name  # sentences, not fragments


def test_package_help_is_short_and_plain() -> None:
    """help(ntm) is a page, not 3,000 lines of inherited exception and tuple
    methods, and the result types read as types, not ForwardRef('int')."""
    package_text = pydoc.render_doc(ntm, renderer=pydoc.plaintext)
    assert len(package_text.splitlines()) < 1000
    assert "ConfigError" in package_text and "help(ntm.errors)" in package_text
    for module in (ntm, ntm.results, ntm.errors):
        assert "ForwardRef" not in pydoc.render_doc(module, renderer=pydoc.plaintext)
    assert "ModelShape(input_size: int," in pydoc.render_doc(ntm.ModelShape, renderer=pydoc.plaintext)
    for name in ntm.errors.__all__:  # the error classes are still importable from the package
        value = getattr(ntm.errors, name)
        if isinstance(value, type) and issubclass(value, ntm.NTMError):
            assert getattr(ntm, name) is value, name


def test_context_managers_are_typed() -> None:
    """`with model.stream() as s` gives a checker a Stream: __enter__ returns
    the type of self, not Any."""
    for cls in CLASSES:
        result = typing.get_type_hints(cls.__enter__)["return"]
        assert isinstance(result, typing.TypeVar) and result.__bound__ is not None, cls
    model = ntm.Model(input_size=2, output_size=1, memory_rows=4, memory_width=2)
    with model as entered, model.stream() as stream:
        assert entered is model and isinstance(stream, ntm.Stream)


def test_every_public_name_is_exercised_by_the_tests() -> None:
    """A cheap check that no public function, method or property is left out:
    each must be used (``.name`` followed by a call, an attribute access or
    an index) in some test file other than this one."""
    sources = "\n".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py") if p.name != "test_api.py")
    missing = []
    for name, _ in public_members():
        short = name.rsplit(".", 1)[1]
        if not re.search(rf"\.{short}\b(?!\w)", sources):
            missing.append(name)
    assert missing == []

"""The package is built in floors: each module imports only its own floor and the floors below it.

Every import counts, wherever it is written: at the top of a module, inside a function, or under
``if TYPE_CHECKING:`` (a reader follows those too). The floors are the ones described in
docs/decisions/0002-package-floors.rst.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

import openedx_subsidy_events

PACKAGE = "openedx_subsidy_events"
SOURCE = Path(openedx_subsidy_events.__file__).parent

FLOORS: tuple[frozenset[str], ...] = (
    # the errors, the redaction rule, payload fields, metadata, states: used everywhere, using nothing above
    frozenset(
        {
            "_version",
            "_lazy",
            "_text",
            "_files",
            "_checkout",
            "redaction",
            "exceptions",
            "_payload",
            "envelope",
            "states",
        }
    ),
    frozenset({"avro"}),  # Avro for payload classes: schema generation, published store, codec; no event
    frozenset({"events"}),  # the four events: payload classes and their definitions
    frozenset({"signals", "compat"}),  # captures of events sent; the linter (any Avro schemas)
    frozenset({"publishing", "contracts", "reference"}),
    frozenset({"integrations", "testing", "exports"}),
    frozenset({"demo"}),
    frozenset({"cli", "<face>"}),  # the command line (cli.py and every package's _cli.py) and the public face
)

KNOWN_CYCLES: set[frozenset[str]] = set()


class Import(NamedTuple):
    """One import of a package module by another."""

    importer: str
    target: str
    line: int
    type_only: bool


@functools.cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name relative to the package (``""`` for its face)."""
    found = {}
    for path in SOURCE.rglob("*.py"):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def unit(module: str) -> str:
    """The unit a module belongs to: its top-level package or module; every ``_cli`` module is the CLI's."""
    if not module:
        return "<face>"
    if module == "cli" or any(part == "_cli" for part in module.split(".")):
        return "cli"
    return module.split(".")[0]


def floor(module: str) -> int:
    """The floor number of a module's unit (0 at the bottom)."""
    name = unit(module)
    return next(number for number, units in enumerate(FLOORS) if name in units)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, type_only: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement under ``node``, and whether it is only for type checking."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, type_only
    elif isinstance(node, ast.If) and _is_type_checking(node.test):
        for statement in node.body:
            yield from _walk(statement, True)
        for statement in node.orelse:
            yield from _walk(statement, type_only)
    else:
        for child in ast.iter_child_nodes(node):
            yield from _walk(child, type_only)


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The package modules an import statement runs, as names relative to the package."""
    known = modules()
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            is_package = modules()[module].name == "__init__.py"
            base = [PACKAGE, *module.split(".")] if module else [PACKAGE]
            base = base[: len(base) - node.level + (1 if is_package else 0)]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        names = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}"[len(PACKAGE) + 1 :] in known else origin
                 for alias in node.names]  # fmt: skip
    for name in names:
        if name != PACKAGE and not name.startswith(PACKAGE + "."):
            continue
        relative = name[len(PACKAGE) + 1 :]
        parts = relative.split(".") if relative else []
        for depth in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
            target = ".".join(parts[:depth])
            if target in known and target != module and not module.startswith(target + "."):
                yield target
        if not parts:
            yield ""


@functools.cache
def imports() -> tuple[Import, ...]:
    """Every import of a package module by another, with where it is written."""
    found = set()
    for module, path in modules().items():
        for node, type_only in _walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _targets(module, node):
                if target != module:
                    found.add(Import(module, target, node.lineno, type_only))
    return tuple(sorted(found))


def _cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_module_is_on_a_floor() -> None:
    """Each unit of the package is listed in FLOORS once (a new package must choose its floor)."""
    listed = [name for units in FLOORS for name in units]
    assert len(listed) == len(set(listed))
    assert {unit(module) for module in modules()} <= set(listed)


def test_no_import_reaches_a_higher_floor() -> None:
    """No module imports one of a higher floor: not at the top, not in a function, not for type checking."""
    upward = [
        f"{i.importer} (line {i.line}) imports {i.target or PACKAGE}{' for type checking' if i.type_only else ''}"
        for i in imports()
        if floor(i.target) > floor(i.importer)
    ]
    assert upward == []


def test_units_depend_one_way() -> None:
    """Units of one floor may use each other, but never both ways (also through others)."""
    edges: dict[str, set[str]] = {}
    for i in imports():
        if unit(i.importer) != unit(i.target):
            edges.setdefault(unit(i.importer), set()).add(unit(i.target))
    assert _cycles(edges) == []


def test_modules_import_each_other_one_way() -> None:
    """No two modules import each other, directly or in a circle (type-checking imports included)."""
    edges: dict[str, set[str]] = {}
    for i in imports():
        edges.setdefault(i.importer, set()).add(i.target)
    assert set(_cycles(edges)) == KNOWN_CYCLES, "a cycle was added, or a known one removed: update KNOWN_CYCLES"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from ..avro._store import x", {("avro", False), ("avro._store", False)}),
        ("from .. import redaction", {("redaction", False)}),
        ("from . import _static", {("contracts._static", False)}),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..signals import CapturedEvent",
            {("signals", True)},
        ),
        ("def f():\n    from ..events import get_event", {("events", False)}),
        ("import openedx_subsidy_events.compat._graph", {("compat", False), ("compat._graph", False)}),
    ],
)
def test_imports_are_found_wherever_they_are_written(source: str, expected: set[tuple[str, bool]]) -> None:
    """The walker sees relative, absolute, deferred and type-checking imports (so the checks above can fail)."""
    found = {
        (t, type_only) for node, type_only in _walk(ast.parse(source)) for t in _targets("contracts._reader", node)
    }
    assert found == expected


def test_a_cycle_is_found() -> None:
    """Three modules in a circle are one cycle; a module importing a cycle is not part of it."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]

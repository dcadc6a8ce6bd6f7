"""Rules about one schema that the Avro checkers miss: defaults, aliases, logical types, names.

Each check looks at one schema (the newest version of a subject) and yields single-schema hits;
the resolution walk in :mod:`._resolve` covers what changes between two schemas.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterator
from typing import Any

from ._logical import problem
from ._node import PRIMITIVES, Field, JsonConstant, Node
from ._resolve import Path

__all__ = ["SingleHit", "default_problem", "iter_places", "iter_semantic"]

SingleHit = tuple[str, Path, Node | Field, str]
"""(rule, path, place, sentence) for a rule about one schema."""

_STRICT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_RANGES = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_FLOATS = {"float": ("<f", "3.4028235e38"), "double": ("<d", "1.7976931348623157e308")}
MAX_SIZE = 2**31 - 1
"""The largest fixed size Java reads (its parser takes ``size`` as a 32-bit int)."""


def iter_places(root: Node) -> Iterator[tuple[Node, Path]]:
    """Every node once (named types at their first use) with its field path, but plain primitives.

    A primitive without a logical type has nothing of its own to report (its field's default is
    checked with the record): most nodes of a schema, skipped without being visited.
    """
    seen: set[int] = set()
    stack: list[tuple[Node, Path]] = [(root, None)]
    while stack:
        node, path = stack.pop()
        if node.named:
            if id(node) in seen:
                continue
            seen.add(id(node))
        yield node, path
        if node.kind == "record":
            stack.extend((f.type, (path, f.name)) for f in reversed(node.fields) if _has_places(f.type))
        elif node.kind == "array" or node.kind == "map":
            if _has_places(node.items):
                stack.append((node.items, (path, "[]" if node.kind == "array" else "{}")))
        elif node.kind == "union":
            stack.extend((b, path) for b in reversed(node.branches) if _has_places(b))


def _has_places(node: Node) -> bool:
    return node.logical is not None or node.kind not in PRIMITIVES


def _text_ok(value: Any, size: int | None = None) -> bool:
    if not isinstance(value, str) or any(ord(c) > 255 for c in value):
        return False
    return size is None or len(value) == size


def _float_problem(kind: str, value: Any) -> str | None:
    """Why ``value`` is not a ``float`` or ``double`` default: not a number, or not representable."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return f"expected a number for {kind}"
    code, largest = _FLOATS[kind]
    try:
        number = float(value)  # OverflowError for an integer beyond every double
        if math.isinf(number):  # 1e400 in JSON, or an infinity given in memory
            raise OverflowError
        struct.pack(code, number)  # rounds as IEEE 754 does; overflows only outside the type's range
    except OverflowError:
        return f"the number is out of range for {kind} (at most {largest} in magnitude)"
    return None


def default_problem(node: Node, value: Any, depth: int = 0) -> str | None:
    """Why ``value`` is not a valid default for ``node`` in Avro's JSON encoding, or ``None``.

    A union's default may match any branch here (Avro 1.12); the first-branch rule is separate.
    """
    if depth > 100:
        return "the default is nested too deeply to check"
    if isinstance(value, JsonConstant):
        return f"{value.text} is not a JSON number"
    if isinstance(value, float) and math.isnan(value):  # given in memory
        return "NaN is not a JSON number"
    kind = node.kind
    if kind == "null":
        return None if value is None else "expected null"
    if kind == "boolean":
        return None if isinstance(value, bool) else "expected true or false"
    if kind in _RANGES:
        low, high = _RANGES[kind]
        if isinstance(value, int) and not isinstance(value, bool):
            return None if low <= value <= high else f"{value} is out of range for {kind}"
        return f"expected an integer for {kind}"
    if kind in _FLOATS:
        return _float_problem(kind, value)
    if kind == "string":
        return None if isinstance(value, str) else "expected a string"
    if kind == "bytes":
        return None if _text_ok(value) else "expected a string of code points 0-255 for bytes"
    if kind == "fixed":
        return None if _text_ok(value, node.size) else f"expected a string of {node.size} code points 0-255"
    if kind == "enum":
        return None if value in node.symbols else f"expected one of the symbols {', '.join(node.symbols)}"
    if kind == "array":
        if not isinstance(value, list):
            return "expected an array"
        return next((p for p in (default_problem(node.items, v, depth + 1) for v in value) if p), None)
    if kind == "map":
        if not isinstance(value, dict):
            return "expected an object for a map"
        return next((p for p in (default_problem(node.items, v, depth + 1) for v in value.values()) if p), None)
    if kind == "record":
        if not isinstance(value, dict):
            return f"expected an object for the record {node.fullname}"
        for field in node.fields:
            if field.name in value:
                found = default_problem(field.type, value[field.name], depth + 1)
                if found:
                    return f"{field.name}: {found}"
            elif not field.has_default:
                return f"the field {field.name!r} is missing and has no default"
        return None
    if kind == "union":
        if any(default_problem(b, value, depth + 1) is None for b in node.branches):
            return None
        return "it matches no branch of the union"
    return None


def iter_semantic(root: Node) -> Iterator[SingleHit]:
    """Invalid defaults, union defaults off the first branch, bad enum defaults, aliases, logical types, names."""
    for node, path in iter_places(root):
        yield from place_hits(node, path)


def place_hits(node: Node, path: Path) -> Iterator[SingleHit]:
    """The single-schema semantic hits of one node (see :func:`iter_semantic`)."""
    if node.kind == "record":
        for field in node.fields:
            if field.has_default:
                yield from _field_default(field, (path, field.name))
    if node.kind == "enum" and node.has_default and node.default not in node.symbols:
        yield (
            "ENUM_DEFAULT_NOT_A_SYMBOL",
            path,
            node,
            f"the default {node.default!r} of the enum {node.fullname} is not one of its symbols.",
        )
    if node.named:
        yield from _names(node, path)
    if node.kind == "fixed" and node.size > MAX_SIZE:
        yield (
            "FIXED_SIZE_TOO_LARGE",
            path,
            node,
            f"The fixed {node.fullname} has size {_digits(node.size)}, more than {MAX_SIZE} bytes (2^31-1).",
        )
    why = problem(node)
    if why is not None:
        yield "LOGICAL_TYPE_INVALID", path, node, f"Readers ignore the logical type {node.logical!r}: {why}."


def _field_default(field: Field, path: Path) -> Iterator[SingleHit]:
    kind = field.type
    found = default_problem(kind, field.default)
    if found is not None:
        yield "INVALID_DEFAULT", path, field, f"the default of the field {field.name!r} is invalid: {found}."
    elif kind.kind == "union" and kind.branches and default_problem(kind.branches[0], field.default) is not None:
        first = kind.branches[0].fullname or kind.branches[0].kind
        yield (
            "UNION_DEFAULT_NOT_FIRST_BRANCH",
            path,
            field,
            f"the default of the field {field.name!r} does not match the union's first branch ({first}).",
        )


def _digits(number: int) -> str:
    """``number`` for a message, shortened when it is long."""
    text = str(number)
    return text if len(text) <= 20 else f"{text[:6]}... ({len(text)} digits)"


def _names(node: Node, path: Path) -> Iterator[SingleHit]:
    parts = [*node.namespace.split("."), node.name] if node.namespace else [node.name]
    bad = [part for part in parts if not _STRICT.match(part)]
    if bad:
        yield (
            "NAME_NOT_PORTABLE",
            path,
            node,
            f"The name {node.fullname!r} is not a valid Avro full name ({', '.join(repr(b) for b in bad)}).",
        )
    relative = [alias for alias in node.raw_aliases if "." not in alias]
    if relative and node.namespace:
        yield (
            "RELATIVE_ALIAS",
            path,
            node,
            f"the aliases {', '.join(relative)} of {node.fullname} are relative to the namespace {node.namespace}.",
        )

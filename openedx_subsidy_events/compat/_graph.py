"""What needs the whole graph of a schema: fingerprints, union and recursion checks, traversal.

Kept apart from the reading in :mod:`._schema`; these functions only look at node attributes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ..exceptions import SchemaError

if TYPE_CHECKING:
    from ._schema import Node

__all__ = ["PRIMITIVES", "PRIMITIVE_FP", "check_finite", "fingerprint", "iter_nodes"]

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
PRIMITIVE_FP = {kind: hashlib.blake2b(kind.encode(), digest_size=16).hexdigest() for kind in PRIMITIVES}
"""The fingerprint of each primitive type without a logical type, set when the node is read."""


def _children(node: Node) -> Iterator[Node]:
    if node.kind == "record":
        yield from (field.type for field in node.fields)
    elif node.kind in ("array", "map"):
        yield node.items
    elif node.kind == "union":
        yield from node.branches


def iter_nodes(root: Node) -> Iterator[Node]:
    """Every node reachable from ``root``, each named type once, without recursion."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.named:
            if id(node) in seen:
                continue
            seen.add(id(node))
        yield node
        stack.extend(reversed(list(_children(node))))


def _check_union(node: Node) -> None:
    """A union may not list one type twice (unnamed types by kind, named types by full name)."""
    seen: dict[str, int] = {}
    for index, branch in enumerate(node.branches):
        key = branch.fullname if branch.named else branch.kind
        if key in seen:
            raise SchemaError(
                node.source,
                f"a union lists {key!r} twice (branches {seen[key]} and {index})",
                pointer=node.pointer,
                rule="INVALID_SCHEMA",
            )
        seen[key] = index


def check_finite(named: Sequence[Node]) -> None:
    """A record that must contain itself has no finite value: no datum can ever be written."""
    records = [node for node in named if node.kind == "record"]
    finite: set[int] = set()
    changed = True

    def ok(node: Node) -> bool:
        if node.kind == "record":
            return node.fp is not None or id(node) in finite
        if node.kind == "union":
            return any(ok(branch) for branch in node.branches)
        return True

    while changed:
        changed = False
        for record in records:
            if id(record) not in finite and all(ok(field.type) for field in record.fields):
                finite.add(id(record))
                changed = True
    for record in records:
        if id(record) not in finite:
            raise SchemaError(
                record.source,
                f"the recursive record {record.fullname!r} always contains itself, so no value of it can be written",
                pointer=record.pointer,
                rule="RECURSIVE_SCHEMA",
            )


def fingerprint(root: Node) -> str | None:
    """A digest of what resolution and the change rules look at (not docs); ``None`` if recursive.

    Equal digests must mean equal sub-schemas, so a node that is, or contains, a recursive type
    has none: the walkers handle those the slow way.
    """
    return _fp(root, set(), set())


def _fp(node: Node, active: set[int], done: set[int]) -> str | None:
    if node.fp is not None:
        return node.fp
    if node.kind in PRIMITIVE_FP and not node.logical:
        node.fp = PRIMITIVE_FP[node.kind]
        return node.fp
    key = id(node)
    if key in done:
        return node.fp
    if key in active:
        return None
    active.add(key)
    parts: list[str | None] = [node.kind, node.fullname, ",".join(sorted(node.aliases)), node.logical or ""]
    if node.logical or node.kind == "fixed":
        parts.append(repr(sorted((k, repr(v)) for k, v in node.props.items() if k not in ("doc", "aliases"))))
    if node.kind == "enum":
        parts += [",".join(node.symbols), repr(node.default) if node.has_default else "-"]
    for field in node.fields:
        parts += [
            field.name,
            ",".join(field.aliases) if field.aliases else "",
            repr(field.default) if field.has_default else "-",
        ]
        parts.append(_fp(field.type, active, done))
    if node.kind == "union":
        _check_union(node)
    for child in [node.items] if node.kind in ("array", "map") else list(node.branches):
        parts.append(_fp(child, active, done))
    if node.kind == "record":
        keyed = {(f.name, f.type.fp): f for f in node.fields if f.type.fp is not None}
        node.key_field = keyed
        node.field_keys = frozenset(keyed)
        node.open_fields = tuple(f for f in node.fields if f.type.fp is None)
    active.discard(key)
    done.add(key)
    if None in parts:
        node.fp = None
    else:
        # a lone surrogate (JSON allows "\ud800") in an alias or logical type must not crash the digest
        text = "\x00".join(parts)  # type: ignore[arg-type]
        node.fp = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return node.fp

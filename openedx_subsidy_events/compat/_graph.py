"""What needs the whole graph of a schema: fingerprints, union and recursion checks, traversal.

Kept apart from the reading in :mod:`._schema`; these functions only look at node attributes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from ..exceptions import SchemaError
from ._node import PRIMITIVES, Field, Node

__all__ = [
    "PRIMITIVES",
    "PRIMITIVE_FP",
    "PROMOTIONS",
    "check_finite",
    "fingerprint",
    "identity",
    "iter_nodes",
    "has_shadowed_branch",
    "shadows",
]

PROMOTIONS = frozenset(
    {
        ("int", "long"),
        ("int", "float"),
        ("int", "double"),
        ("long", "float"),
        ("long", "double"),
        ("float", "double"),
        ("string", "bytes"),
        ("bytes", "string"),
    }
)
"""(writer, reader) pairs the specification promotes."""
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


def shadows(earlier: Node, later: Node) -> bool:
    """Whether a union's ``earlier`` branch may match a value of its ``later`` one (by promotion or name).

    The specification resolves a writer's value to the *first* reader branch that matches it, so
    such a union reads values of the later branch as the earlier one whenever it resolves, even
    against itself. Erring on the side of yes only costs speed (see :func:`fingerprint`).
    """
    if (later.kind, earlier.kind) in PROMOTIONS:
        return True
    return earlier.named and earlier.kind == later.kind and (earlier.name == later.name or bool(earlier.aliases))


def has_shadowed_branch(branches: Sequence[Node]) -> bool:
    """Whether some branch is shadowed by an earlier one (:func:`shadows`), in one pass over the branches.

    Kept by what :func:`shadows` compares (kinds seen, names seen per kind, kinds with an aliased
    branch), so a union of thousands of branches costs no more than thousands of branches.
    """
    kinds: set[str] = set()
    names: set[tuple[str, str]] = set()
    aliased: set[str] = set()
    for branch in branches:
        if any((branch.kind, kind) in PROMOTIONS for kind in kinds):
            return True
        if branch.named and ((branch.kind, branch.name) in names or branch.kind in aliased):
            return True
        kinds.add(branch.kind)
        if branch.named:
            names.add((branch.kind, branch.name))
            if branch.aliases:
                aliased.add(branch.kind)
    return False


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

    Equal digests must mean equal sub-schemas that resolve against each other without a finding,
    so a node that is, or contains, a recursive type or a union with a shadowed branch (see
    :func:`shadows`) has none: the walkers handle those the slow way.
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
    parts: list[str | None] = _own_parts(node)
    if node.kind == "record":
        keyed: dict[tuple[str, str], Field] = {}
        unkeyed: list[Field] = []
        for field in node.fields:
            child = field.type
            fp = child.fp if child.fp is not None else _fp(child, active, done)
            parts += _field_parts(field)
            parts.append(fp)
            if fp is None:
                unkeyed.append(field)
            else:
                keyed[(field.name, fp)] = field
        node.key_field = keyed
        node.field_keys = frozenset(keyed)
        node.open_fields = tuple(unkeyed)
    elif node.kind == "union":
        _check_union(node)
        if has_shadowed_branch(node.branches):
            parts.append(None)  # resolving it against itself may still promote a value: never skip it
        parts += [_fp(child, active, done) for child in node.branches]
    elif node.kind in ("array", "map"):
        parts.append(_fp(node.items, active, done))
    active.discard(key)
    done.add(key)
    node.fp = None if None in parts else _digest(parts)  # type: ignore[arg-type]
    return node.fp


def _own_parts(node: Node) -> list[str | None]:
    """What a node's digest says about the node itself (its fields' and children's types aside)."""
    parts: list[str | None] = [node.kind, node.fullname, ",".join(sorted(node.aliases)), node.logical or ""]
    if node.logical or node.kind == "fixed":
        parts.append(repr(sorted((k, repr(v)) for k, v in node.props.items() if k not in ("doc", "aliases"))))
    if node.kind == "enum":
        parts += [",".join(node.symbols), repr(node.default) if node.has_default else "-"]
    return parts


def _field_parts(field: Field) -> list[str | None]:
    return [
        field.name,
        ",".join(field.aliases) if field.aliases else "",
        repr(field.default) if field.has_default else "-",
    ]


def _digest(parts: list[str]) -> str:
    # a lone surrogate (JSON allows "\ud800") in an alias or logical type must not crash the digest
    text = "\x00".join(parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def identity(root: Node) -> str:
    """A digest equal for two schemas exactly when resolution and the change rules see them as equal.

    The fingerprint where there is one; for a schema with a recursive type, a digest of its graph
    written depth first, each named type in full the first time and as a back-reference after
    (the way Avro's canonical form names a type it has already written). Either way it covers every
    named type the schema uses, whichever file defines it. Call it after :func:`fingerprint`.
    """
    if root.fp is not None:
        return root.fp
    if root.identity is not None:
        return root.identity
    order: dict[int, int] = {}
    parts: list[str] = []
    stack: list[Node | str] = [root]
    while stack:  # iterative: a long chain of named types must not exhaust the interpreter's stack
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        if item.fp is not None:
            parts.append(item.fp)
            continue
        if item.named and id(item) in order:
            parts.append(f"#{order[id(item)]}")
            continue
        if item.named:
            order[id(item)] = len(order)
        parts.append("(")
        parts += [p or "" for p in _own_parts(item)]
        children: list[Node | str] = []
        for field in item.fields:
            children += [p or "" for p in _field_parts(field)]
            children.append(field.type)
        if item.kind in ("array", "map"):
            children.append(item.items)
        children += item.branches
        children.append(")")
        stack.extend(reversed(children))
    root.identity = _digest(parts)
    return root.identity

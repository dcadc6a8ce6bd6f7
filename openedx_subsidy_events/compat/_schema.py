"""Our own reading of Avro schema JSON into a graph of nodes the walkers share.

Why not fastavro's or avro's parsed form: the linter needs every node's JSON pointer, the file it
came from, aliases resolved to full names as the specification says, names checked leniently
(so that a hyphen is a portability finding, not a crash), and a fingerprint per node so that
identical sub-schemas are skipped in O(1). Invalid schemas raise :class:`SchemaError`; anything
else that would only make a reader lose information is left to the rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

from ..exceptions import SchemaError
from ._graph import PRIMITIVE_FP, check_finite, fingerprint
from ._node import PRIMITIVES, UNSET, Field, Node

__all__ = ["SchemaSet", "parse"]

MAX_DEPTH = 200
"""JSON nested deeper than this is refused: no real schema comes near it, and walking it would
exhaust the interpreter's stack."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_FIELD_NAMES: set[str] = set()
"""Field names already found valid: the same few hundred names recur in every schema of a project."""
_FIELD_NAMES_KEPT = 100_000
_ABSENT = object()
_LENIENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*\Z")
_SYMBOL = _NAME


class _Ref:
    """A name used before it could be looked up; replaced once every document is read."""

    __slots__ = ("name", "namespace", "pointer", "source")

    def __init__(self, name: str, namespace: str, pointer: str, source: str | None) -> None:
        self.name = name
        self.namespace = namespace
        self.pointer = pointer
        self.source = source


class SchemaSet:
    """Documents read together, so that one may use a named type another defines.

    A name resolves to the definition in the same document first; otherwise to the one other
    document that defines it (several identical definitions count as one). Of the stored versions
    of one subject, only the latest version that defines the name counts: a type shared through
    its own subject (``common/1.avsc``, ``common/2.avsc``) is used in its latest form.
    """

    def __init__(self) -> None:
        self.borrowers: set[str | None] = set()
        """The documents that use a named type another document defines (known after :meth:`resolve`)."""
        self._local: dict[str | None, dict[str, Node]] = {}
        self._pending: list[tuple[object, str, _Ref]] = []
        self._roots: dict[str | None, Node | _Ref] = {}
        self._versions: dict[str | None, tuple[str, int]] = {}

    def add(self, document: Any, source: str | None, *, subject: str = "", version: int | None = None) -> None:
        """Read one parsed JSON document (the contents of one ``.avsc``) from ``source``.

        ``version`` is the stored version number when ``source`` is one of ``subject``'s versions.
        """
        if source in self._roots:
            raise SchemaError(source, "the same file was read twice", rule="INVALID_SCHEMA")
        if version is not None:
            self._versions[source] = (subject, version)
        reader = _Reader(source, self._local.setdefault(source, {}), self._pending)
        try:
            root = reader.node(document, "", "", 0)
        except RecursionError:
            raise SchemaError(source, "the schema is nested too deeply", rule="INVALID_SCHEMA") from None
        self._roots[source] = root

    def resolve(self) -> dict[str | None, Node]:
        """Look up every name, check what needs the whole graph, and return each document's root."""
        everywhere: dict[str, list[Node]] = {}
        for nodes in self._local.values():
            for fullname, node in nodes.items():
                everywhere.setdefault(fullname, []).append(node)
        for holder, slot, ref in self._pending:
            node = self._lookup(ref, everywhere)
            if isinstance(holder, Field):
                holder.type = node
            elif isinstance(holder, Node) and slot == "items":
                holder.items = node
            elif isinstance(holder, Node) and slot.startswith("branch:"):
                branches = list(holder.branches)
                branches[int(slot[7:])] = node
                holder.branches = tuple(branches)
        self._pending.clear()
        roots = {
            source: self._lookup(root, everywhere) if isinstance(root, _Ref) else root
            for source, root in self._roots.items()
        }
        for source, root in roots.items():
            try:
                fingerprint(root)
            except RecursionError:
                reason = "named types refer to each other too deeply"
                raise SchemaError(source, reason, pointer=root.pointer, rule="INVALID_SCHEMA") from None
        # only recursive records (those without a fingerprint) can fail to have a finite value
        check_finite([node for nodes in self._local.values() for node in nodes.values() if node.fp is None])
        return roots

    def _latest(self, found: list[Node]) -> list[Node]:
        """The definitions that count: of those in one subject's stored versions, only the latest one."""
        if len(found) < 2:
            return found
        latest: dict[str, tuple[int, Node]] = {}
        others: list[Node] = []
        for node in found:
            place = self._versions.get(node.source)
            if place is None:
                others.append(node)
            elif place[0] not in latest or place[1] > latest[place[0]][0]:
                latest[place[0]] = (place[1], node)
        return [*others, *(node for _, node in latest.values())]

    def _lookup(self, ref: _Ref, everywhere: Mapping[str, list[Node]]) -> Node:
        local = self._local.get(ref.source, {})
        candidates = [ref.name] if "." in ref.name else ([f"{ref.namespace}.{ref.name}"] if ref.namespace else [])
        if "." not in ref.name:
            candidates.append(ref.name)
        for name in candidates:
            if name in local:
                return local[name]
        self.borrowers.add(ref.source)
        for name in candidates:
            found = self._latest(everywhere.get(name, []))
            if len(found) == 1:
                return found[0]
            if found:
                if all(node.props == found[0].props for node in found):
                    return found[0]
                files = ", ".join(sorted(str(node.source) for node in found))
                raise SchemaError(
                    ref.source,
                    f"the named type {name!r} is defined differently in several files ({files}); keep one "
                    "definition, or keep its versions as one subject's <subject>/<n>.avsc, whose latest is used",
                    pointer=ref.pointer,
                    rule="AMBIGUOUS_NAMED_TYPE",
                )
        raise SchemaError(
            ref.source, f"unknown named type {ref.name!r}", pointer=ref.pointer, rule="UNKNOWN_NAMED_TYPE"
        )


class _Reader:
    """Reads one document; named types go to ``local``, forward references to ``pending``."""

    def __init__(self, source: str | None, local: dict[str, Node], pending: list[tuple[object, str, _Ref]]) -> None:
        self.source = source
        self.local = local
        self.pending = pending

    def fail(self, pointer: str, reason: str) -> SchemaError:
        return SchemaError(self.source, reason, pointer=pointer, rule="INVALID_SCHEMA")

    def node(self, raw: Any, pointer: str, namespace: str, depth: int) -> Node | _Ref:
        if depth > MAX_DEPTH:
            raise self.fail(pointer, f"the schema is nested more than {MAX_DEPTH} levels deep")
        if isinstance(raw, str):
            return self.named_or_primitive(raw, pointer, namespace)
        if isinstance(raw, list):
            return self.union(raw, pointer, namespace, depth)
        if not isinstance(raw, dict):
            raise self.fail(pointer, f"a schema is a string, an object or an array, not {type(raw).__name__}")
        kind = raw.get("type")
        if isinstance(kind, (dict, list)):
            if len(raw) == 1 or set(raw) <= {"type", "doc"}:
                return self.node(kind, pointer + "/type", namespace, depth + 1)
            raise self.fail(pointer + "/type", "a nested type must not carry other attributes")
        if not isinstance(kind, str):
            raise self.fail(pointer, 'the "type" attribute is missing or not a string')
        if kind in PRIMITIVES:
            return self.primitive(kind, raw, pointer)
        if kind in ("record", "error"):
            return self.record(raw, pointer, namespace, depth)
        if kind == "enum":
            return self.enum(raw, pointer, namespace)
        if kind == "fixed":
            return self.fixed(raw, pointer, namespace)
        if kind == "array":
            node = Node("array", pointer, self.source)
            node.items = self.child(raw, "items", node, "items", pointer, namespace, depth)
            node.props = raw
            return node
        if kind == "map":
            node = Node("map", pointer, self.source)
            node.items = self.child(raw, "values", node, "items", pointer, namespace, depth)
            node.props = raw
            return node
        return self.named_or_primitive(kind, pointer + "/type", namespace)

    def child(
        self, raw: Mapping[str, Any], key: str, holder: Node, slot: str, pointer: str, ns: str, depth: int
    ) -> Node:
        if key not in raw:
            raise self.fail(pointer, f'the "{key}" attribute is missing')
        child = self.node(raw[key], f"{pointer}/{key}", ns, depth + 1)
        return self.defer(child, holder, slot)

    def defer(self, child: Node | _Ref, holder: object, slot: str) -> Node:
        if isinstance(child, _Ref):
            self.pending.append((holder, slot, child))
            return UNSET
        return child

    def named_or_primitive(self, name: str, pointer: str, namespace: str) -> Node | _Ref:
        if name in PRIMITIVES:
            node = Node(name, pointer, self.source)
            node.fp = PRIMITIVE_FP[name]
            return node
        if not name or any(not part for part in name.split(".")):
            raise self.fail(pointer, f"{name!r} is not a type name")
        return _Ref(name, namespace, pointer, self.source)

    def primitive(self, kind: str, raw: Mapping[str, Any], pointer: str) -> Node:
        node = Node(kind, pointer, self.source)
        node.props = raw
        logical = raw.get("logicalType")
        node.logical = logical if isinstance(logical, str) else None
        return node

    def union(self, raw: list[Any], pointer: str, namespace: str, depth: int) -> Node:
        node = Node("union", pointer, self.source)
        branches: list[Node] = []
        for index, item in enumerate(raw):
            if isinstance(item, list):
                raise self.fail(f"{pointer}/{index}", "a union cannot contain a union directly")
            child = self.node(item, f"{pointer}/{index}", namespace, depth + 1)
            if isinstance(child, Node) and child.kind == "union":  # {"type": [...]} is a union too
                raise self.fail(child.pointer, "a union cannot contain a union directly")
            branches.append(child if isinstance(child, Node) else UNSET)
            if isinstance(child, _Ref):
                self.pending.append((node, f"branch:{index}", child))
        node.branches = tuple(branches)
        return node

    def define(self, raw: Mapping[str, Any], pointer: str, namespace: str, kind: str) -> Node:
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise self.fail(pointer, f'a {kind} needs a "name"')
        own_ns = raw.get("namespace")
        if own_ns is not None and not isinstance(own_ns, str):
            raise self.fail(pointer + "/namespace", '"namespace" must be a string')
        if "." in name:
            space, _, short = name.rpartition(".")
        else:
            space, short = (own_ns if own_ns is not None else namespace), name
        for part in ([*space.split(".")] if space else []) + [short]:
            if not _LENIENT.match(part):
                raise self.fail(pointer + "/name", f"{part!r} is not a valid name")
        if short in PRIMITIVES:
            raise self.fail(pointer + "/name", f"{short!r} is a primitive type and cannot be redefined")
        node = Node("record" if kind == "error" else kind, pointer, self.source)
        node.named = True
        node.name, node.namespace = short, space
        node.fullname = f"{space}.{short}" if space else short
        if node.fullname in self.local:
            raise self.fail(pointer + "/name", f"the named type {node.fullname!r} is defined twice")
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            raise self.fail(pointer + "/aliases", '"aliases" must be a list of names')
        node.raw_aliases = tuple(aliases)
        node.aliases = frozenset(a if "." in a or not space else f"{space}.{a}" for a in aliases)
        node.doc = raw.get("doc")
        node.props = raw
        self.local[node.fullname] = node
        return node

    def record(self, raw: Mapping[str, Any], pointer: str, namespace: str, depth: int) -> Node:
        node = self.define(raw, pointer, namespace, "record")
        fields = raw.get("fields")
        if not isinstance(fields, list):
            raise self.fail(pointer, 'a record needs a "fields" list')
        built: list[Field] = []
        by_name: dict[str, Field] = {}
        node.by_name = by_name
        source, space, inner = self.source, node.namespace, depth + 1
        for index, item in enumerate(fields):
            where = f"{pointer}/fields/{index}"
            if not isinstance(item, dict):
                raise self.fail(where, "a field must be an object")
            name = cast(str, item.get("name"))  # checked next
            if name.__class__ is not str or name not in _FIELD_NAMES:
                self.field_name(name, where)
            if name in by_name:
                raise self.fail(where + "/name", f"the field {name!r} is defined twice")
            aliases = item.get("aliases", ())
            if aliases and (not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases)):
                raise self.fail(where + "/aliases", '"aliases" must be a list of names')
            kind = item.get("type", _ABSENT)
            if kind is _ABSENT:
                raise self.fail(where, f'the field {name!r} has no "type"')
            field = Field(name, index, where, item, source)
            if kind.__class__ is str and kind in PRIMITIVE_FP:  # most fields: no call, no lookup
                child = Node(kind, where + "/type", source)
                child.fp = PRIMITIVE_FP[kind]
                field.type = child
            else:
                field.type = self.defer(self.node(kind, where + "/type", space, inner), field, "type")
            by_name[name] = field
            built.append(field)
        node.fields = tuple(built)
        return node

    def field_name(self, name: object, where: str) -> None:
        """Check a field name not seen before; remember it when valid."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise self.fail(where + "/name", f"{name!r} is not a valid field name")
        if len(_FIELD_NAMES) < _FIELD_NAMES_KEPT:
            _FIELD_NAMES.add(name)

    def enum(self, raw: Mapping[str, Any], pointer: str, namespace: str) -> Node:
        node = self.define(raw, pointer, namespace, "enum")
        symbols = raw.get("symbols")
        if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
            raise self.fail(pointer, 'an enum needs a "symbols" list of strings')
        if len(set(symbols)) != len(symbols):
            raise self.fail(pointer + "/symbols", "an enum symbol is listed twice")
        for index, symbol in enumerate(symbols):
            if not _SYMBOL.match(symbol):
                raise self.fail(f"{pointer}/symbols/{index}", f"{symbol!r} is not a valid enum symbol")
        node.symbols = tuple(symbols)
        node.has_default = "default" in raw
        node.default = raw.get("default")
        return node

    def fixed(self, raw: Mapping[str, Any], pointer: str, namespace: str) -> Node:
        node = self.define(raw, pointer, namespace, "fixed")
        size = raw.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise self.fail(pointer, 'a fixed needs a non-negative integer "size"')
        node.size = size
        logical = raw.get("logicalType")
        node.logical = logical if isinstance(logical, str) else None
        return node


def parse(document: Any, *, source: str | None = None) -> Node:
    """Read one self-contained schema (already parsed JSON); :class:`SchemaError` if invalid."""
    schemas = SchemaSet()
    schemas.add(document, source)
    return schemas.resolve()[source]

"""The linter's model of an Avro schema: a graph of nodes (one per type at one place) and record fields.

The bottom of the linter: :mod:`._graph` computes fingerprints and checks over these nodes, and
:mod:`._schema` builds them from schema JSON, so both depend on this module and not on each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["NAMED", "PRIMITIVES", "UNSET", "Field", "JsonConstant", "Node", "node_name"]

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
NAMED = frozenset({"record", "error", "enum", "fixed"})


class JsonConstant(float):
    """``NaN``, ``Infinity`` or ``-Infinity`` as Python's JSON reader accepts them; JSON has no such numbers.

    Kept as a float (so a schema still loads) that remembers its spelling, so that the default
    rules can report it instead of treating it as a number.
    """

    text: str

    def __new__(cls, text: str) -> JsonConstant:
        self = super().__new__(cls, text)
        self.text = text
        return self


class Field:
    """One field of a record, with its position in the record and in the document."""

    __slots__ = ("aliases", "default", "doc", "has_default", "index", "name", "pointer", "source", "type")

    def __init__(self, name: str, index: int, pointer: str, raw: Mapping[str, Any], source: str | None = None) -> None:
        self.source = source
        self.name = name
        self.index = index
        self.pointer = pointer
        self.type: Node = UNSET
        self.has_default = "default" in raw
        self.default: Any = raw.get("default")
        self.doc = raw.get("doc")
        aliases = raw.get("aliases", [])
        self.aliases: tuple[str, ...] = tuple(aliases)


class Node:
    """One Avro type at one place. Named types are shared by every reference to them.

    Attributes that a kind does not use keep the class-level defaults, so that building the
    ~50 nodes of a typical schema sets only what each one needs.
    """

    fp: str | None = None
    identity: str | None = None
    """The digest of a recursive schema's whole graph, once :func:`._graph.identity` computed it."""
    named = False
    """Whether this is a record, enum or fixed (which match by name)."""
    name = ""
    namespace = ""
    fullname = ""
    aliases: frozenset[str] = frozenset()
    raw_aliases: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    by_name: Mapping[str, Field] = {}
    symbols: tuple[str, ...] = ()
    has_default = False
    default: Any = None
    size = 0
    branches: tuple[Node, ...] = ()
    logical: str | None = None
    props: Mapping[str, Any] = {}
    doc: Any = None
    field_keys: frozenset[tuple[str, str]] = frozenset()
    """(name, type fingerprint) of each record field whose type has one: set algebra finds what changed."""
    key_field: Mapping[tuple[str, str], Field] = {}
    open_fields: tuple[Field, ...] = ()
    """Record fields whose type has no fingerprint (recursive): always walked."""

    def __init__(self, kind: str, pointer: str, source: str | None) -> None:
        self.kind = kind
        self.pointer = pointer
        self.source = source

    items: Node  # arrays' items and maps' values; the shared placeholder for every other kind

    def __repr__(self) -> str:
        label = self.fullname or self.kind
        return f"<Node {label} at {self.pointer or '/'}>"


UNSET = Node("null", "", None)
"""The placeholder type of a field or branch not resolved yet, and the items of every non-container node."""
Node.items = UNSET


def node_name(node: Node) -> str:
    """How a type is named in messages: the full name of a named type, else its kind."""
    return node.fullname or node.kind

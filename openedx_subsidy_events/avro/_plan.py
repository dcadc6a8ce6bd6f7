"""How the bytes of one writer schema become a payload: Avro schema resolution, decided once, as data.

For a (writer, reader) pair the plan lists the writer's fields in the order their bytes come (a
record's bytes are its fields' bytes, so the envelope's and the payload's fields are one sequence),
each either read into a payload attribute or skipped. A read field says, for each type the writer
may have written there (each branch of a union), which wire type to read and what Python type to
make of it, or why the reader cannot take it (specification, "Schema Resolution": ``int`` promotes to
``long``, ``bytes`` to ``string``, a reader union takes the first branch that matches). From a plan,
``_decoder`` generates the fast decoder and builds the careful one.

The reader is always a schema of the codec's payload class (its current schema, perhaps with the
writer's namespace, as the Kafka consumer passes it); the writer may be any schema: fields the reader
does not know, of any type, are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import fastavro

from ..exceptions import SchemaError
from ._compile import field_setter
from ._schema import WIRE_TYPES

__all__ = ["PRIMITIVES", "Branch", "Plan", "Step", "resolve", "type_name"]

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_PROMOTIONS = {"long": ("int", "long"), "string": ("string", "bytes"), "boolean": ("boolean",)}
"""The writer types each reader type of a payload field reads (itself, and what promotes to it)."""


@attrs.frozen
class Branch:
    """One type the writer may have written into a payload field, and how it is read.

    Attributes:
        wire: the writer's type: a primitive name, or ``record``, ``enum``, ``array``, ...
        kind: the payload attribute's Python type made from it; ``None`` for a null.
        error: why the reader cannot take this type (then nothing is read), or ``None``.

    """

    wire: str
    kind: type | None
    error: str | None = None


@attrs.frozen
class Step:
    """One field of the writer, in the order its bytes come.

    Attributes:
        path: the field's dotted path, for errors (``license_assignment.lms_user_id``).
        writer: the writer's type of the field (a parsed fastavro node).
        slot: the index of the payload attribute it fills, or ``None`` when the reader skips it.
        branches: how each type the writer may have written is read (one per union branch).
        union: whether the writer's type is a union (its bytes start with a branch index).

    """

    path: str
    writer: Any
    slot: int | None
    branches: tuple[Branch, ...] = ()
    union: bool = False


@attrs.frozen
class Plan:
    """The resolution of a writer schema to a payload class.

    Attributes:
        payload_type: the attrs class made.
        setters: each attribute's setter (its slot's), by slot.
        steps: the writer's fields in the order of their bytes.
        named: the writer's named types by full name (for skipping references to them).
        error: why no bytes of this writer can be read as the payload (then ``steps`` is empty).

    Attributes the writer does not have are left ``None`` (the reader's default).

    """

    payload_type: type
    setters: tuple[Callable[[Any, Any], None], ...]
    steps: tuple[Step, ...]
    named: Mapping[str, Any]
    error: str | None = None


@attrs.frozen
class _Wanted:
    """A payload field as the reader describes it."""

    slot: int
    kind: type
    base: str
    nullable: bool
    default_null: bool


def type_name(node: Any, named: Mapping[str, Any]) -> str:
    """The type of a parsed schema node: a primitive name, ``union``, or ``record``, ``enum``, ``array``, ..."""
    if isinstance(node, list):
        return "union"
    if isinstance(node, str):
        return node if node in PRIMITIVES else str(named[node]["type"])
    return str(node["type"])


def _named(node: Any, named: Mapping[str, Any]) -> Any:
    return named[node] if isinstance(node, str) and node not in PRIMITIVES else node


def _short_name(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _names(node: Mapping[str, Any]) -> set[str]:
    """A reader record's or field's unqualified name and aliases (records match by unqualified name)."""
    return {_short_name(name) for name in [node["name"], *node.get("aliases", ())]}


def _reader_type(node: Any) -> tuple[str, bool] | None:
    """``(base, nullable)`` of a reader field's type: ``"long"``, ``["null", "long"]``; ``None`` for others."""
    if isinstance(node, dict) and node.get("type") in PRIMITIVES:
        node = node["type"]
    if isinstance(node, str):
        return node, False
    if isinstance(node, list) and len(node) == 2 and "null" in node:
        other = node[1] if node[0] == "null" else node[0]
        return (other, True) if isinstance(other, str) else None
    return None


def _describe_reader(reader: Any, payload_type: type, data_key: str) -> tuple[Any, Any, dict[str, _Wanted]]:
    """The reader's envelope record, its payload field, and the payload fields it describes, by name and alias."""

    def mismatch(reason: str) -> SchemaError:
        return SchemaError(None, f"the reader schema does not describe {payload_type.__name__}: {reason}")

    named = reader.get("__named_schemas", {}) if isinstance(reader, dict) else {}
    fields = reader.get("fields") if isinstance(reader, dict) and reader.get("type") == "record" else None
    if not fields or len(fields) != 1 or fields[0]["name"] != data_key:
        raise mismatch(f"it is not a record with the one field {data_key!r}")
    record = _named(fields[0]["type"], named)
    if not isinstance(record, dict) or record.get("type") != "record":
        raise mismatch(f"its field {data_key!r} is not a record")
    attributes: dict[str, tuple[int, attrs.Attribute[Any] | None]] = {
        a.name: (slot, a) for slot, a in enumerate(attrs.fields(payload_type))
    }
    wanted: dict[str, _Wanted] = {}
    for field in record["fields"]:
        slot, attribute = attributes.get(field["name"], (-1, None))
        kind, shape = None if attribute is None else attribute.type, _reader_type(field["type"])
        if attribute is None or kind is None or shape is None or WIRE_TYPES.get(kind) != shape[0]:
            raise mismatch(f"its field {field['name']!r} is not one of the class's, with its type")
        if shape[1] != (attribute.default is None):
            raise mismatch(f"its field {field['name']!r} is optional where the class's is not, or the reverse")
        union = field["type"]
        default_null = field.get("default", "") is None and isinstance(union, list) and union[0] == "null"
        for name in _names(field):
            wanted.setdefault(name, _Wanted(slot, kind, shape[0], shape[1], default_null))
    if {w.slot for w in wanted.values()} != {slot for slot, _ in attributes.values()}:
        raise mismatch("it does not have every field of the class")
    return reader, fields[0], wanted


def _branch(node: Any, field: _Wanted, named: Mapping[str, Any]) -> Branch:
    wire = type_name(node, named)
    if wire == "null" and field.nullable:
        return Branch("null", None)
    if wire in _PROMOTIONS[field.base]:
        return Branch(wire, field.kind)
    return Branch(wire, None, f"the writer's {wire} cannot be read as {field.base}")


def resolve(writer: Any, reader: Any, payload_type: type, data_key: str) -> Plan:
    """The plan of reading bytes of ``writer`` as ``reader``, a schema of ``payload_type`` (parsed or not).

    :class:`SchemaError` if the reader does not describe the payload class; a writer that cannot be
    read as the reader gives a plan with an ``error`` (every decoding then fails with it).
    """
    writer, reader = _parse(writer, "writer"), _parse(reader, "reader")
    envelope, data_field, wanted = _describe_reader(reader, payload_type, data_key)
    setters = tuple(field_setter(payload_type, a.name) for a in attrs.fields(payload_type))
    named: Mapping[str, Any] = writer.get("__named_schemas", {}) if isinstance(writer, dict) else {}

    def failed(reason: str) -> Plan:
        return Plan(payload_type, setters, (), named, reason)

    def unlike(node: Any, names: set[str], what: str) -> str | None:
        kind = type_name(node, named)
        if kind != "record":
            return f"the writer's {what} is a {kind}, not a record"
        if _short_name(_named(node, named)["name"]) not in names:
            return f"the writer's {what} record is {_named(node, named)['name']}, not {sorted(names)[0]}"
        return None

    problem = unlike(writer, _names(envelope), "schema")
    if problem:
        return failed(problem)
    steps: list[Step] = []
    payload_fields = None
    for field in writer["fields"]:
        if payload_fields is None and field["name"] in _names(data_field):
            problem = unlike(field["type"], _names(_named(data_field["type"], reader["__named_schemas"])), data_key)
            if problem:
                return failed(problem)
            payload_fields = _named(field["type"], named)["fields"]
            steps += _payload_steps(payload_fields, wanted, named, data_key)
        else:
            steps.append(Step(field["name"], field["type"], None))
    if payload_fields is None:
        return failed(f"the writer schema has no field {data_key!r}")
    read = {step.slot for step in steps}
    for name, field in wanted.items():
        if field.slot not in read and not field.default_null:
            return failed(f"the writer has no field {data_key}.{name}, and the reader's default for it is not null")
    return Plan(payload_type, setters, tuple(steps), named)


def _parse(schema: Any, role: str) -> Any:
    try:
        return fastavro.parse_schema(schema)
    except Exception as error:  # fastavro raises several unrelated types for invalid schemas
        raise SchemaError(None, f"the {role} schema is not valid Avro: {error}") from None


def _payload_steps(
    fields: list[Any], wanted: dict[str, _Wanted], named: Mapping[str, Any], data_key: str
) -> list[Step]:
    steps = []
    taken: set[int] = set()
    for field in fields:
        path = f"{data_key}.{field['name']}"
        target = wanted.get(field["name"])
        if target is None or target.slot in taken:
            steps.append(Step(path, field["type"], None))
            continue
        taken.add(target.slot)
        node = field["type"]
        if isinstance(node, list):
            steps.append(Step(path, node, target.slot, tuple(_branch(b, target, named) for b in node), union=True))
        else:
            steps.append(Step(path, node, target.slot, (_branch(node, target, named),)))
    return steps

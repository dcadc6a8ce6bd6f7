"""JSON Schema (2020-12) of every published event version, for the JSON form of its record.

The JSON form is the record as :meth:`~openedx_subsidy_events.EventDefinition.to_record` gives it
and as Avro libraries show decoded bytes: ``{data_key: {field: value}}``, UUIDs and datetimes as
strings, longs as integers. It is not Avro's own JSON *encoding*, which wraps every non-null union
value in an object naming its branch.

Each schema is derived from the published Avro schema of one minor version, so it says exactly what
that version carries: every field without a default is required, optional fields (``["null", T]``
with default ``null``) are nullable and may be left out, no other key is allowed. A UUID or a
datetime also carries a ``pattern`` (its canonical form; a UTC offset), so that a validator that
treats ``format`` as an annotation only still rejects a malformed one. The payload record is in
``$defs`` under its name, to validate a payload on its own. Only standard keywords are used (a field's
sensitivity is its ``$comment``), so strict validators (ajv's default mode) take the schemas.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .._payload import LONG_MAX, LONG_MIN
from .._text import UTC_DATE_TIME_PATTERN, UUID_PATTERN
from ..avro._schema import FORMAT_ATTRIBUTE, SENSITIVITY_ATTRIBUTE
from ..events import EventDefinition, all_events
from ..exceptions import SchemaError, UnknownSchemaVersion

__all__ = ["DIALECT", "avro_to_json_schema", "iter_json_schemas", "json_schema", "json_schema_files"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The ``$schema`` of every exported schema: JSON Schema 2020-12."""

_STRING_FORMATS = {
    "uuid": {"format": "uuid", "pattern": UUID_PATTERN},
    "date-time": {"format": "date-time", "pattern": UTC_DATE_TIME_PATTERN},
}
_PRIMITIVES: dict[str, dict[str, Any]] = {
    "null": {"type": "null"},
    "boolean": {"type": "boolean"},
    "int": {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1},
    "long": {"type": "integer", "minimum": LONG_MIN, "maximum": LONG_MAX},
    "float": {"type": "number"},
    "double": {"type": "number"},
    "string": {"type": "string"},
}


class _Converter:
    """Converts one Avro schema; named types after the top one go to ``$defs`` (by name, full name on a clash)."""

    def __init__(self, source: str, *, x_keywords: bool = False) -> None:
        self.source = source
        self.x_keywords = x_keywords
        self.defs: dict[str, Any] = {}
        self.refs: dict[str, str] = {}  # Avro full name -> JSON pointer
        self.root: str | None = None

    def fail(self, reason: str) -> SchemaError:
        return SchemaError(self.source, reason, rule="NOT_EXPORTABLE")

    def convert(self, node: Any, namespace: str = "", *, top: bool = False) -> dict[str, Any]:
        if isinstance(node, str):
            return self.named_or_primitive(node, namespace)
        if isinstance(node, list):
            return self.union(node, namespace)
        if not isinstance(node, Mapping) or "type" not in node:
            raise self.fail(f"{node!r} is not an Avro schema")
        kind = node["type"]
        if kind in ("record", "error", "enum"):
            return self.named(node, namespace, top=top)
        if kind == "array":
            return {"type": "array", "items": self.convert(node["items"], namespace)}
        if kind == "map":
            return {"type": "object", "additionalProperties": self.convert(node["values"], namespace)}
        if kind == "string":
            form = node.get(FORMAT_ATTRIBUTE) or node.get("logicalType")
            return {"type": "string", **_STRING_FORMATS.get(form, {})} if isinstance(form, str) else {"type": "string"}
        if isinstance(kind, str) and kind in _PRIMITIVES:
            return dict(_PRIMITIVES[kind])
        if kind in ("bytes", "fixed"):
            raise self.fail(f"an Avro {kind} has no agreed JSON form; this export does not convert it")
        return self.convert(kind, namespace)  # {"type": <a type>} written out

    def named_or_primitive(self, name: str, namespace: str) -> dict[str, Any]:
        if name in _PRIMITIVES:
            return dict(_PRIMITIVES[name])
        if name in ("bytes", "fixed"):
            raise self.fail(f"an Avro {name} has no agreed JSON form; this export does not convert it")
        full = name if "." in name or not namespace else f"{namespace}.{name}"
        for candidate in (full, name):
            if candidate in self.refs:
                return {"$ref": self.refs[candidate]}
        raise self.fail(f"the type {name!r} is used before it is defined")

    def union(self, branches: list[Any], namespace: str) -> dict[str, Any]:
        converted = [self.convert(branch, namespace) for branch in branches]
        others = [schema for schema in converted if schema != {"type": "null"}]
        if len(others) == 1 and len(converted) == 2 and isinstance(others[0].get("type"), str):
            return {**others[0], "type": [others[0]["type"], "null"]}  # format and pattern apply to strings only
        return {"anyOf": converted}

    def named(self, node: Mapping[str, Any], namespace: str, *, top: bool) -> dict[str, Any]:
        name = node["name"]
        space = node.get("namespace", namespace) if "." not in name else name.rpartition(".")[0]
        full = name if "." in name else (f"{space}.{name}" if space else name)
        short = full.rpartition(".")[2]
        key = short if short not in self.defs else full
        pointer = "#" if top else f"#/$defs/{key}"
        self.refs[full] = pointer
        if node["type"] == "enum":
            schema: dict[str, Any] = {"title": short, "enum": list(node["symbols"])}
            if "doc" in node:
                schema["description"] = node["doc"]
        else:
            schema = self.record(node, space, short)
        if top:
            return schema
        self.defs[key] = schema
        return {"$ref": pointer}

    def record(self, node: Mapping[str, Any], namespace: str, title: str) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required = []
        for field in node["fields"]:
            schema = self.convert(field["type"], namespace)
            form = field.get(FORMAT_ATTRIBUTE)  # the package marks a field's string form beside its type
            if isinstance(form, str) and form in _STRING_FORMATS and "string" in _types(schema):
                schema = {**schema, **_STRING_FORMATS[form]}
            if "doc" in field:
                schema["description"] = field["doc"]
            if field.get(SENSITIVITY_ATTRIBUTE):
                if self.x_keywords:
                    schema[SENSITIVITY_ATTRIBUTE] = field[SENSITIVITY_ATTRIBUTE]
                else:  # an annotation every validator takes; ajv's strict mode refuses unknown keywords
                    schema["$comment"] = f"{SENSITIVITY_ATTRIBUTE}: {field[SENSITIVITY_ATTRIBUTE]}"
            if "default" in field:
                schema["default"] = field["default"]
            else:
                required.append(field["name"])
            properties[field["name"]] = schema
        schema = {"title": title, "type": "object"}
        if "doc" in node:
            schema["description"] = node["doc"]
        return {**schema, "properties": properties, "required": required, "additionalProperties": False}


def _types(schema: Mapping[str, Any]) -> list[Any]:
    kind = schema.get("type")
    return kind if isinstance(kind, list) else [kind]


def avro_to_json_schema(
    schema: Mapping[str, Any], *, source: str = "<schema>", x_keywords: bool = False
) -> dict[str, Any]:
    """A JSON Schema (2020-12) of the JSON form of data written with an Avro schema.

    Converts null, boolean, int, long, float, double, string (with a UUID or date-time form),
    records, enums, arrays, maps and unions; :class:`~openedx_subsidy_events.SchemaError`
    (``NOT_EXPORTABLE``, naming ``source``) for bytes and fixed, whose JSON form no two libraries
    agree on.

    A field's ``x-sensitivity`` (``pii``, ``secret``) becomes its ``$comment`` (``"x-sensitivity: pii"``),
    which strict validators such as ajv accept; with ``x_keywords=True`` it stays an ``x-sensitivity``
    keyword, for tools that read it (ajv then needs ``ajv.addKeyword("x-sensitivity")``).

    .. versionadded:: 0.1.0
    """
    converter = _Converter(source, x_keywords=x_keywords)
    body = converter.convert(schema, top=True)
    document: dict[str, Any] = {"$schema": DIALECT, **body}
    if converter.defs:
        document["$defs"] = converter.defs
    return document


def json_schema(
    definition: EventDefinition[Any], minorversion: int | None = None, *, x_keywords: bool = False
) -> dict[str, Any]:
    """The JSON Schema of one published version of an event's record (default: its current minor).

    :class:`~openedx_subsidy_events.UnknownSchemaVersion` for a minor version that was not published.

    .. versionadded:: 0.1.0
    """
    minor = definition.minor_version if minorversion is None else minorversion
    published = definition.schemas
    if minor not in published:
        raise UnknownSchemaVersion(definition.event_type, minor, sorted(published))
    source = f"schemas/{definition.event_type}/{minor}.avsc"
    document = avro_to_json_schema(published[minor], source=source, x_keywords=x_keywords)
    return {
        "$schema": DIALECT,
        "title": f"{definition.event_type}, minor version {minor}",
        "$comment": f"Generated by openedx-subsidy-events from {source}; the JSON form of the event's record.",
        **{key: value for key, value in document.items() if key not in ("$schema", "title")},
    }


def iter_json_schemas(
    definitions: Iterable[EventDefinition[Any]] | None = None, *, x_keywords: bool = False
) -> Iterator[tuple[EventDefinition[Any], int, dict[str, Any]]]:
    """``(definition, minor, schema)`` for every published minor version of every event, oldest first.

    .. versionadded:: 0.1.0
    """
    for definition in all_events() if definitions is None else definitions:
        for minor in sorted(definition.schemas):
            yield definition, minor, json_schema(definition, minor, x_keywords=x_keywords)


def json_schema_files(
    definitions: Iterable[EventDefinition[Any]] | None = None, *, x_keywords: bool = False
) -> dict[str, str]:
    """The text of every JSON Schema by its path in an export folder: ``<event_type>/<minor>.schema.json``.

    .. versionadded:: 0.1.0
    """
    return {
        f"{definition.event_type}/{minor}.schema.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        for definition, minor, schema in iter_json_schemas(definitions, x_keywords=x_keywords)
    }

"""Generating the Avro schema of an event from its payload class, deterministically.

The shape is the one openedx-events generates (a ``CloudEvent`` record with one field, the data
key, whose type is the payload record, fields in attrs order, optional fields as ``["null", T]``
with default ``null``), so both produce the same bytes. Two deliberate differences, neither
visible on the wire: the namespace is a valid Avro name (openedx-events uses the hyphenated event
type, which the Apache parser rejects), and every field carries its ``doc``, its format and its
sensitivity mark.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import attrs

from .._payload import DOC, SENSITIVITY

__all__ = [
    "ENVELOPE_RECORD_NAME",
    "DescribedEvent",
    "avro_namespace",
    "dumps_schema",
    "event_schema",
    "payload_record_schema",
]

ENVELOPE_RECORD_NAME = "CloudEvent"
"""The top-level record name openedx-events uses; records resolve by unqualified name, so it must match."""

WIRE_TYPES: dict[type, str] = {str: "string", int: "long", bool: "boolean", UUID: "string", datetime: "string"}
FORMATS: dict[type, str] = {UUID: "uuid", datetime: "date-time"}
"""Strings with a format carry ``"x-format"`` (JSON Schema's format names) so tools can generate valid ones."""

SENSITIVITY_ATTRIBUTE = "x-sensitivity"
FORMAT_ATTRIBUTE = "x-format"

_NAME_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class DescribedEvent(Protocol):
    """What generating an event's schema reads of it (an :class:`~openedx_subsidy_events.EventDefinition` has it).

    Schema generation sits below the event definitions: it knows payload classes and these four
    attributes, never the package's own events.
    """

    @property
    def event_type(self) -> str:
        """The event type, from which the namespace is derived."""

    @property
    def data_key(self) -> str:
        """The name of the envelope's one field, which holds the payload."""

    @property
    def payload_type(self) -> type[Any]:
        """The attrs class of the payload."""

    @property
    def description(self) -> str:
        """What the event means: the envelope record's ``doc``."""


def avro_namespace(event_type: str) -> str:
    """The Avro namespace for an event type: the event type with ``-`` replaced by ``_``.

    Avro names allow only ``[A-Za-z0-9_]`` between dots; Open edX event types use hyphens.
    """
    namespace = event_type.replace("-", "_")
    if not all(_NAME_PART.match(part) for part in namespace.split(".")):
        raise ValueError(f"{event_type!r} cannot be made into an Avro namespace")
    return namespace


def _doc_of(cls: type) -> str:
    """The first paragraph of a class docstring, on one line."""
    paragraphs = re.split(r"\n\s*\n", (cls.__doc__ or "").strip(), maxsplit=1)
    return " ".join(paragraphs[0].split())


def _field_schema(attribute: attrs.Attribute[Any]) -> dict[str, Any]:
    assert attribute.type is not None
    wire: Any = WIRE_TYPES[attribute.type]
    entry: dict[str, Any] = {"name": attribute.name}
    if attribute.default is None:
        entry["type"] = ["null", wire]
        entry["default"] = None
    else:
        entry["type"] = wire
    entry["doc"] = attribute.metadata[DOC]
    if attribute.type in FORMATS:
        entry[FORMAT_ATTRIBUTE] = FORMATS[attribute.type]
    if attribute.metadata[SENSITIVITY]:
        entry[SENSITIVITY_ATTRIBUTE] = attribute.metadata[SENSITIVITY]
    return entry


def payload_record_schema(payload_type: type) -> dict[str, Any]:
    """The Avro record schema of a payload class (no namespace: it inherits the enclosing one)."""
    return {
        "type": "record",
        "name": payload_type.__name__,
        "doc": _doc_of(payload_type),
        "fields": [_field_schema(a) for a in attrs.fields(payload_type)],
    }


def event_schema(definition: DescribedEvent) -> dict[str, Any]:
    """The full Avro schema of an event's current minor version, as it is published."""
    return {
        "type": "record",
        "name": ENVELOPE_RECORD_NAME,
        "namespace": avro_namespace(definition.event_type),
        "doc": definition.description,
        "fields": [
            {
                "name": definition.data_key,
                "type": payload_record_schema(definition.payload_type),
                "doc": f"The {definition.payload_type.__name__} payload of the event.",
            }
        ],
    }


def dumps_schema(schema: dict[str, Any]) -> str:
    """The canonical text of a schema file: 2-space JSON, keys in generation order, UTF-8, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"

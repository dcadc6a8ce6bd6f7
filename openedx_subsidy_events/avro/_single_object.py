"""Avro single-object encoding: ``C3 01``, the writer schema's CRC-64-AVRO fingerprint, the body.

Self-identifying bytes without a schema registry: the fingerprint (of the schema's Parsing
Canonical Form, little-endian) names both the event type and the minor version, since every
published schema of every event has its own namespace or fields.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from ..exceptions import DecodeError

if TYPE_CHECKING:
    from ..events._definition import EventDefinition

__all__ = ["MAGIC", "SingleObjectEvent", "decode_single_object", "encode_single_object", "schema_fingerprint"]

MAGIC = b"\xc3\x01"
_HEADER_LENGTH = len(MAGIC) + 8

P = TypeVar("P")


class SingleObjectEvent(NamedTuple, Generic[P]):
    """What :func:`decode_single_object` found in the bytes."""

    definition: EventDefinition[P]
    minorversion: int
    payload: P


def schema_fingerprint(schema: Mapping[str, Any]) -> bytes:
    """The 8-byte little-endian CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form."""
    from fastavro.schema import fingerprint, to_parsing_canonical_form

    return bytes.fromhex(fingerprint(to_parsing_canonical_form(dict(schema)), "CRC-64-AVRO"))


def encode_single_object(definition: EventDefinition[P], payload: P) -> bytes:
    """Single-object bytes of a payload, written with the event's current schema."""
    return MAGIC + _current_fingerprint(definition) + definition.serialize(payload)


@functools.cache
def _current_fingerprint(definition: EventDefinition[Any]) -> bytes:
    return schema_fingerprint(definition.schema)


@functools.cache
def _fingerprint_index() -> dict[bytes, tuple[EventDefinition[Any], int]]:
    from ..events import all_events

    index: dict[bytes, tuple[EventDefinition[Any], int]] = {}
    for definition in all_events():
        for minor, schema in definition.schemas.items():
            index.setdefault(schema_fingerprint(schema), (definition, minor))
    return index


def decode_single_object(data: bytes | bytearray | memoryview) -> SingleObjectEvent[Any]:
    """Decode single-object bytes of any of this package's events, whichever minor wrote them."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError(None, f"expected bytes, got {type(data).__name__}")
    view = memoryview(data)
    if len(view) < _HEADER_LENGTH:
        raise DecodeError(None, f"{len(view)} bytes is shorter than a single-object header ({_HEADER_LENGTH})")
    if view[:2] != MAGIC:
        raise DecodeError(None, "not Avro single-object encoding (the first two bytes are not C3 01)", offset=0)
    found = _fingerprint_index().get(bytes(view[2:_HEADER_LENGTH]))
    if found is None:
        reason = f"no published schema has fingerprint {bytes(view[2:_HEADER_LENGTH]).hex()}"
        raise DecodeError(None, reason, offset=2)
    definition, minor = found
    try:
        payload = definition.deserialize(view[_HEADER_LENGTH:], minorversion=minor)
    except DecodeError as error:
        offset = None if error.offset is None else error.offset + _HEADER_LENGTH
        raise DecodeError(error.event_type, error.reason, offset=offset) from None
    return SingleObjectEvent(definition, minor, payload)

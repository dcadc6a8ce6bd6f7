"""Avro single-object encoding of the package's events: the fingerprint in the bytes names the event.

The byte format (``C3 01``, the writer schema's CRC-64-AVRO fingerprint, the body) is the Avro
floor's (:mod:`openedx_subsidy_events.avro`); which event and minor version a fingerprint stands
for is known here, from every published schema of every event.
"""

from __future__ import annotations

import functools
from typing import Any, Generic, NamedTuple, TypeVar

from ..avro._single_object import HEADER_LENGTH, schema_fingerprint, single_object_header, split_single_object
from ..exceptions import DecodeError
from ._definition import EventDefinition
from ._registry import all_events

__all__ = ["SingleObjectEvent", "decode_single_object", "encode_single_object"]

P = TypeVar("P")


class SingleObjectEvent(NamedTuple, Generic[P]):
    """What :func:`decode_single_object` found in the bytes.

    .. versionadded:: 0.1.0
    """

    definition: EventDefinition[P]
    minorversion: int
    payload: P


def encode_single_object(definition: EventDefinition[P], payload: P) -> bytes:
    """Single-object bytes of a payload, written with the event's current schema.

    .. versionadded:: 0.1.0
    """
    return _current_header(definition) + definition.serialize(payload)


@functools.cache
def _current_header(definition: EventDefinition[Any]) -> bytes:
    return single_object_header(definition.schema)


@functools.cache
def _fingerprint_index() -> dict[bytes, tuple[EventDefinition[Any], int]]:
    index: dict[bytes, tuple[EventDefinition[Any], int]] = {}
    for definition in all_events():
        for minor, schema in definition.schemas.items():
            index.setdefault(schema_fingerprint(schema), (definition, minor))
    return index


def decode_single_object(data: bytes | bytearray | memoryview) -> SingleObjectEvent[Any]:
    """Decode single-object bytes of any of this package's events, whichever minor wrote them.

    .. versionadded:: 0.1.0
    """
    fingerprint, body = split_single_object(data)
    found = _fingerprint_index().get(fingerprint)
    if found is None:
        raise DecodeError(None, f"no published schema has fingerprint {fingerprint.hex()}", offset=2)
    definition, minor = found
    try:
        payload = definition.deserialize(body, minorversion=minor)
    except DecodeError as error:
        offset = None if error.offset is None else error.offset + HEADER_LENGTH
        raise DecodeError(error.event_type, error.reason, offset=offset) from None
    return SingleObjectEvent(definition, minor, payload)

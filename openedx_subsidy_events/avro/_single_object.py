"""Avro single-object encoding: ``C3 01``, the writer schema's CRC-64-AVRO fingerprint, the body.

Self-identifying bytes without a schema registry: the fingerprint (of the schema's Parsing
Canonical Form, little-endian) names both the event type and the minor version, since every
published schema of every event has its own namespace or fields. This module knows the bytes;
which event a fingerprint names is :mod:`openedx_subsidy_events.events`' to say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exceptions import DecodeError

__all__ = ["HEADER_LENGTH", "MAGIC", "schema_fingerprint", "single_object_header", "split_single_object"]

MAGIC = b"\xc3\x01"
HEADER_LENGTH = len(MAGIC) + 8
"""The magic bytes and the 8-byte fingerprint that come before the body."""


def schema_fingerprint(schema: Mapping[str, Any]) -> bytes:
    """The 8-byte little-endian CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form."""
    from fastavro.schema import fingerprint, to_parsing_canonical_form

    return bytes.fromhex(fingerprint(to_parsing_canonical_form(dict(schema)), "CRC-64-AVRO"))


def single_object_header(schema: Mapping[str, Any]) -> bytes:
    """The bytes before the body of a datum written with ``schema``."""
    return MAGIC + schema_fingerprint(schema)


def split_single_object(data: bytes | bytearray | memoryview) -> tuple[bytes, memoryview]:
    """``(fingerprint, body)`` of single-object bytes; :class:`DecodeError` if they are not single-object."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError(None, f"expected bytes, got {type(data).__name__}")
    view = memoryview(data)
    if len(view) < HEADER_LENGTH:
        raise DecodeError(None, f"{len(view)} bytes is shorter than a single-object header ({HEADER_LENGTH})")
    if view[:2] != MAGIC:
        raise DecodeError(None, "not Avro single-object encoding (the first two bytes are not C3 01)", offset=0)
    return bytes(view[2:HEADER_LENGTH]), view[HEADER_LENGTH:]

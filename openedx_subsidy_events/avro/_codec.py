"""Schemaless Avro encoding of payloads, as the Open edX event buses put it on the wire.

Encoding turns a payload into the record dict openedx-events builds (UUID → canonical string,
datetime → ``isoformat()``) and lets fastavro write it with the parsed current schema. Decoding
picks the *writer* schema by minor version from the published history and resolves it to the
current (reader) schema, so a consumer never reads bytes with the wrong schema. Every failure of
untrusted bytes becomes one :class:`DecodeError`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar
from uuid import UUID

import attrs
import fastavro

from ..exceptions import DecodeError, PayloadError, SchemaError, UnknownSchemaVersion
from ._store import load_published

__all__ = ["PayloadCodec"]

P = TypeVar("P")

_UUID_TEXT_LENGTH = 36


def _uuid_from_wire(text: str) -> UUID:
    if len(text) != _UUID_TEXT_LENGTH:
        raise ValueError("is not a UUID in canonical 8-4-4-4-12 form")
    return UUID(text)


def _datetime_from_wire(text: str) -> datetime:
    return datetime.fromisoformat(text)


_TO_WIRE: dict[type, Callable[[Any], Any]] = {UUID: str, datetime: datetime.isoformat}
_FROM_WIRE: dict[type, Callable[[Any], Any]] = {UUID: _uuid_from_wire, datetime: _datetime_from_wire}


class PayloadCodec(Generic[P]):
    """Encodes and decodes one event's payloads; built once per event and reused.

    The parsed schemas and the per-field converters are computed once, so the hot path is a
    loop over fields and one fastavro call.
    """

    def __init__(
        self,
        *,
        event_type: str,
        data_key: str,
        payload_type: type[P],
        minor_version: int,
        schema: dict[str, Any],
        schemas_root: Path | None = None,
    ) -> None:
        self.event_type = event_type
        self.data_key = data_key
        self.payload_type = payload_type
        self.minor_version = minor_version
        self.schemas_root = schemas_root
        self._parsed_current = fastavro.parse_schema(schema)
        fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(payload_type)  # type: ignore[arg-type]
        self._to_wire = tuple((a.name, _TO_WIRE.get(a.type)) for a in fields if a.type is not None)
        self._from_wire = tuple((a.name, _FROM_WIRE.get(a.type)) for a in fields if a.type is not None)
        self._writers: dict[int, Any] = {}

    # -- encoding ---------------------------------------------------------------------------

    def to_record(self, payload: P) -> dict[str, Any]:
        """The Avro record dict of a payload (the value fastavro writes)."""
        if type(payload) is not self.payload_type:
            raise PayloadError(
                self.payload_type.__name__, self.data_key, payload, f"expected a {self.payload_type.__name__} instance"
            )
        record = {}
        for name, convert in self._to_wire:
            value = getattr(payload, name)
            record[name] = value if convert is None or value is None else convert(value)
        return {self.data_key: record}

    def encode(self, payload: P) -> bytes:
        """Schemaless Avro bytes of a payload, written with the current schema."""
        out = io.BytesIO()
        fastavro.schemaless_writer(out, self._parsed_current, self.to_record(payload))
        return out.getvalue()

    # -- decoding ---------------------------------------------------------------------------

    def writer_schema(self, minorversion: int) -> Any:
        """The parsed published schema of a minor version; :class:`UnknownSchemaVersion` if none."""
        parsed = self._writers.get(minorversion) if type(minorversion) is int else None
        if parsed is None:
            published = load_published(self.event_type, self.schemas_root)
            if type(minorversion) is not int or minorversion not in published:
                raise UnknownSchemaVersion(self.event_type, minorversion, sorted(published))
            if minorversion == self.minor_version:
                parsed = self._parsed_current
            else:
                parsed = fastavro.parse_schema(published[minorversion])
            self._writers[minorversion] = parsed
        return parsed

    def decode(self, data: bytes | bytearray | memoryview, minorversion: int) -> P:
        """Decode schemaless Avro bytes written with the schema of ``minorversion``."""
        writer = self.writer_schema(minorversion)
        if not isinstance(data, bytes | bytearray | memoryview):
            raise DecodeError(self.event_type, f"expected bytes, got {type(data).__name__}")
        reader = None if writer is self._parsed_current else self._parsed_current
        stream = io.BytesIO(data)
        try:
            record = fastavro.schemaless_reader(stream, writer, reader)
        except Exception as error:  # fastavro signals malformed bytes with many unrelated types
            raise DecodeError(self.event_type, _describe(error), offset=stream.tell()) from None
        if stream.tell() != len(data):
            extra = len(data) - stream.tell()
            raise DecodeError(self.event_type, f"{extra} unexpected byte(s) after the event", offset=stream.tell())
        return self.from_record(record)

    def from_record(self, record: Any) -> P:
        """Build a payload from a decoded record dict, validating every value."""
        inner = record[self.data_key]
        values = {}
        for name, convert in self._from_wire:
            value = inner[name]
            if convert is not None and value is not None:
                try:
                    value = convert(value)
                except ValueError as error:
                    raise DecodeError(self.event_type, f"{self.data_key}.{name}: {error}") from None
            values[name] = value
        try:
            return self.payload_type(**values)
        except PayloadError as error:
            raise DecodeError(self.event_type, str(error)) from None


def _describe(error: Exception) -> str:
    """One sentence for a fastavro failure on malformed bytes."""
    if isinstance(error, EOFError | StopIteration):
        return "the data ends before the event does (truncated, or a length prefix past the end)"
    if isinstance(error, IndexError):
        return "a union branch index is out of range"
    if isinstance(error, UnicodeDecodeError):
        return "a string is not valid UTF-8"
    if isinstance(error, SchemaError):
        return str(error)
    return f"malformed Avro ({type(error).__name__}: {error})"

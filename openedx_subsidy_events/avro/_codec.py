"""Schemaless Avro encoding of payloads, as the Open edX event buses put it on the wire.

Encoding turns a payload into the record dict openedx-events builds (UUID → canonical string,
datetime → ``isoformat()``) and lets fastavro write it with the parsed current schema. Decoding
picks the *writer* schema by minor version from the published history and resolves it to the
current (reader) schema, so a consumer never reads bytes with the wrong schema. Every failure of
untrusted bytes becomes one :class:`DecodeError`.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar
from uuid import UUID

import attrs
import fastavro

from ..exceptions import DecodeError, PayloadError, UnknownSchemaVersion
from ._compile import compile_from_decoded, compile_to_record, datetime_from_wire, uuid_from_wire
from ._store import load_published

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["PayloadCodec"]

P = TypeVar("P")

_FROM_TEXT = {UUID: uuid_from_wire, datetime: datetime_from_wire}
_BUFFERS = (bytes, bytearray, memoryview)
_read = fastavro.schemaless_reader
_write = fastavro.schemaless_writer


class PayloadCodec(Generic[P]):
    """Encodes and decodes one event's payloads; built once per event and reused.

    The parsed schemas and the converters (generated per payload class, see ``_compile``) are
    built once, so the hot path is one generated function and one fastavro call.
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
        self._to_record = compile_to_record(payload_type, data_key)
        self._from_decoded = compile_from_decoded(payload_type, data_key, self._invalid_value)
        self._by_minor: dict[int, tuple[Any, Any]] = {}

    # -- encoding ---------------------------------------------------------------------------

    def to_record(self, payload: P) -> dict[str, Any]:
        """The Avro record dict of a payload (the value fastavro writes)."""
        if type(payload) is not self.payload_type:
            raise PayloadError.not_a_payload(self.payload_type, self.data_key, payload)
        return self._to_record(payload)

    def encode(self, payload: P) -> bytes:
        """Schemaless Avro bytes of a payload, written with the current schema."""
        if type(payload) is not self.payload_type:
            self.to_record(payload)  # raises the PayloadError
        out = io.BytesIO()
        _write(out, self._parsed_current, self._to_record(payload))
        return out.getvalue()

    # -- decoding ---------------------------------------------------------------------------

    def writer_schema(self, minorversion: int) -> Any:
        """The parsed published schema of a minor version; :class:`UnknownSchemaVersion` if none."""
        return self._schemas_for(minorversion)[0]

    def _schemas_for(self, minorversion: int) -> tuple[Any, Any]:
        """``(writer, reader)`` for fastavro: the reader is ``None`` when the writer is the current schema."""
        pair = self._by_minor.get(minorversion) if type(minorversion) is int else None  # True == 1, but not a minor
        if pair is None:
            published = load_published(self.event_type, self.schemas_root)
            if type(minorversion) is not int or minorversion not in published:
                raise UnknownSchemaVersion(self.event_type, minorversion, sorted(published))
            if minorversion == self.minor_version:
                pair = (self._parsed_current, None)
            else:
                pair = (fastavro.parse_schema(published[minorversion]), self._parsed_current)
            self._by_minor[minorversion] = pair
        return pair

    def newest_known(self) -> int:
        """The highest published minor version this codec can read."""
        return max(load_published(self.event_type, self.schemas_root))

    def is_newer(self, minorversion: object) -> bool:
        """Whether ``minorversion`` is a minor version later than every published one (a newer producer's)."""
        if minorversion in self._by_minor:  # read before, so published (and the cache is dropped with the codec)
            return False
        return type(minorversion) is int and minorversion > self.newest_known()

    def decode(self, data: bytes | bytearray | memoryview, minorversion: int, *, accept_newer: bool = False) -> P:
        """Decode schemaless Avro bytes written with the schema of ``minorversion``.

        With ``accept_newer``, bytes of a minor version later than every published one are read
        with the newest published schema and the bytes after it are skipped: the append-only rule
        for minors (``MINOR_NOT_APPEND_ONLY``) makes that schema's encoding an exact prefix of theirs.
        """
        try:
            writer, reader = self._schemas_for(minorversion)
        except UnknownSchemaVersion:
            if not (accept_newer and self.is_newer(minorversion)):
                raise
            writer, reader = self._schemas_for(self.newest_known())
            return self.decode_resolved(data, writer, reader, exact=False)
        return self.decode_resolved(data, writer, reader)

    def decode_resolved(
        self, data: bytes | bytearray | memoryview, writer: Any, reader: Any, *, exact: bool = True
    ) -> P:
        """Decode bytes written with the parsed ``writer`` schema, resolved to ``reader`` (``None``: the same).

        ``exact``: bytes after the datum are an error (they are expected only when reading a newer
        minor's bytes as a prefix). The reader must describe this codec's payload class.
        """
        if type(data) is not bytes:
            data = _as_bytes(self.event_type, data)
        stream = io.BytesIO(data)
        try:
            record = _read(stream, writer, reader)
        except Exception as error:  # fastavro signals malformed bytes with many unrelated types
            raise DecodeError(self.event_type, _describe(error), offset=stream.tell()) from None
        end = stream.tell()
        if exact and end != len(data):
            raise DecodeError(self.event_type, f"{len(data) - end} unexpected byte(s) after the event", offset=end)
        return self._from_decoded(record)  # type: ignore[no-any-return]

    def from_record(self, record: Any) -> P:
        """Build a payload from a record dict of unknown origin, running every validator."""
        try:
            values = dict(record[self.data_key])
            for field in attrs.fields(self.payload_type):  # type: ignore[arg-type]
                value = values.get(field.name)
                if isinstance(value, str) and field.type in _FROM_TEXT:
                    values[field.name] = _FROM_TEXT[field.type](value)
            return self.payload_type(**values)
        except (ValueError, TypeError, KeyError) as error:  # PayloadError is a ValueError
            raise DecodeError(self.event_type, f"{self.data_key}: {error}") from None

    def _invalid_value(self, field: str, error: ValueError) -> NoReturn:
        raise DecodeError(self.event_type, f"{self.data_key}.{field}: {error}")


def _as_bytes(event_type: str, data: object) -> bytes:
    """The bytes of a buffer (a memoryview of any shape or item size counts its bytes, not its items)."""
    if not isinstance(data, _BUFFERS):
        raise DecodeError(event_type, f"expected bytes, got {type(data).__name__}")
    return bytes(data)  # copies through the buffer protocol, so memoryviews of any shape count their bytes


def _describe(error: Exception) -> str:
    """One sentence for a fastavro failure on malformed bytes."""
    if isinstance(error, EOFError) and str(error).startswith("Expected -"):
        return "a length prefix is negative"
    if isinstance(error, EOFError | StopIteration):
        return "the data ends before the event does (truncated, or a length prefix past the end)"
    if isinstance(error, IndexError) and "list index" in str(error):  # fastavro looks the branch up in a list
        return "a union branch index is out of range"
    if isinstance(error, IndexError):  # fastavro's compiled varint reader ran off the end of the data
        return "the data ends inside a number (truncated, or a varint longer than 10 bytes)"
    if isinstance(error, UnicodeDecodeError):
        return "a string is not valid UTF-8"
    detail = str(error)
    if len(detail) > 200:  # fastavro's resolution errors print whole schemas
        detail = detail[:197] + "..."
    return f"malformed Avro ({type(error).__name__}: {detail})"

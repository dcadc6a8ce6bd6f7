"""Schemaless Avro encoding of payloads, as the Open edX event buses put it on the wire.

Encoding runs an encoder generated from the current schema (``_encoder``), which writes the bytes
of fastavro's ``schemaless_writer`` straight from the payload object. Decoding picks the *writer*
schema by minor version from the published history and resolves it to the current (reader) schema
(``_plan``), then runs a strict decoder generated for that pair (``_decoder``), so a consumer never
reads bytes with the wrong schema. Every failure of untrusted bytes becomes one :class:`DecodeError`
that names the byte offset and the field being read. Encoders and decoders are built on first use
and kept for the codec's life.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

import attrs
import fastavro

from ..exceptions import DecodeError, PayloadError, UnknownSchemaVersion
from ._compile import compile_to_record, datetime_from_wire, uuid_from_wire
from ._store import load_published

if TYPE_CHECKING:
    from pathlib import Path

    from ._decoder import Decoder

__all__ = ["PayloadCodec"]

P = TypeVar("P")

_FROM_TEXT = {UUID: uuid_from_wire, datetime: datetime_from_wire}
_BUFFERS = (bytes, bytearray, memoryview)
_RESOLVED_KEPT = 64
"""Decoders kept for (writer, reader) pairs given to :meth:`PayloadCodec.decode_resolved` (a registry's schemas)."""


class PayloadCodec(Generic[P]):
    """Encodes and decodes one event's payloads; built once per event and reused.

    The parsed current schema is built with the codec; the encoder, each minor version's decoder
    and the record-dict converter are generated on first use and kept.
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
        self._schema = schema
        self._parsed_current = fastavro.parse_schema(schema)
        self._by_minor: dict[int, tuple[Any, Any]] = {}
        self._decoders: dict[int, Decoder] = {}
        self._resolved: dict[tuple[int, int], tuple[Any, Any, Decoder]] = {}

    # -- encoding ---------------------------------------------------------------------------

    @functools.cached_property
    def _to_record(self) -> Callable[[P], dict[str, Any]]:
        return compile_to_record(self.payload_type, self.data_key)

    @functools.cached_property
    def _encode(self) -> Callable[[P], bytes]:
        from ._encoder import compile_encoder  # imported on first use, as the encoders are built

        return compile_encoder(self._schema, self.payload_type, self.data_key)

    def to_record(self, payload: P) -> dict[str, Any]:
        """The Avro record dict of a payload (the value fastavro would write)."""
        if type(payload) is not self.payload_type:
            raise PayloadError.not_a_payload(self.payload_type, self.data_key, payload)
        return self._to_record(payload)

    def encode(self, payload: P) -> bytes:
        """Schemaless Avro bytes of a payload, written with the current schema."""
        if type(payload) is not self.payload_type:
            raise PayloadError.not_a_payload(self.payload_type, self.data_key, payload)
        try:
            return self._encode(payload)
        except Exception:  # a field mutated since construction: what its validator says of it
            from ._encoder import invalid_value

            error = invalid_value(payload)
            if error is None:
                raise
        raise error from None

    # -- decoding ---------------------------------------------------------------------------

    def writer_schema(self, minorversion: int) -> Any:
        """The parsed published schema of a minor version; :class:`UnknownSchemaVersion` if none."""
        return self._schemas_for(minorversion)[0]

    def _schemas_for(self, minorversion: int) -> tuple[Any, Any]:
        """``(writer, reader)`` parsed: the reader is ``None`` when the writer is the current schema."""
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

    def _decoder_for(self, minorversion: int) -> Decoder:
        decoder = self._decoders.get(minorversion) if type(minorversion) is int else None
        if decoder is None:
            writer, reader = self._schemas_for(minorversion)
            decoder = self._decoders[minorversion] = self._resolved_decoder(writer, reader)
        return decoder

    def _resolved_decoder(self, writer: Any, reader: Any) -> Decoder:
        """The decoder of ``writer`` resolved to ``reader``, kept while the same two schema objects come."""
        key = (id(writer), id(reader))
        kept = self._resolved.get(key)
        if kept is not None and kept[0] is writer and kept[1] is reader:
            return kept[2]
        from ._decoder import compile_decoder  # imported on first use, as the decoders are built
        from ._plan import resolve

        plan = resolve(writer, writer if reader is None else reader, self.payload_type, self.data_key)
        decoder = compile_decoder(plan, self.event_type)
        if len(self._resolved) >= _RESOLVED_KEPT:
            self._resolved.clear()
        self._resolved[key] = (writer, reader, decoder)  # holding both keeps their ids from being reused
        return decoder

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
        decoder = self._decoders.get(minorversion) if type(minorversion) is int else None
        exact = True
        if decoder is None:
            try:
                decoder = self._decoder_for(minorversion)
            except UnknownSchemaVersion:
                if not (accept_newer and self.is_newer(minorversion)):
                    raise
                decoder, exact = self._decoder_for(self.newest_known()), False
        if type(data) is not bytes:
            data = _as_bytes(self.event_type, data)
        return decoder(data, exact)  # type: ignore[no-any-return]

    def decode_resolved(
        self, data: bytes | bytearray | memoryview, writer: Any, reader: Any, *, exact: bool = True
    ) -> P:
        """Decode bytes written with the ``writer`` schema, resolved to ``reader`` (``None``: the same).

        Either schema may be parsed by fastavro or not; the decoder for a pair of schema objects is
        kept while they are. ``exact``: bytes after the datum are an error (they are expected only
        when reading a newer minor's bytes as a prefix). The reader must describe this codec's
        payload class (:class:`SchemaError` otherwise).
        """
        if type(data) is not bytes:
            data = _as_bytes(self.event_type, data)
        return self._resolved_decoder(writer, reader)(data, exact)  # type: ignore[no-any-return]

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


def _as_bytes(event_type: str, data: object) -> bytes:
    """The bytes of a buffer (a memoryview of any shape or item size counts its bytes, not its items)."""
    if not isinstance(data, _BUFFERS):
        raise DecodeError(event_type, f"expected bytes, got {type(data).__name__}")
    return bytes(data)  # copies through the buffer protocol, so memoryviews of any shape count their bytes

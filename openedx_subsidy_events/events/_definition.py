"""The definition object of one event: its identity, its payload class, its schemas and its codec.

A definition binds an event's identity to the Avro floor below it (schema generation, the
published store and the codec, which take payload classes and know no event) and to in-process
delivery (``_dispatch``).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

from ..avro._codec import PayloadCodec
from ..avro._schema import event_schema
from ..avro._store import load_published
from ..envelope import EventMetadata
from ..exceptions import PayloadError
from . import _dispatch

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CORRELATION_FIELD", "EventDefinition"]

P = TypeVar("P")

CORRELATION_FIELD = "subsidy_request_uuid"
"""The payload field every subsidy event carries: the uuid of the subsidy request it is about."""


class EventDefinition(Generic[P]):
    """One versioned event: what openedx-events calls a signal, plus its schemas and codec.

    Attributes:
        event_type: the OEP-41 event type, e.g. ``org.openedx.license-manager.license.assigned.v1``.
        minor_version: the minor version of the current schema (compatible changes bump it).
        data_key: the keyword the payload travels under (``license_assignment``).
        payload_type: the attrs class of the payload.
        producer: the service that sends the event.
        description: what the event means, one or two sentences.
        schemas_root: the folder of published schemas to read; ``None`` for the ones this package ships.

    .. versionadded:: 0.1.0

    """

    __slots__ = (
        "__dict__",
        "data_key",
        "description",
        "event_type",
        "minor_version",
        "payload_type",
        "producer",
        "schemas_root",
    )

    def __init__(
        self,
        *,
        event_type: str,
        data_key: str,
        payload_type: type[P],
        producer: str,
        description: str,
        minor_version: int = 0,
        schemas_root: Path | None = None,
    ) -> None:
        self.event_type = event_type
        self.minor_version = minor_version
        self.data_key = data_key
        self.payload_type = payload_type
        self.producer = producer
        self.description = description
        self.schemas_root = schemas_root

    def __repr__(self) -> str:
        return f"<EventDefinition {self.event_type} minor {self.minor_version}>"

    def replace(self, **changes: Any) -> EventDefinition[Any]:
        """A new definition with some attributes changed, as :func:`dataclasses.replace` makes one.

        For tools and tests: the same event read from another schemas folder (``schemas_root=``),
        at another minor version, or with a changed payload class.

        .. versionadded:: 0.1.0
        """
        attributes = {name: getattr(self, name) for name in self.__slots__ if name != "__dict__"}
        unknown = sorted(set(changes) - set(attributes))
        if unknown:
            raise TypeError(f"EventDefinition has no attribute {', '.join(map(repr, unknown))}")
        return EventDefinition(**{**attributes, **changes})

    # -- schemas ----------------------------------------------------------------------------

    @functools.cached_property
    def _schema(self) -> dict[str, Any]:
        return event_schema(self)

    @property
    def schema(self) -> dict[str, Any]:
        """The Avro schema of the current minor version, generated from the payload class (a copy)."""
        return copy.deepcopy(self._schema)

    @property
    def schemas(self) -> dict[int, dict[str, Any]]:
        """Every published schema of this event, by minor version, oldest first (copies)."""
        return copy.deepcopy(dict(load_published(self.event_type, self.schemas_root)))

    @property
    def event_key_field(self) -> str:
        """The dotted path of the event key, as openedx-events' producers take it."""
        return f"{self.data_key}.{CORRELATION_FIELD}"

    def event_key(self, payload: P) -> UUID:
        """The event key and correlation id of a payload: its ``subsidy_request_uuid``."""
        key: UUID = getattr(payload, CORRELATION_FIELD)
        return key

    # -- bytes ------------------------------------------------------------------------------

    @functools.cached_property
    def _codec(self) -> PayloadCodec[P]:
        return PayloadCodec(
            event_type=self.event_type,
            data_key=self.data_key,
            payload_type=self.payload_type,
            minor_version=self.minor_version,
            schema=self._schema,
            schemas_root=self.schemas_root,
        )

    def serialize(self, payload: P) -> bytes:
        """Schemaless Avro bytes of a payload, identical to what openedx-events' serializer writes."""
        return self._codec.encode(payload)

    def deserialize(self, data: bytes | bytearray | memoryview, *, minorversion: int, accept_newer: bool = False) -> P:
        """Decode bytes written with the published schema of ``minorversion``.

        Raises :class:`UnknownSchemaVersion` for a minor version this package did not publish and
        :class:`DecodeError` for bytes that are not a valid event. With ``accept_newer=True``, a
        minor version *later* than every published one (a producer with a newer package) is read
        with the newest published schema, skipping the fields the newer minor appended: new minors
        may only append optional fields (rule ``MINOR_NOT_APPEND_ONLY``), so that reading is exact
        for every field this package knows. Bytes after the datum are then expected, not an error.

        .. versionchanged:: 0.1.0 ``accept_newer``.
        """
        return self._codec.decode(data, minorversion, accept_newer=accept_newer)

    def deserialize_resolved(self, data: bytes | bytearray | memoryview, *, writer: Any, reader: Any = None) -> P:
        """Decode bytes written with the ``writer`` schema (one a schema registry gave), resolved to ``reader``.

        ``reader`` is a schema of this event's payload, ``None`` when the writer's is the reader's
        too; either may be parsed by fastavro or not. Raises :class:`DecodeError` for bytes that are
        not a valid event and :class:`SchemaError` for a reader of another payload.

        .. versionadded:: 0.2.0
        """
        return self._codec.decode_resolved(data, writer, reader)

    def is_newer_minor(self, minorversion: int) -> bool:
        """Whether ``minorversion`` is later than every minor version published for this event."""
        return self._codec.is_newer(minorversion)

    def to_record(self, payload: P) -> dict[str, Any]:
        """The Avro record dict of a payload: ``{data_key: {field: wire value}}``."""
        return self._codec.to_record(payload)

    def from_record(self, record: dict[str, Any]) -> P:
        """A payload from an Avro record dict read with the current schema (validated)."""
        return self._codec.from_record(record)

    # -- in-process signal ------------------------------------------------------------------

    def metadata(
        self,
        *,
        id: UUID | None = None,
        time: datetime | None = None,
        source: str | None = None,
        sourcehost: str | None = None,
    ) -> EventMetadata:
        """New metadata for an event of this type at its current minor version; unset fields get defaults."""
        given = {"id": id, "time": time, "source": source, "sourcehost": sourcehost}
        fields: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
        return EventMetadata(event_type=self.event_type, minorversion=self.minor_version, **fields)

    def send(self, payload: P, *, metadata: EventMetadata | None = None) -> list[tuple[Callable[..., Any], Any]]:
        """Send an event: the one way to send, in a service and in a test.

        Without Django, in process: the event is recorded in active captures and every receiver
        connected with :meth:`connect` is called. With the Django app
        (``openedx_subsidy_events.integrations.django_app``) installed, this *is* the Open edX send:
        the event's ``OpenEdxPublicSignal`` is sent, so openedx-events hands it to the bus by its
        publishing mode (``on-commit`` or ``outbox``), and the connected receivers are called as
        signal receivers. A receiver's exception propagates in both cases.

        Returns ``(receiver, response)`` pairs, as Django's ``Signal.send`` does.

        .. versionchanged:: 0.2.0 the Open edX send when the Django app is installed.
        """
        if type(payload) is not self.payload_type:
            raise PayloadError.not_a_payload(self.payload_type, self.data_key, payload)
        if metadata is not None and metadata.event_type != self.event_type:
            raise PayloadError("EventMetadata", "event_type", metadata.event_type, f"must be {self.event_type!r}")
        if metadata is not None and metadata.minorversion != self.minor_version:
            reason = f"must be {self.minor_version}, the minor version this package writes {self.event_type} with"
            raise PayloadError("EventMetadata", "minorversion", metadata.minorversion, reason)
        return _dispatch.send(self, payload, metadata)

    def connect(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Call ``receiver`` for every event of this type; usable as a decorator.

        Called for every :meth:`send` in this process and, with the Django app installed, for every
        event a bus consumer delivers (with ``from_event_bus=True``), as
        ``receiver(signal=<definition>, sender=None, metadata=<EventMetadata>, <data_key>=<payload>, **kwargs)``.

        .. versionchanged:: 0.2.0 also the events the bus consumers deliver.
        """
        _dispatch.connect(self.event_type, receiver)
        return receiver

    def disconnect(self, receiver: Callable[..., Any]) -> bool:
        """Stop calling ``receiver``; ``False`` if it was not connected."""
        return _dispatch.disconnect(self.event_type, receiver)

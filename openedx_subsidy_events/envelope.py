"""The metadata that travels with every event, field for field openedx-events' ``EventsMetadata``.

On Kafka the bus sends it as CloudEvents headers, on Redis Streams as entry fields; in process it
is passed to receivers as ``metadata``. :meth:`EventMetadata.to_openedx` converts it when
openedx-events is installed.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn
from uuid import UUID, uuid1

import attrs

from ._payload import always_utc
from ._version import __version__
from .exceptions import PayloadError

__all__ = ["EventMetadata"]

SERVICE_NAME_VARIABLE = "EVENTS_SERVICE_NAME"
"""Environment variable naming the service, as the Django setting of the same name does in openedx-events."""


def _default_source() -> str:
    return f"openedx/{os.environ.get(SERVICE_NAME_VARIABLE) or 'SERVICE_NAME_UNSET'}/web"


def _hostname() -> str:
    import socket  # imported here: only metadata made in this process needs it

    return socket.gethostname()


def _now() -> datetime:
    return datetime.now(UTC)


def _sourcelib() -> tuple[int, ...]:
    return tuple(int(part) for part in __version__.split(".") if part.isdigit())


def _fail(attribute: attrs.Attribute[Any], value: Any, reason: str) -> NoReturn:
    raise PayloadError("EventMetadata", attribute.name, value, reason)


def _text(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not str:
        _fail(attribute, value, "expected str")


def _minor(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not int or value < 0:
        _fail(attribute, value, "expected a non-negative int")


def _uuid(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, UUID):
        _fail(attribute, value, "expected uuid.UUID")


def _utc(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, datetime) or value.utcoffset() != timedelta(0) or not always_utc(value.tzinfo):
        _fail(attribute, value, "must be a timezone-aware UTC datetime (a zone at +00:00 all year)")


def _version(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not tuple or not all(type(part) is int for part in value):
        _fail(attribute, value, "expected a tuple of ints, e.g. (0, 1, 0)")


def _as_tuple(value: Any) -> Any:
    """Lists (as JSON gives them) become tuples; anything else is left for the validator to refuse."""
    return tuple(value) if isinstance(value, list) else value


@attrs.frozen(kw_only=True)
class EventMetadata:
    """The envelope of one event.

    Attributes:
        event_type: the event's type, e.g. ``org.openedx.license-manager.license.assigned.v1``.
        minorversion: the minor version of the schema the payload was written with.
        id: the event's unique id (a time-based UUID, as openedx-events makes).
        source: the logical source, ``openedx/<service>/web``; ``<service>`` comes from the
            ``EVENTS_SERVICE_NAME`` environment variable unless given.
        sourcehost: the host that sent the event.
        time: when the event happened, timezone-aware UTC.
        sourcelib: the version of the library that made the event, as a tuple of ints.

    A field given a value it cannot carry raises :class:`~openedx_subsidy_events.PayloadError`.

    .. versionadded:: 0.1.0

    """

    event_type: str = attrs.field(validator=_text)
    minorversion: int = attrs.field(default=0, validator=_minor)
    id: UUID = attrs.field(factory=uuid1, validator=_uuid)
    source: str = attrs.field(factory=_default_source, validator=_text)
    sourcehost: str = attrs.field(factory=_hostname, validator=_text)
    time: datetime = attrs.field(factory=_now, validator=_utc)
    sourcelib: tuple[int, ...] = attrs.field(factory=_sourcelib, converter=_as_tuple, validator=_version)

    def to_openedx(self) -> Any:
        """The same metadata as an ``openedx_events.data.EventsMetadata`` (needs the ``openedx`` extra)."""
        from openedx_events.data import EventsMetadata

        return EventsMetadata(
            event_type=self.event_type,
            id=self.id,
            minorversion=self.minorversion,
            source=self.source,
            sourcehost=self.sourcehost,
            time=self.time,
            sourcelib=self.sourcelib,
        )

    @classmethod
    def from_openedx(cls, metadata: Any) -> EventMetadata:
        """Metadata from an ``openedx_events.data.EventsMetadata``."""
        return cls(
            event_type=metadata.event_type,
            id=metadata.id,
            minorversion=metadata.minorversion,
            source=metadata.source,
            sourcehost=metadata.sourcehost,
            time=metadata.time,
            sourcelib=tuple(metadata.sourcelib),
        )

"""The metadata that travels with every event, field for field openedx-events' ``EventsMetadata``.

On Kafka the bus sends it as CloudEvents headers, on Redis Streams as entry fields; in process it
is passed to receivers as ``metadata``. :meth:`EventMetadata.to_openedx` converts it when
openedx-events is installed.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid1

import attrs

from ._version import __version__

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


def _utc(_instance: Any, attribute: attrs.Attribute[Any], value: datetime) -> None:
    if value.utcoffset() != timedelta(0):
        raise ValueError(f"metadata '{attribute.name}' must be a timezone-aware UTC datetime")


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

    .. versionadded:: 0.1.0

    """

    event_type: str = attrs.field(validator=attrs.validators.instance_of(str))
    minorversion: int = attrs.field(default=0, validator=attrs.validators.instance_of(int))
    id: UUID = attrs.field(factory=uuid1, validator=attrs.validators.instance_of(UUID))
    source: str = attrs.field(factory=_default_source, validator=attrs.validators.instance_of(str))
    sourcehost: str = attrs.field(factory=_hostname, validator=attrs.validators.instance_of(str))
    time: datetime = attrs.field(factory=_now, validator=[attrs.validators.instance_of(datetime), _utc])
    sourcelib: tuple[int, ...] = attrs.field(factory=_sourcelib, converter=tuple)

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

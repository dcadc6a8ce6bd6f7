"""One producer interface for every bus: wire-ready events in, how many the broker acknowledged out.

A :class:`WireEvent` is an event as it leaves a service: its metadata, the topic, the key (the
correlation id) and the schemaless Avro bytes of the published schema. It is what the outbox stores
and what every bus's producer takes, so a relay, the on-commit mode, the demo and the tests publish
the same way on Redis Streams and on Kafka, and a third bus is one more class with
:meth:`Publisher.publish`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import attrs

from ..envelope import EventMetadata
from ..events import EventDefinition

__all__ = ["PublishResult", "Publisher", "WireEvent"]


@attrs.frozen(kw_only=True)
class WireEvent:
    """One event, ready for any bus.

    Attributes:
        metadata: the envelope (event type, minor version, id, source, time, ...).
        topic: the topic, without the environment prefix (``EVENT_BUS_TOPIC_PREFIX``).
        key: the event key, the payload's ``subsidy_request_uuid`` in canonical form.
        data: the payload's schemaless Avro bytes, written with the schema of ``metadata.minorversion``.

    .. versionadded:: 0.2.0

    """

    metadata: EventMetadata
    topic: str
    key: str
    data: bytes

    @classmethod
    def build(
        cls, definition: EventDefinition[Any], payload: Any, *, topic: str, metadata: EventMetadata | None = None
    ) -> WireEvent:
        """The wire form of a payload of ``definition`` for ``topic`` (new metadata unless given)."""
        return cls(
            metadata=metadata or definition.metadata(),
            topic=topic,
            key=str(definition.event_key(payload)),
            data=definition.serialize(payload),
        )


@attrs.frozen
class PublishResult:
    """What the broker acknowledged of a batch: the first ``acknowledged`` events, in order.

    ``error`` says why the rest were not (``None`` when all were).
    """

    acknowledged: int
    error: str | None = None


class Publisher(Protocol):
    """A bus's producer, as the outbox relay and the on-commit mode use it."""

    bus: str
    """``"redis"`` or ``"kafka"``: for logs and status."""

    def publish(self, events: Sequence[WireEvent]) -> PublishResult:
        """Send the events in order and wait for the broker's acknowledgement of each.

        An event counts as acknowledged only once the broker has answered for it (Redis's ``XADD``
        reply, Kafka's delivery report); the count is of a prefix, so an event after one that
        failed never counts, even if the broker took it.
        """

    def close(self) -> None:
        """Release the connection."""

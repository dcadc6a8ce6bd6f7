"""One interface for every bus: wire-ready events in, how many the broker acknowledged out.

A :class:`WireEvent` is an event as it leaves a service: its metadata, the topic, the key (the
correlation id) and the schemaless Avro bytes of the published schema. It is what the outbox stores
and what every bus's producer takes (:class:`Publisher`), so the relay, the on-commit mode, the demo
and the tests publish the same way on Redis Streams and on Kafka. A :class:`Bus` adds consumer
groups to a publisher, for the demo and the tests; :func:`open_bus` opens one from a URL. A third
bus is one module: a publisher, a consumer, a bus class with ``from_url``, and its scheme in
:data:`BUS_MODULES`.
"""

from __future__ import annotations

import collections
import importlib
from collections.abc import Sequence
from typing import Any, Protocol

import attrs

from ..envelope import EventMetadata
from ..events import EventDefinition, get_event
from ._consuming import Deliver
from ._headers import metadata_from_redis_fields, redis_fields

__all__ = ["BUS_MODULES", "Bus", "MemoryBus", "PublishResult", "Publisher", "WireEvent", "open_bus"]


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


class Bus(Publisher, Protocol):
    """A publisher with consumer groups, driven by the caller: what the demo and the tests run on."""

    def subscribe(self, group: str, topics: Sequence[str], deliver: Deliver) -> None:
        """Deliver every event of these topics to ``deliver``, as the consumer group ``group``."""

    def pump(self) -> int:
        """Deliver what has arrived, for every subscription; how many events were delivered."""


class MemoryBus:
    """An in-process bus: one list of encoded entries per topic, a cursor per group and topic.

    It carries bytes as the others do: each event is kept as the Redis Streams entry it would be
    (schemaless Avro beside its metadata fields) and decoded on delivery, so a flow run on it
    checks the codec too.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``publish`` takes
       :class:`~openedx_subsidy_events.integrations.bus.WireEvent` objects, as every bus's does.
    """

    bus = "memory"

    def __init__(self) -> None:
        self._topics: dict[str, list[dict[bytes, bytes]]] = collections.defaultdict(list)
        self._subscriptions: list[tuple[str, Sequence[str], Deliver]] = []
        self._cursors: dict[tuple[str, str], int] = collections.defaultdict(int)

    def publish(self, events: Sequence[WireEvent]) -> PublishResult:
        for event in events:
            self._topics[event.topic].append(redis_fields(event.metadata, event.data))
        return PublishResult(len(events))

    def subscribe(self, group: str, topics: Sequence[str], deliver: Deliver) -> None:
        self._subscriptions.append((group, topics, deliver))

    def pump(self) -> int:
        delivered = 0
        for group, topics, deliver in self._subscriptions:
            for topic in topics:
                entries = self._topics[topic]
                while self._cursors[(group, topic)] < len(entries):
                    fields = entries[self._cursors[(group, topic)]]
                    metadata = metadata_from_redis_fields(fields)
                    definition = get_event(metadata.event_type)
                    payload = definition.deserialize(fields[b"event_data"], minorversion=metadata.minorversion)
                    deliver(definition, payload, metadata)
                    self._cursors[(group, topic)] += 1
                    delivered += 1
        return delivered

    def close(self) -> None:
        self._topics.clear()


BUS_MODULES: dict[str, str] = {
    "redis": "openedx_subsidy_events.integrations.redis:RedisBus",
    "rediss": "openedx_subsidy_events.integrations.redis:RedisBus",
    "unix": "openedx_subsidy_events.integrations.redis:RedisBus",
    "kafka": "openedx_subsidy_events.integrations.kafka:KafkaBus",
}
"""The bus class of each URL scheme (``module:class``); the class's ``from_url(url, **options)`` opens it."""


def open_bus(url: str, **options: Any) -> Bus:
    """The bus a URL names: ``memory``, ``redis://HOST:PORT/DB``, ``kafka`` (the mock cluster) or ``kafka://HOST:PORT``.

    ``options`` go to the bus class (Kafka: ``registry_url``). Raises :class:`ValueError` for an
    unknown scheme, and whatever the client raises when the server does not answer.

    .. versionadded:: 0.2.0 (``demo.open_bus`` before)
    """
    if url == "memory":
        return MemoryBus()
    scheme = url.split("://", 1)[0]
    if scheme not in BUS_MODULES:
        raise ValueError(f"unknown bus {url!r}: use memory, redis://HOST:PORT/DB, kafka or kafka://HOST:PORT")
    module, _, name = BUS_MODULES[scheme].partition(":")
    bus: Bus = getattr(importlib.import_module(module), name).from_url(url, **options)
    return bus

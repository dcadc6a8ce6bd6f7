"""The buses the demo runs the flow through: in memory, Redis Streams, Kafka; one small interface.

Every bus carries bytes: the in-memory one too encodes each event as a Redis Streams entry would be
(schemaless Avro beside its metadata fields) and decodes it on delivery, so the demo's
"corrupted" count checks the codec on every bus.
"""

from __future__ import annotations

import collections
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..envelope import EventMetadata
from ..events import EventDefinition, get_event
from ..integrations._consuming import Deliver
from ..integrations._headers import metadata_from_redis_fields, redis_fields

__all__ = ["Bus", "MemoryBus", "open_bus"]


class Bus(Protocol):
    """What the demo needs of a bus."""

    name: str

    def publish(self, topic: str, definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
        """Send one event to a topic."""

    def subscribe(self, group: str, topics: Sequence[str], deliver: Deliver) -> None:
        """Deliver every event of these topics to ``deliver``, as the consumer group ``group``."""

    def pump(self) -> int:
        """Deliver what has arrived, for every subscription; how many events were delivered."""

    def close(self) -> None:
        """Release the bus (and delete what the run created on a server)."""


class MemoryBus:
    """An in-process bus: one list of encoded entries per topic, a cursor per group and topic."""

    name = "memory"

    def __init__(self) -> None:
        self._topics: dict[str, list[dict[bytes, bytes]]] = collections.defaultdict(list)
        self._subscriptions: list[tuple[str, Sequence[str], Deliver]] = []
        self._cursors: dict[tuple[str, str], int] = collections.defaultdict(int)

    def publish(self, topic: str, definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
        self._topics[topic].append(redis_fields(metadata, definition.serialize(payload)))

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


class RedisBus:
    """Redis Streams through this package's producer and consumers (edx-event-bus-redis's layout)."""

    name = "redis"

    def __init__(self, url: str) -> None:
        from ..integrations import redis as redis_bus

        self._module = redis_bus
        self.client = redis_bus.redis.Redis.from_url(url)
        self.client.ping()
        self.prefix = f"subsidy-demo-{uuid.uuid4().hex[:8]}"
        self.producer = redis_bus.RedisStreamProducer(client=self.client, topic_prefix=self.prefix)
        self._consumers: list[Any] = []

    def publish(self, topic: str, definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
        self.producer.send(definition, payload, topic=topic, metadata=metadata)

    def subscribe(self, group: str, topics: Sequence[str], deliver: Deliver) -> None:
        for topic in topics:
            self._consumers.append(
                self._module.RedisStreamConsumer(
                    topic,
                    group,
                    f"{group}-1",
                    client=self.client,
                    topic_prefix=self.prefix,
                    deliver=deliver,
                    from_beginning=True,
                )
            )

    def pump(self) -> int:
        return sum(consumer.poll(count=500, block_ms=None) for consumer in self._consumers)

    def close(self) -> None:
        streams = list(self.client.scan_iter(f"{self.prefix}-*"))
        if streams:
            self.client.delete(*streams)
        self.client.close()


class KafkaBus:
    """Kafka through this package's producer and consumers, on brokers given or on the mock cluster."""

    name = "kafka"

    def __init__(self, bootstrap_servers: str | None, registry_url: str | None) -> None:
        from ..integrations import kafka

        self._module = kafka
        self.cluster = kafka.MockCluster() if bootstrap_servers is None else None
        self.bootstrap_servers = bootstrap_servers or self.cluster.bootstrap_servers  # type: ignore[union-attr]
        self.prefix = f"subsidy-demo-{uuid.uuid4().hex[:8]}"
        if registry_url is None:
            self.registry = kafka.seeded_mock_registry({})
        else:
            self.registry = kafka.schema_registry.SchemaRegistryClient.new_client({"url": registry_url})
        self.producer = kafka.KafkaEventProducer(
            bootstrap_servers=self.bootstrap_servers,
            registry=self.registry,
            topic_prefix=self.prefix,
            config={"linger.ms": 1},
        )
        self._consumers: list[Any] = []

    def publish(self, topic: str, definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
        self.producer.send(definition, payload, topic=topic, metadata=metadata)

    def subscribe(self, group: str, topics: Sequence[str], deliver: Deliver) -> None:
        self._ensure_topics(topics)  # before subscribing: a missing topic is only seen at the next metadata refresh
        consumer = self._module.KafkaEventConsumer(
            list(topics),
            f"{self.prefix}-{group}",
            bootstrap_servers=self.bootstrap_servers,
            registry=self.registry,
            topic_prefix=self.prefix,
            deliver=deliver,
        )
        deadline = time.monotonic() + 60
        while not consumer.consumer.assignment() and time.monotonic() < deadline:
            consumer.poll(timeout=0.1)  # joins the group (the topics are still empty: nothing is processed)
        self._consumers.append(consumer)

    def _ensure_topics(self, topics: Sequence[str]) -> None:
        """Have the brokers create the topics (auto-creation on a producer's metadata request)."""
        for topic in topics:
            self.producer.producer.list_topics(topic=f"{self.prefix}-{topic}", timeout=10)

    def pump(self) -> int:
        self.producer.producer.poll(0)
        return sum(consumer.poll(timeout=0.005) for consumer in self._consumers)

    def close(self) -> None:
        self.producer.flush(10)
        for consumer in self._consumers:
            consumer.close()
        self._consumers.clear()
        del self.producer  # every client goes before the mock cluster, so none reports the lost connection
        if self.cluster is not None:
            self.cluster.close()


def open_bus(spec: str, *, registry_url: str | None = None) -> Bus:
    """The bus a ``--bus`` value names: ``memory``, ``redis://HOST:PORT/DB``, ``kafka`` or ``kafka://HOST:PORT``."""
    opener: Callable[[], Bus]
    if spec == "memory":
        opener = MemoryBus
    elif spec.startswith(("redis://", "rediss://", "unix://")):
        opener = lambda: RedisBus(spec)  # noqa: E731
    elif spec == "kafka":
        opener = lambda: KafkaBus(None, registry_url)  # noqa: E731
    elif spec.startswith("kafka://"):
        opener = lambda: KafkaBus(spec.removeprefix("kafka://"), registry_url)  # noqa: E731
    else:
        raise ValueError(f"unknown bus {spec!r}: use memory, redis://HOST:PORT/DB, kafka or kafka://HOST:PORT")
    return opener()

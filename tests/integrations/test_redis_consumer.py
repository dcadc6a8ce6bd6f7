"""RedisStreamConsumer on a real Redis server, against the official edx-event-bus-redis producer and message format."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from subsidy_django import TOPIC_PREFIX as PREFIX
from subsidy_django import edx_redis_send, ensure_django
from subsidy_samples import full_payload, minimal_payload

from openedx_subsidy_events import LICENSE_ASSIGNED, EventDefinition, EventMetadata, MessageNotProcessed
from openedx_subsidy_events.demo._minor_one import license_assigned_minor_one
from openedx_subsidy_events.integrations.redis import RedisStreamConsumer, RedisStreamProducer, replay_dead_letters

ensure_django()

from edx_event_bus_redis.internal.message import RedisMessage  # noqa: E402
from edx_event_bus_redis.internal.producer import create_producer  # noqa: E402
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data  # noqa: E402
from openedx_events.tooling import OpenEdxPublicSignal  # noqa: E402

from openedx_subsidy_events.integrations.openedx import openedx_signal  # noqa: E402


@pytest.fixture
def topic() -> str:
    return f"consumer-{uuid.uuid4().hex[:8]}"


class Received(list[tuple[EventDefinition[Any], Any, EventMetadata]]):
    """A deliver callable that records what it was given."""

    def __call__(self, definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
        self.append((definition, payload, metadata))


def _consumer(client: redis.Redis, topic: str, **options: Any) -> RedisStreamConsumer:
    options.setdefault("deliver", Received())
    return RedisStreamConsumer(topic, "grp", "c1", client=client, topic_prefix=PREFIX, from_beginning=True, **options)


@pytest.mark.parametrize("build", [full_payload, minimal_payload], ids=["all-optional-set", "none-set"])
def test_reads_what_event_bus_redis_produces(definition: EventDefinition[Any], build: Any, client: redis.Redis,
                                             topic: str) -> None:  # fmt: skip
    """Entries the real edx-event-bus-redis producer writes are delivered with payload and metadata, then acked."""
    payload, metadata = build(definition), definition.metadata()
    consumer = _consumer(client, topic)
    edx_redis_send(definition, payload, topic, metadata)
    assert consumer.poll(block_ms=100) == 1
    assert consumer.deliver == [(definition, payload, metadata)]
    assert consumer.pending() == 0
    assert consumer.stats.processed == 1


def test_what_our_producer_writes_event_bus_redis_reads(definition: EventDefinition[Any], client: redis.Redis,
                                                        topic: str) -> None:  # fmt: skip
    """Our producer's entries parse with edx-event-bus-redis's RedisMessage and decode with openedx-events."""
    payload, metadata = full_payload(definition), definition.metadata()
    RedisStreamProducer(client=client, topic_prefix=PREFIX).send(definition, payload, topic=topic, metadata=metadata)
    (raw,) = client.xrange(f"{PREFIX}-{topic}")
    message = RedisMessage.parse(raw, topic=topic)
    assert EventMetadata.from_openedx(message.event_metadata) == metadata
    assert deserialize_bytes_to_event_data(message.event_data, openedx_signal(definition)) == {
        definition.data_key: payload
    }


@pytest.fixture
def minor_1(tmp_path: Path) -> Iterator[EventDefinition[Any]]:
    """LICENSE_ASSIGNED minor 1, with an openedx-events signal for it while the test runs (a producer that upgraded)."""
    definition = license_assigned_minor_one(tmp_path)
    mapping, instances = dict(OpenEdxPublicSignal._mapping), list(OpenEdxPublicSignal.instances)
    OpenEdxPublicSignal._mapping.pop(definition.event_type)
    OpenEdxPublicSignal(
        event_type=definition.event_type, data={definition.data_key: definition.payload_type}, minor_version=1
    )
    yield definition
    OpenEdxPublicSignal._mapping.clear()
    OpenEdxPublicSignal._mapping.update(mapping)
    OpenEdxPublicSignal.instances[:] = instances


def test_an_older_consumer_reads_a_newer_minor_exactly(minor_1: EventDefinition[Any], client: redis.Redis, topic: str,
                                                       caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    """edx-event-bus-redis writes minor 1 (a field appended); a consumer knowing only minor 0 reads all it knows."""
    consumer = _consumer(client, topic)
    sent = []
    for index in range(2):
        newer = minor_1.payload_type(**{**_fields(full_payload(LICENSE_ASSIGNED)), "assigned_by": f"admin-{index}"})
        metadata = EventMetadata(event_type=minor_1.event_type, minorversion=1)
        create_producer().send(
            signal=OpenEdxPublicSignal.get_signal_by_type(minor_1.event_type),
            topic=topic,
            event_key_field=minor_1.event_key_field,
            event_data={minor_1.data_key: newer},
            event_metadata=metadata.to_openedx(),
        )
        sent.append((newer, metadata))
    with caplog.at_level(logging.WARNING, logger="openedx_subsidy_events.consumer"):
        assert consumer.poll(block_ms=100) == 2
    for (definition, payload, metadata), (newer, sent_metadata) in zip(consumer.deliver, sent, strict=True):
        assert definition is LICENSE_ASSIGNED
        assert metadata == sent_metadata
        assert _fields(payload) == {k: v for k, v in _fields(newer).items() if k != "assigned_by"}
    warnings = [r.getMessage() for r in caplog.records if "minor 1 is newer" in r.getMessage()]
    assert len(warnings) == 1
    assert minor_1.event_type in warnings[0]
    assert consumer.stats.newer_minor == 2
    assert consumer.pending() == 0


def _fields(payload: Any) -> dict[str, Any]:
    return {a.name: getattr(payload, a.name) for a in type(payload).__attrs_attrs__}


def _raw_entry(client: redis.Redis, topic: str, definition: EventDefinition[Any], **changes: bytes) -> bytes:
    """An entry as the bus writes it, with some fields replaced."""
    metadata = definition.metadata()
    fields = dict(RedisMessage(topic=topic, event_data=definition.serialize(full_payload(definition)),
                               event_metadata=metadata.to_openedx()).to_binary_dict())  # fmt: skip
    fields.update({name.encode(): value for name, value in changes.items()})
    entry_id: bytes = client.xadd(f"{PREFIX}-{topic}", fields)
    return entry_id


def test_a_corrupt_entry_stays_pending_with_a_clear_error(client: redis.Redis, topic: str) -> None:
    """Truncated Avro is UNDECODABLE, naming stream, entry and event type; it stays pending, back at restart."""
    consumer = _consumer(client, topic)
    body = LICENSE_ASSIGNED.serialize(full_payload(LICENSE_ASSIGNED))
    bad = _raw_entry(client, topic, LICENSE_ASSIGNED, event_data=body[:-3])
    _raw_entry(client, topic, LICENSE_ASSIGNED)
    with pytest.raises(MessageNotProcessed) as info:
        consumer.poll(block_ms=100)
    error = info.value
    assert (error.bus, error.topic, error.rule, error.event_type) == (
        "redis",
        f"{PREFIX}-{topic}",
        "UNDECODABLE",
        LICENSE_ASSIGNED.event_type,
    )
    assert error.position == f"entry {bad.decode()}"
    assert "left pending" in str(error)
    assert consumer.poll(block_ms=100) == 1  # the next entry is not held up by the bad one
    assert consumer.pending() == 1
    restarted = _consumer(client, topic)
    with pytest.raises(MessageNotProcessed) as again:
        restarted.poll(block_ms=100)
    assert again.value.position == f"entry {bad.decode()}"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"type": b"org.openedx.unknown.thing.v1"}, "UNKNOWN_EVENT_TYPE"),
        ({"minorversion": b"x"}, "BAD_HEADERS"),
        ({"id": b"not-a-uuid"}, "BAD_HEADERS"),
        ({"event_data": b"\xff" * 3}, "UNDECODABLE"),
    ],
)
def test_unreadable_entries_go_to_the_dead_letter_stream(client: redis.Redis, topic: str, changes: dict[str, bytes],
                                                         rule: str) -> None:  # fmt: skip
    """With a dead-letter stream, an unreadable entry is copied there with why, acked, and can be replayed."""
    dead = f"{PREFIX}-{topic}-dead"
    consumer = _consumer(client, topic, dead_letter_stream=dead)
    entry = _raw_entry(client, topic, LICENSE_ASSIGNED, **changes)
    assert consumer.poll(block_ms=100) == 1
    assert consumer.pending() == 0
    assert consumer.stats.dead_lettered == 1
    assert consumer.deliver == []
    ((_, letter),) = client.xrange(dead)
    assert letter[b"dead_letter_rule"] == rule.encode()
    assert letter[b"dead_letter_entry"] == entry
    assert letter[b"dead_letter_stream"] == f"{PREFIX}-{topic}".encode()
    assert replay_dead_letters(client, dead) == 1
    assert client.xlen(dead) == 0
    (_, replayed) = client.xrange(f"{PREFIX}-{topic}")[-1]
    assert {k: v for k, v in replayed.items()} == {k: v for k, v in letter.items() if not k.startswith(b"dead_")}


def test_a_failing_handler_leaves_the_entry_pending_until_it_succeeds(client: redis.Redis, topic: str) -> None:
    """HANDLER_FAILED keeps the entry; the same consumer name, restarted with a working handler, processes it."""

    def broken(*_: Any) -> None:
        raise ConnectionError("database down")

    consumer = _consumer(client, topic, deliver=broken)
    _raw_entry(client, topic, LICENSE_ASSIGNED)
    with pytest.raises(MessageNotProcessed) as info:
        consumer.poll(block_ms=100)
    assert info.value.rule == "HANDLER_FAILED"
    assert isinstance(info.value.__cause__, ConnectionError)
    restarted = _consumer(client, topic)
    assert restarted.poll(block_ms=100) == 1
    assert [payload for _, payload, _ in restarted.deliver] == [full_payload(LICENSE_ASSIGNED)]
    assert restarted.pending() == 0


def test_the_django_consumer_runs_under_consume_events(client: redis.Redis, topic: str) -> None:
    """EVENT_BUS_CONSUMER = our RedisConsumer: openedx-events builds it, and the signal's receivers get the event."""
    from django.test import override_settings
    from openedx_events.event_bus import make_single_consumer

    payload, metadata = full_payload(LICENSE_ASSIGNED), LICENSE_ASSIGNED.metadata()
    setting = "openedx_subsidy_events.integrations.django_app.consumers.RedisConsumer"
    with override_settings(EVENT_BUS_CONSUMER=setting):
        consumer = make_single_consumer(
            topic=topic, group_id="django", consumer_name="web-1", inbox=False
        )  # no database here
    received: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        received.append(kwargs)
        consumer.consumer.stop()

    signal = openedx_signal(LICENSE_ASSIGNED)
    signal.connect(receiver, weak=False)
    try:
        edx_redis_send(LICENSE_ASSIGNED, payload, topic, metadata)
        consumer.consume_indefinitely()
    finally:
        signal.disconnect(receiver)
    (kwargs,) = received
    assert kwargs["license_assignment"] == payload
    assert kwargs["from_event_bus"] is True
    assert EventMetadata.from_openedx(kwargs["metadata"]) == metadata
    assert consumer.consumer.pending() == 0

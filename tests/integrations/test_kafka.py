"""Kafka through librdkafka's mock cluster (the real protocol on loopback), against the official edx-event-bus-kafka.

No Schema Registry server can run here: the registry is confluent-kafka's ``MockSchemaRegistryClient``,
handed to both our code and edx-event-bus-kafka (whose own settings would build an HTTP client).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import Schema
from subsidy_django import TOPIC_PREFIX as PREFIX
from subsidy_django import ensure_django
from subsidy_samples import full_payload, minimal_payload

from openedx_subsidy_events import LICENSE_ASSIGNED, EventDefinition, EventMetadata, MessageNotProcessed, SchemaError
from openedx_subsidy_events.demo._minor_one import license_assigned_minor_one
from openedx_subsidy_events.integrations.kafka import (
    KafkaEventConsumer,
    KafkaEventProducer,
    MockCluster,
    frame,
    registry_schema,
    seeded_mock_registry,
    unframe,
    value_subject,
)

ensure_django()

import edx_event_bus_kafka.internal.consumer as edx_consumer  # noqa: E402
import edx_event_bus_kafka.internal.producer as edx_producer  # noqa: E402
from django.test import override_settings  # noqa: E402
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer  # noqa: E402

from openedx_subsidy_events.integrations.openedx import openedx_signal  # noqa: E402


@pytest.fixture(scope="module")
def cluster() -> Iterator[MockCluster]:
    with MockCluster() as mock:
        yield mock


@pytest.fixture
def registry() -> Any:
    return seeded_mock_registry({})


@pytest.fixture
def topic() -> str:
    return f"kafka-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def edx_bus(cluster: MockCluster, registry: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """edx-event-bus-kafka configured as a service would, with the mock cluster and the mock registry."""
    monkeypatch.setattr(edx_producer, "get_schema_registry_client", lambda: registry)
    monkeypatch.setattr(edx_consumer, "get_schema_registry_client", lambda: registry)
    edx_producer.get_serializers.cache_clear()
    edx_consumer.get_deserializer.cache_clear()
    with override_settings(EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS=cluster.bootstrap_servers):
        yield
    edx_producer.get_serializers.cache_clear()
    edx_consumer.get_deserializer.cache_clear()


class Received(list[tuple[EventDefinition[Any], Any, EventMetadata]]):
    def __call__(self, definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
        self.append((definition, payload, metadata))


QUICK_REJOIN = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500}
"""The mock cluster frees a closed member's partitions only when its session times out (Kafka's default is 45 s)."""


def _earliest(cluster: MockCluster, group: str) -> Consumer:
    """A plain confluent-kafka consumer reading from the start, to see the raw messages."""
    settings = {"bootstrap.servers": cluster.bootstrap_servers, "group.id": group, "auto.offset.reset": "earliest"}
    return Consumer(settings)


def _consumer(cluster: MockCluster, registry: Any, topic: str, **options: Any) -> KafkaEventConsumer:
    options.setdefault("deliver", Received())
    options.setdefault("config", QUICK_REJOIN)
    return KafkaEventConsumer(topic, f"group-{topic}", bootstrap_servers=cluster.bootstrap_servers, registry=registry,
                              topic_prefix=PREFIX, **options)  # fmt: skip


def _poll_until(consumer: KafkaEventConsumer, count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while consumer.stats.processed + consumer.stats.dead_lettered < count and time.monotonic() < deadline:
        consumer.poll(timeout=0.2)


def _committed(consumer: KafkaEventConsumer, topic: str, partition: int) -> int:
    (position,) = consumer.consumer.committed([TopicPartition(f"{PREFIX}-{topic}", partition)], timeout=10)
    return int(position.offset)


def test_registry_schema_is_what_openedx_events_registers(definition: EventDefinition[Any]) -> None:
    """The schema we register is, character for character, the one edx-event-bus-kafka registers for our signal."""
    assert registry_schema(definition) == AvroSignalSerializer(openedx_signal(definition)).schema_string()


def test_both_producers_write_the_same_bytes(edx_bus: None, cluster: MockCluster, registry: Any, topic: str) -> None:
    """Ours and edx-event-bus-kafka's producer write identical key, value and headers, under the same subjects."""
    for definition in (LICENSE_ASSIGNED,):
        payload, metadata = full_payload(definition), definition.metadata()
        theirs = edx_producer.create_producer()
        theirs.send(
            signal=openedx_signal(definition), topic=topic, event_key_field=definition.event_key_field,
            event_data={definition.data_key: payload}, event_metadata=metadata.to_openedx(),
        )  # fmt: skip
        theirs.prepare_for_shutdown()
        ours = KafkaEventProducer(bootstrap_servers=cluster.bootstrap_servers, registry=registry, topic_prefix=PREFIX)
        ours.send(definition, payload, topic=topic, metadata=metadata)
        assert ours.flush() == 0
    reader = _earliest(cluster, f"raw-{topic}")
    reader.subscribe([f"{PREFIX}-{topic}"])
    messages: list[Any] = []
    deadline = time.monotonic() + 20
    while len(messages) < 2 and time.monotonic() < deadline:
        message = reader.poll(0.2)
        if message is not None and message.error() is None:
            messages.append(message)
    reader.close()
    edx, ours_message = messages
    assert (edx.key(), edx.value(), edx.headers(), edx.partition()) == (
        ours_message.key(),
        ours_message.value(),
        ours_message.headers(),
        ours_message.partition(),
    )
    assert sorted(registry.get_subjects()) == sorted(
        [f"{PREFIX}-{topic}-string", value_subject(f"{PREFIX}-{topic}", LICENSE_ASSIGNED)]
    )


@pytest.mark.parametrize("build", [full_payload, minimal_payload], ids=["all-optional-set", "none-set"])
def test_we_read_what_event_bus_kafka_produces(edx_bus: None, cluster: MockCluster, registry: Any, topic: str,
                                               build: Any) -> None:  # fmt: skip
    """Every event the real edx-event-bus-kafka producer writes reaches our handler with its payload and metadata."""
    from openedx_subsidy_events import all_events

    sent = []
    producer = edx_producer.create_producer()
    for definition in all_events():
        payload, metadata = build(definition), definition.metadata()
        producer.send(signal=openedx_signal(definition), topic=topic, event_key_field=definition.event_key_field,
                      event_data={definition.data_key: payload}, event_metadata=metadata.to_openedx())  # fmt: skip
        sent.append((definition, payload, metadata))
    producer.prepare_for_shutdown()
    consumer = _consumer(cluster, registry, topic)
    _poll_until(consumer, len(sent))
    assert sorted(consumer.deliver, key=lambda r: r[0].event_type) == sorted(sent, key=lambda r: r[0].event_type)
    consumer.close()


def test_event_bus_kafka_reads_what_we_produce(edx_bus: None, cluster: MockCluster, registry: Any, topic: str) -> None:
    """edx-event-bus-kafka's own consumer decodes our message and sends the signal with our payload and metadata."""
    payload, metadata = full_payload(LICENSE_ASSIGNED), LICENSE_ASSIGNED.metadata()
    received: list[dict[str, Any]] = []
    ours = KafkaEventProducer(bootstrap_servers=cluster.bootstrap_servers, registry=registry, topic_prefix=PREFIX)
    ours.send(LICENSE_ASSIGNED, payload, topic=topic, metadata=metadata)  # the topic exists before they subscribe
    ours.flush()
    their_consumer = edx_consumer.KafkaEventConsumer(topic, f"edx-{topic}")

    def receiver(**kwargs: Any) -> None:
        received.append(kwargs)
        their_consumer._shut_down()

    signal = openedx_signal(LICENSE_ASSIGNED)
    signal.connect(receiver, weak=False)
    thread = threading.Thread(target=their_consumer._consume_indefinitely, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    try:  # their consumer starts at the latest offset: send until it has joined and read one
        while not received and time.monotonic() < deadline:
            ours.send(LICENSE_ASSIGNED, payload, topic=topic, metadata=metadata)
            ours.flush()
            thread.join(0.5)
    finally:
        their_consumer._shut_down()
        thread.join(10)
        signal.disconnect(receiver)
    assert received, "edx-event-bus-kafka's consumer received nothing"
    assert received[0]["license_assignment"] == payload
    assert EventMetadata.from_openedx(received[0]["metadata"]) == metadata


def _send_raw(cluster: MockCluster, topic: str, value: bytes, metadata: EventMetadata | None = None,
              key: bytes = b"k") -> None:  # fmt: skip
    from openedx_subsidy_events.integrations._headers import kafka_headers

    producer = Producer({"bootstrap.servers": cluster.bootstrap_servers})
    metadata = metadata or LICENSE_ASSIGNED.metadata()
    producer.produce(f"{PREFIX}-{topic}", key=key, value=value, headers=kafka_headers(metadata))
    producer.flush()


def test_an_unknown_schema_id_is_not_committed_and_read_again(cluster: MockCluster, registry: Any, topic: str) -> None:
    """An unknown schema id: a clear error naming topic, partition, offset and event; the offset is not committed."""
    _send_raw(cluster, topic, frame(9999, LICENSE_ASSIGNED.serialize(full_payload(LICENSE_ASSIGNED))))
    consumer = _consumer(cluster, registry, topic)
    error = _first_failure(consumer)
    assert (error.bus, error.topic, error.rule, error.event_type) == (
        "kafka",
        f"{PREFIX}-{topic}",
        "UNKNOWN_SCHEMA_ID",
        LICENSE_ASSIGNED.event_type,
    )
    assert error.position.endswith("offset 0")
    assert "9999" in error.reason
    assert "not committed" in str(error)
    partition = int(error.position.split()[1])
    assert _committed(consumer, topic, partition) < 0  # nothing committed for the group
    consumer.close()
    restarted = _consumer(cluster, registry, topic)
    assert _first_failure(restarted).position == error.position
    restarted.close()


def _first_failure(consumer: KafkaEventConsumer, timeout: float = 20.0) -> MessageNotProcessed:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            consumer.poll(timeout=0.2)
        except MessageNotProcessed as error:
            return error
    raise AssertionError("the consumer raised no MessageNotProcessed")


def _framed_with_a_bad_uuid(registry: Any, topic: str) -> bytes:
    """A well-framed value of the registered schema whose subsidy_request_uuid is not a UUID (fails validation)."""
    import io

    import fastavro

    schema = registry_schema(LICENSE_ASSIGNED)
    schema_id = registry.register_schema(value_subject(f"{PREFIX}-{topic}", LICENSE_ASSIGNED), Schema(schema, "AVRO"))
    record = LICENSE_ASSIGNED.to_record(full_payload(LICENSE_ASSIGNED))
    record["license_assignment"]["subsidy_request_uuid"] = "not-a-uuid"
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(json.loads(schema)), record)
    return frame(schema_id, out.getvalue())


def _a_writer_without(field: str) -> str:
    schema = json.loads(registry_schema(LICENSE_ASSIGNED))
    record = schema["fields"][0]["type"]
    record["fields"] = [f for f in record["fields"] if f["name"] != field]
    return json.dumps(schema)


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (lambda registry, topic: frame(9999, b"\x00"), "UNKNOWN_SCHEMA_ID"),
        (lambda registry, topic: b"\x01\x00\x00\x00\x01abc", "UNDECODABLE"),
        (lambda registry, topic: b"", "UNDECODABLE"),
        (
            lambda registry, topic: frame(
                registry.register_schema(
                    value_subject(f"{PREFIX}-{topic}", LICENSE_ASSIGNED),
                    Schema(_a_writer_without("user_email"), "AVRO"),
                ),
                b"\x00",
            ),
            "INCOMPATIBLE_WRITER_SCHEMA",
        ),
        (
            lambda registry, topic: frame(
                registry.register_schema("other", Schema('{"type": "record", "name": "X", "fields": []}', "AVRO")), b""
            ),
            "INCOMPATIBLE_WRITER_SCHEMA",
        ),
        (lambda registry, topic: _framed_with_a_bad_uuid(registry, topic), "UNDECODABLE"),
    ],
    ids=["unknown-id", "bad-magic", "empty", "writer-lacks-a-required-field", "another-record", "invalid-uuid"],
)
def test_unreadable_messages_go_to_the_dead_letter_topic(cluster: MockCluster, registry: Any, topic: str, value: Any,
                                                         rule: str) -> None:  # fmt: skip
    """With a dead-letter topic, an unreadable message is copied there (with why) and its offset committed."""
    _send_raw(cluster, topic, value(registry, topic))
    dead = f"{PREFIX}-{topic}-dead"
    consumer = _consumer(cluster, registry, topic, dead_letter_topic=dead)
    _poll_until(consumer, 1)
    assert consumer.stats.dead_lettered == 1
    assert consumer.deliver == []
    reader = _earliest(cluster, f"dl-{topic}")
    reader.subscribe([dead])
    deadline, letter = time.monotonic() + 20, None
    while letter is None and time.monotonic() < deadline:
        message = reader.poll(0.2)
        letter = message if message is not None and message.error() is None else None
    reader.close()
    assert letter is not None
    headers = dict(letter.headers())
    assert headers["dead_letter_rule"] == rule.encode()
    assert headers["dead_letter_topic"] == f"{PREFIX}-{topic}".encode()
    assert letter.value() == value(registry, topic) or rule != "UNKNOWN_SCHEMA_ID"
    consumer.close()


def test_a_newer_minor_from_the_registry_is_resolved_to_the_consumers(tmp_path: Path, cluster: MockCluster,
                                                                     registry: Any, topic: str) -> None:  # fmt: skip
    """A producer on minor 1 registers its schema; a minor-0 consumer fetches it by id and reads all it knows."""
    minor_1 = license_assigned_minor_one(tmp_path)
    newer = minor_1.payload_type(**{**_fields(full_payload(LICENSE_ASSIGNED)), "assigned_by": "admin"})
    producer = KafkaEventProducer(bootstrap_servers=cluster.bootstrap_servers, registry=registry, topic_prefix=PREFIX)
    producer.send(LICENSE_ASSIGNED, full_payload(LICENSE_ASSIGNED), topic=topic)  # minor 0 registered first
    producer_1 = KafkaEventProducer(bootstrap_servers=cluster.bootstrap_servers, registry=registry, topic_prefix=PREFIX)
    producer_1.send(minor_1, newer, topic=topic, metadata=EventMetadata(event_type=minor_1.event_type, minorversion=1))
    assert producer.flush() == 0
    assert producer_1.flush() == 0
    assert sorted(registry.get_versions(value_subject(f"{PREFIX}-{topic}", LICENSE_ASSIGNED))) == [1, 2]
    consumer = _consumer(cluster, registry, topic)
    _poll_until(consumer, 2)
    payloads = [payload for _, payload, _ in consumer.deliver]
    assert payloads == [full_payload(LICENSE_ASSIGNED)] * 2
    assert sorted(metadata.minorversion for _, _, metadata in consumer.deliver) == [0, 1]  # two producers: any order
    consumer.close()


def _fields(payload: Any) -> dict[str, Any]:
    return {a.name: getattr(payload, a.name) for a in type(payload).__attrs_attrs__}


def test_registering_an_incompatible_version_is_refused_by_our_linter(cluster: MockCluster, registry: Any,
                                                                      topic: str) -> None:  # fmt: skip
    """A subject whose registered version has a required field ours lacks: FULL_TRANSITIVE fails, nothing registered."""
    schema = json.loads(registry_schema(LICENSE_ASSIGNED))
    schema["fields"][0]["type"]["fields"].append({"name": "required_later", "type": "string"})
    subject = value_subject(f"{PREFIX}-{topic}", LICENSE_ASSIGNED)
    registry.register_schema(subject, Schema(json.dumps(schema), "AVRO"))
    producer = KafkaEventProducer(bootstrap_servers=cluster.bootstrap_servers, registry=registry, topic_prefix=PREFIX)
    with pytest.raises(SchemaError) as info:
        producer.send(LICENSE_ASSIGNED, full_payload(LICENSE_ASSIGNED), topic=topic)
    assert info.value.rule == "REGISTRY_INCOMPATIBLE"
    assert info.value.path == subject
    assert "FULL_TRANSITIVE" in str(info.value)
    assert list(registry.get_versions(subject)) == [1]


def test_keys_put_every_event_of_a_request_on_one_partition(cluster: MockCluster, registry: Any, topic: str) -> None:
    """The key is the framed subsidy_request_uuid: approved and assigned events of one request share a partition."""
    from openedx_subsidy_events import LICENSE_REQUEST_APPROVED

    producer = KafkaEventProducer(bootstrap_servers=cluster.bootstrap_servers, registry=registry, topic_prefix=PREFIX)
    request_uuids = [uuid.uuid4() for _ in range(20)]
    for request_uuid in request_uuids:
        for definition in (LICENSE_REQUEST_APPROVED, LICENSE_ASSIGNED):
            payload = full_payload(definition)
            payload = type(payload)(**{**_fields(payload), "subsidy_request_uuid": request_uuid})
            producer.send(definition, payload, topic=topic)
    assert producer.flush() == 0
    consumer = _consumer(cluster, registry, topic)
    _poll_until(consumer, 40)
    partitions: dict[Any, set[int]] = {}
    key_ids = set()
    raw = _earliest(cluster, f"keys-{topic}")
    raw.subscribe([f"{PREFIX}-{topic}"])
    seen, deadline = 0, time.monotonic() + 20
    while seen < 40 and time.monotonic() < deadline:
        message = raw.poll(0.2)
        if message is None or message.error() is not None:
            continue
        seen += 1
        schema_id, body = unframe(message.key())
        key_ids.add(schema_id)
        partitions.setdefault(body[1:].decode(), set()).add(message.partition())
    raw.close()
    consumer.close()
    assert sorted(partitions) == sorted(str(u) for u in request_uuids)
    assert all(len(p) == 1 for p in partitions.values())
    assert len(key_ids) == 1
    assert len({next(iter(p)) for p in partitions.values()}) > 1  # and requests do spread over partitions

"""Kafka with a Confluent Schema Registry, byte for byte as edx-event-bus-kafka 6.x writes and reads it.

Needs the ``kafka`` extra. A message is:

* **value**: Confluent framing (magic byte ``0``, the 4-byte big-endian schema id, then the schemaless
  Avro body), registered under the subject ``<topic>-<event_type>.CloudEvent`` (TopicRecordNameStrategy)
  with the schema openedx-events generates (:func:`registry_schema`), so a service on
  edx-event-bus-kafka and one on this package register and read the same schema;
* **key**: ``subsidy_request_uuid`` as an Avro string, framed the same way, subject ``<topic>-string``
  (what edx-event-bus-kafka derives from ``event_key_field``): every event of one request goes to
  one partition, in order;
* **headers**: the CloudEvents ``ce_*`` headers of the metadata.

The reader fetches the writer schema by the id in the message, checks with this package's linter
that the consumer's schema can read it (BACKWARD), and resolves it to the consumer's schema: it
never assumes the two are equal. Registering a new schema version is decided by the same linter
(``FULL_TRANSITIVE`` against the subject's versions, by default), never by trial.
"""

from __future__ import annotations

import copy
import json
import logging
import struct
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import fastavro

from ..avro._schema import ENVELOPE_RECORD_NAME, avro_namespace
from ..avro._wire import encode_long
from ..compat import Severity, check
from ..envelope import EventMetadata
from ..events import CORRELATION_FIELD, EventDefinition, get_event
from ..exceptions import BrokerUnavailable, DecodeError, MessageNotProcessed, SchemaError
from ._consuming import ConsumerLoop, ConsumeStats, Deliver, MessagePlace, Retry, deliver_in_process, events_by_type
from ._extras import require
from ._headers import HeaderError, kafka_event_type, kafka_headers, metadata_from_kafka_headers
from .bus import PublishResult, WireEvent

confluent_kafka = require("confluent_kafka", extra="kafka", module=__name__)
schema_registry = require("confluent_kafka.schema_registry", extra="kafka", module=__name__)

__all__ = [
    "KEY_SCHEMA",
    "KafkaBus",
    "KafkaCodec",
    "KafkaEventConsumer",
    "KafkaEventProducer",
    "MockCluster",
    "frame",
    "key_subject",
    "registry_schema",
    "seeded_mock_registry",
    "unframe",
    "value_subject",
]

logger = logging.getLogger("openedx_subsidy_events.consumer")

MAGIC_BYTE = 0
ENVELOPE_DOC = "Avro Event Format for CloudEvents created with openedx_events/schema"
KEY_SCHEMA = json.dumps({"name": CORRELATION_FIELD, "type": "string"}, sort_keys=True)
"""The key schema edx-event-bus-kafka registers: the ``subsidy_request_uuid`` field's entry, as a schema."""
DEAD_LETTER_PREFIX = "dead_letter_"


# -- the registry's view of an event --------------------------------------------------------


def _without_docs(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_docs(v) for k, v in node.items() if k != "doc" and not k.startswith("x-")}
    if isinstance(node, list):
        return [_without_docs(item) for item in node]
    return node


def registry_schema(definition: EventDefinition[Any], minorversion: int | None = None) -> str:
    """The schema text registered for an event's minor (default: the current one), as openedx-events makes it.

    The published schema without docs and ``x-`` attributes, with openedx-events' envelope doc and
    the event type as namespace, keys sorted: character for character what edx-event-bus-kafka
    registers for the same payload class, so both register one schema under one subject.
    """
    minor = definition.minor_version if minorversion is None else minorversion
    schema = _without_docs(definition.schemas[minor])
    schema["namespace"] = definition.event_type
    schema["doc"] = ENVELOPE_DOC
    return json.dumps(schema, sort_keys=True)


def value_subject(topic: str, definition: EventDefinition[Any]) -> str:
    """The value subject of an event on a (full) topic: TopicRecordNameStrategy, as edx-event-bus-kafka names it."""
    return f"{topic}-{definition.event_type}.{ENVELOPE_RECORD_NAME}"


def key_subject(topic: str) -> str:
    """The key subject of a (full) topic: the key schema is a string, whose name the strategy takes as ``string``."""
    return f"{topic}-string"


def frame(schema_id: int, body: bytes) -> bytes:
    """Confluent's wire format: magic byte 0, the schema id as 4 bytes big-endian, the Avro body."""
    return struct.pack(">bI", MAGIC_BYTE, schema_id) + body


def unframe(data: bytes | None) -> tuple[int, bytes]:
    """``(schema id, body)`` of a framed message; :class:`DecodeError` if it is not in Confluent's format."""
    if data is None or len(data) < 5:
        raise DecodeError(None, "the message is shorter than Confluent's 5-byte header", offset=0)
    if data[0] != MAGIC_BYTE:
        raise DecodeError(None, f"the magic byte is {data[0]}, not 0 (not Confluent's wire format)", offset=0)
    return struct.unpack(">I", data[1:5])[0], data[5:]


def seeded_mock_registry(topics: Mapping[str, Iterable[EventDefinition[Any]]]) -> Any:
    """A ``MockSchemaRegistryClient`` with every published minor of these events registered, in a fixed order.

    No Schema Registry server runs in tests or the demo; a mock registry lives in one process.
    Two processes that seed one the same way get the same ids for the same schemas, so a
    producer and a consumer in different processes agree without a server.
    """
    registry = schema_registry.SchemaRegistryClient.new_client({"url": "mock://openedx-subsidy-events"})
    for topic in sorted(topics):
        registry.register_schema(key_subject(topic), schema_registry.Schema(KEY_SCHEMA, "AVRO"))
        for definition in sorted(topics[topic], key=lambda d: d.event_type):
            for minor in sorted(definition.schemas):
                schema = schema_registry.Schema(registry_schema(definition, minor), "AVRO")
                registry.register_schema(value_subject(topic, definition), schema)
    return registry


# -- encoding and decoding ------------------------------------------------------------------


class KafkaCodec:
    """Confluent-framed keys and values of our events, through a schema registry client.

    ``compatibility`` is the mode a new schema version must pass against a subject's registered
    versions before this codec registers it (``NONE`` registers without checking).

    .. versionadded:: 0.1.0
    """

    def __init__(self, registry: Any, *, compatibility: str = "FULL_TRANSITIVE") -> None:
        self.registry = registry
        self.compatibility = compatibility
        self._ids: dict[str, int] = {}
        self._readers: dict[tuple[int, str], tuple[Any, Any]] = {}
        self._lock = threading.Lock()

    # writing

    def _registered_id(self, cache_key: str, schema_text: str, *, subject: str | None = None) -> int:
        known = self._ids.get(cache_key)
        if known is not None:
            return known
        subject = subject or cache_key
        with self._lock:
            schema = schema_registry.Schema(schema_text, "AVRO")
            try:
                schema_id = self.registry.lookup_schema(subject, schema).schema_id
            except schema_registry.SchemaRegistryError:
                self._check_compatible(subject, schema_text)
                schema_id = self.registry.register_schema(subject, schema)
            self._ids[cache_key] = schema_id
            return int(schema_id)

    def _check_compatible(self, subject: str, schema_text: str) -> None:
        """Refuse a new version of a subject that breaks its registered versions, by this package's linter."""
        if self.compatibility == "NONE":
            return
        try:
            versions = sorted(self.registry.get_versions(subject))
        except schema_registry.SchemaRegistryError:
            versions = []
        if not versions:
            return
        texts = [self.registry.get_version(subject, v).schema.schema_str for v in versions]
        earlier = [json.loads(text) for text in texts]
        report = check(earlier[-1], json.loads(schema_text), mode=self.compatibility, earlier=earlier[:-1])
        errors = report.at_least(Severity.ERROR)
        if errors:
            first = errors[0]
            raise SchemaError(
                subject,
                f"not registered: it is not {self.compatibility} compatible with version {versions[-1]}: "
                f"{first.rule}: {first.message}",
                rule="REGISTRY_INCOMPATIBLE",
            )

    def serialize_value(self, topic: str, definition: EventDefinition[Any], payload: Any) -> bytes:
        """The framed value of a payload on a (full) topic; registers the schema the first time."""
        return self.frame_value(topic, definition, definition.serialize(payload), definition.minor_version)

    def serialize_key(self, topic: str, definition: EventDefinition[Any], payload: Any) -> bytes:
        """The framed key of a payload: its ``subsidy_request_uuid`` as an Avro string."""
        return self.frame_key(topic, str(definition.event_key(payload)))

    def frame_key(self, topic: str, key: str) -> bytes:
        """The framed key of an event whose key is ``key``, an Avro string."""
        schema_id = self._registered_id(key_subject(topic), KEY_SCHEMA)
        text = key.encode()
        return frame(schema_id, encode_long(len(text)) + text)

    def frame_value(self, topic: str, definition: EventDefinition[Any], body: bytes, minorversion: int) -> bytes:
        """The framed value of Avro bytes written with the schema of ``minorversion`` (registered the first time)."""
        subject = value_subject(topic, definition)
        if minorversion == definition.minor_version:
            return frame(self._registered_id(subject, registry_schema(definition)), body)
        return frame(self._registered_id(f"{subject}#{minorversion}", registry_schema(definition, minorversion),
                                         subject=subject), body)  # fmt: skip

    # reading

    def _reader_for(self, schema_id: int, definition: EventDefinition[Any]) -> tuple[Any, Any]:
        """``(writer, reader)`` parsed for fastavro, after checking that the reader can read the writer."""
        pair = self._readers.get((schema_id, definition.event_type))
        if pair is not None:
            return pair
        try:
            schema = self.registry.get_schema(schema_id)
        except schema_registry.SchemaRegistryError as error:
            raise _Unreadable("UNKNOWN_SCHEMA_ID", f"schema id {schema_id} is not in the registry ({error})") from None
        if schema is None:
            raise _Unreadable("UNKNOWN_SCHEMA_ID", f"schema id {schema_id} is not in the registry")
        writer = json.loads(schema.schema_str)
        namespace = writer.get("namespace") if isinstance(writer, dict) else None
        accepted = {definition.event_type, avro_namespace(definition.event_type)}
        if not isinstance(writer, dict) or writer.get("name") != ENVELOPE_RECORD_NAME or namespace not in accepted:
            raise _Unreadable(
                "INCOMPATIBLE_WRITER_SCHEMA",
                f"schema id {schema_id} is not a schema of {definition.event_type} (its record is "
                f"{namespace}.{writer.get('name') if isinstance(writer, dict) else writer})",
            )
        reader = copy.deepcopy(definition.schema)
        reader["namespace"] = namespace
        errors = check(writer, reader, mode="BACKWARD").at_least(Severity.ERROR)
        if errors:
            first = errors[0]
            raise _Unreadable(
                "INCOMPATIBLE_WRITER_SCHEMA",
                f"this package's {definition.event_type} minor {definition.minor_version} cannot read schema id "
                f"{schema_id}: {first.rule}: {first.message}",
            )
        if _canonical(writer) == _canonical(reader):  # the same wire schema: read as written, nothing to resolve
            pair = (fastavro.parse_schema(writer), None)
        else:
            pair = (fastavro.parse_schema(writer), fastavro.parse_schema(reader))
        self._readers[(schema_id, definition.event_type)] = pair
        return pair

    def deserialize_value(self, data: bytes | None, definition: EventDefinition[Any]) -> Any:
        """The payload of a framed value, read with its writer's schema resolved to the current one."""
        schema_id, body = unframe(data)
        writer, reader = self._reader_for(schema_id, definition)
        return definition.deserialize_resolved(body, writer=writer, reader=reader)


def _canonical(schema: dict[str, Any]) -> str:
    """The Avro Parsing Canonical Form: two schemas with the same one read the same bytes the same way."""
    return str(fastavro.schema.to_parsing_canonical_form(schema))


class _Unreadable(Exception):
    def __init__(self, rule: str, reason: str) -> None:
        super().__init__(rule, reason)
        self.rule = rule
        self.reason = reason


# -- producer -------------------------------------------------------------------------------


def _full_topic(topic: str, prefix: str | None) -> str:
    return f"{prefix}-{topic}" if prefix else topic


class KafkaEventProducer:
    """Sends events to Kafka as edx-event-bus-kafka does: framed key and value, ``ce_*`` headers.

    Idempotence is on (``enable.idempotence``, unless ``config`` says otherwise), so librdkafka's
    retries neither duplicate nor reorder the events of one partition. :meth:`send` is
    asynchronous, as with any Kafka producer (call :meth:`flush` before exiting; failed deliveries
    are logged and kept in :attr:`failed` as ``(topic, key, error)``); :meth:`publish` waits for
    the brokers' acknowledgement of each event, as the outbox relay needs.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 :meth:`publish`; idempotence on by default.
    """

    bus = "kafka"

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        registry: Any,
        topic_prefix: str | None = None,
        config: Mapping[str, Any] | None = None,
        compatibility: str = "FULL_TRANSITIVE",
    ) -> None:
        self.codec = KafkaCodec(registry, compatibility=compatibility)
        self.topic_prefix = topic_prefix
        self._settings = {"bootstrap.servers": bootstrap_servers, "enable.idempotence": True, **(config or {})}
        self.producer = confluent_kafka.Producer(self._settings)
        self.failed: list[tuple[str, bytes | None, str]] = []

    def _delivered(self, error: Any, message: Any) -> None:
        if error is not None:
            self.failed.append((message.topic(), message.key(), str(error)))
            logger.error("kafka delivery to %r failed: %s", message.topic(), error)

    def send(
        self, definition: EventDefinition[Any], payload: Any, *, topic: str, metadata: EventMetadata | None = None
    ) -> None:
        """Queue one event for the (un-prefixed) topic."""
        event = WireEvent.build(definition, payload, topic=topic, metadata=metadata)
        self._produce(event, self._delivered, definition)
        self.producer.poll(0)

    def _produce(self, event: WireEvent, on_delivery: Any, definition: EventDefinition[Any] | None = None) -> None:
        full_topic = _full_topic(event.topic, self.topic_prefix)
        definition = definition or get_event(event.metadata.event_type)
        key = self.codec.frame_key(full_topic, event.key)
        value = self.codec.frame_value(full_topic, definition, event.data, event.metadata.minorversion)
        while True:
            try:
                self.producer.produce(
                    full_topic, key=key, value=value, headers=kafka_headers(event.metadata), on_delivery=on_delivery
                )
                return
            except BufferError:  # the local queue is full: let deliveries drain it
                self.producer.poll(0.1)

    def publish(self, events: Sequence[WireEvent], *, timeout: float = 30.0) -> PublishResult:
        """Produce the events in order and wait up to ``timeout`` s for their delivery reports.

        The acknowledged prefix counts; an event not reported by then is not acknowledged (it may
        still arrive, and is then sent again: the consumer's inbox makes that harmless). After any
        failed delivery the producer is replaced by a new one for the next call: an idempotent
        producer whose messages timed out needs the broker to bump its epoch (KIP-360), which not
        every Kafka-protocol broker does, and fails every later message until then.
        """
        reports: list[str | None] = [None] * len(events)
        answered = [False] * len(events)

        def report(index: int) -> Any:
            def on_delivery(error: Any, _message: Any) -> None:
                answered[index] = True
                if error is not None:
                    reports[index] = str(error)

            return on_delivery

        for index, event in enumerate(events):
            self._produce(event, report(index))
        deadline = time.monotonic() + timeout
        while not all(answered) and time.monotonic() < deadline:
            self.producer.flush(min(1.0, max(0.0, deadline - time.monotonic())))
        if any(reports) or not all(answered):
            self.producer.purge()  # what is still queued is not delivered later: the caller sends it again
            self.producer.poll(0)
            self.producer = confluent_kafka.Producer(self._settings)
        for index, done in enumerate(answered):
            if not done:
                return PublishResult(index, f"no delivery report within {timeout:g} s")
            if reports[index] is not None:
                return PublishResult(index, reports[index])
        return PublishResult(len(events))

    def flush(self, timeout: float = 30.0) -> int:
        """Wait for every queued event to be delivered; returns how many are still queued."""
        return int(self.producer.flush(timeout))

    def close(self) -> None:
        """Deliver what is queued (up to 30 s)."""
        self.flush()


# -- consumer -------------------------------------------------------------------------------


class KafkaEventConsumer(ConsumerLoop):
    """Reads topics in a consumer group; decodes, delivers, and commits each offset only after delivery.

    Arguments:
        topics: the topics, without the environment prefix.
        group_id: the consumer group.
        bootstrap_servers, registry: the cluster and a schema registry client.
        topic_prefix: ``EVENT_BUS_TOPIC_PREFIX``.
        dead_letter_topic: where messages that cannot be processed are copied (full topic name),
            with ``dead_letter_*`` headers saying why and where from; their offsets are then committed.
            Without it, such a message raises :class:`~openedx_subsidy_events.MessageNotProcessed`
            from :meth:`poll` with its offset *not* committed: the consumer stops there, and the
            message is read again when it restarts.
        deliver: how an event reaches the service (default: the receivers connected in process).
        events: the events this consumer reads (default: all of this package's).
        config: more librdkafka settings (``auto.offset.reset`` is ``earliest`` unless given, so a
            new group skips no event).
        retry: how a raising handler is retried before the message is dead-lettered or kept.
        reconnect_timeout: how long every broker may stay unreachable (librdkafka reconnects on
            its own meanwhile) before :class:`~openedx_subsidy_events.BrokerUnavailable` is raised.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``retry``, ``reconnect_timeout``; :meth:`stop` takes effect between two messages.

    """

    def __init__(
        self,
        topics: str | Sequence[str],
        group_id: str,
        *,
        bootstrap_servers: str,
        registry: Any,
        topic_prefix: str | None = None,
        dead_letter_topic: str | None = None,
        deliver: Deliver = deliver_in_process,
        events: Iterable[EventDefinition[Any]] | None = None,
        config: Mapping[str, Any] | None = None,
        retry: Retry | None = None,
        reconnect_timeout: float = 60.0,
    ) -> None:
        self.retry = retry or Retry()
        self.reconnect_timeout = reconnect_timeout
        self._brokers_down_since: float | None = None
        names = [topics] if isinstance(topics, str) else list(topics)
        self.topics = [_full_topic(topic, topic_prefix) for topic in names]
        self.group_id = group_id
        self.codec = KafkaCodec(registry)
        self.dead_letter_topic = dead_letter_topic
        self.deliver = deliver
        self.events = events_by_type(events)
        self.stats = ConsumeStats()
        self.batch_size = 500
        settings = {
            "bootstrap.servers": bootstrap_servers,
            "group.id": group_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            **(config or {}),
        }
        self.consumer = confluent_kafka.Consumer(settings)
        self.consumer.subscribe(self.topics)
        self._dead_letters: Any = None
        if dead_letter_topic is not None:
            self._dead_letters = confluent_kafka.Producer({"bootstrap.servers": bootstrap_servers})

    def poll(self, *, timeout: float = 1.0, max_messages: int = 500) -> int:
        """Process the messages there are, waiting up to ``timeout`` for the first (at most ``max_messages``).

        Returns how many. It returns as soon as one message came, with the others already fetched:
        librdkafka's batch read would wait the whole ``timeout`` for ``max_messages``.

        Offsets are committed (synchronously) after the batch, for the messages handled. On a
        message that cannot be processed and is not dead-lettered, the ones handled before it are
        committed, its partition is rewound to it, and :class:`MessageNotProcessed` is raised.
        """
        first = self.consumer.poll(timeout)  # returns with the first message, not once max_messages arrived
        rest = self.consumer.consume(max_messages - 1, 0) if first is not None and max_messages > 1 else []
        messages = [] if first is None else [first, *rest]
        done: dict[tuple[str, int], int] = {}
        handled = 0
        for message in messages:
            if self._stopped:
                rewind = confluent_kafka.TopicPartition(message.topic(), message.partition(), message.offset())
                self.consumer.seek(rewind)  # not handled: read again by whoever consumes the partition next
                break
            error = message.error()
            if error is not None:
                self._note_error(error)
                continue
            self._brokers_down_since = None
            try:
                self.process(message)
            except MessageNotProcessed:
                self._commit(done)
                rewind = confluent_kafka.TopicPartition(message.topic(), message.partition(), message.offset())
                self.consumer.seek(rewind)
                raise
            done[(message.topic(), message.partition())] = message.offset() + 1
            handled += 1
        self._commit(done)
        return handled

    def _note_error(self, error: Any) -> None:
        """Log a consumer error; raise on a fatal one, or once every broker was down for ``reconnect_timeout``."""
        if error.fatal():
            raise confluent_kafka.KafkaException(error)
        logger.warning("kafka: %s", error)
        if error.code() != confluent_kafka.KafkaError._ALL_BROKERS_DOWN:
            return
        now = time.monotonic()
        self._brokers_down_since = self._brokers_down_since or now
        if now - self._brokers_down_since >= self.reconnect_timeout:
            raise BrokerUnavailable("kafka", ",".join(self.topics), seconds=now - self._brokers_down_since,
                                    reason=str(error))  # fmt: skip

    def describe(self) -> tuple[str, str]:
        """``("kafka", topics)``."""
        return "kafka", ",".join(self.topics)

    def _commit(self, done: Mapping[tuple[str, int], int]) -> None:
        if done:
            offsets = [confluent_kafka.TopicPartition(t, p, o) for (t, p), o in done.items()]
            self.consumer.commit(offsets=offsets, asynchronous=False)

    def process(self, message: Any) -> None:
        """Decode and deliver one message (or dead-letter it, or raise :class:`MessageNotProcessed`)."""
        headers = message.headers()
        place = MessagePlace("kafka", message.topic(), _position(message), kafka_event_type(headers))
        try:
            self._handle(place, message, headers)
        except MessageNotProcessed as error:
            if self._dead_letters is None:
                error.kept = "offset not committed: the message is read again when the consumer restarts"
                raise
            self._dead_letter(message, error)
            return
        self.stats.processed += 1

    def _handle(self, place: MessagePlace, message: Any, headers: Any) -> None:
        try:
            metadata = metadata_from_kafka_headers(headers)
        except HeaderError as error:
            raise place.fail("BAD_HEADERS", str(error)) from None
        definition = place.event(self.events, metadata.event_type)
        try:
            payload = place.decode(lambda: self.codec.deserialize_value(message.value(), definition))
        except _Unreadable as error:
            raise place.fail(error.rule, error.reason) from None
        place.deliver(self.deliver, definition, payload, metadata, retry=self.retry)

    def _dead_letter(self, message: Any, error: MessageNotProcessed) -> None:
        error.kept = f"copied to the dead-letter topic {self.dead_letter_topic!r}"
        headers = list(message.headers() or [])
        headers += [
            (DEAD_LETTER_PREFIX + "rule", error.rule.encode()),
            (DEAD_LETTER_PREFIX + "reason", error.reason.encode()),
            (DEAD_LETTER_PREFIX + "topic", message.topic().encode()),
            (DEAD_LETTER_PREFIX + "partition", str(message.partition()).encode()),
            (DEAD_LETTER_PREFIX + "offset", str(message.offset()).encode()),
        ]
        self._dead_letters.produce(self.dead_letter_topic, key=message.key(), value=message.value(), headers=headers)
        if self._dead_letters.flush(30) != 0:
            error.kept = f"not copied to {self.dead_letter_topic!r} (delivery timed out); offset not committed"
            raise error
        self.stats.dead_lettered += 1
        logger.error("%s", error)

    def poll_batch(self, limit: int) -> int:
        """:meth:`poll` for :meth:`consume`: up to ``limit`` messages, waiting up to 200 ms for them."""
        return self.poll(timeout=0.2, max_messages=limit)

    def close(self) -> None:
        """Leave the group (its partitions go to the other members at once)."""
        self.consumer.close()
        if self._dead_letters is not None:
            self._dead_letters.flush(30)


def _position(message: Any) -> str:
    return f"partition {message.partition()} offset {message.offset()}"


def replay_dead_letters(
    *, bootstrap_servers: str, dead_letter_topic: str, group_id: str, idle_timeout: float = 5.0
) -> int:
    """Send each dead letter back to the topic it came from (without the ``dead_letter_*`` headers); returns how many.

    The dead-letter topic is read in its own consumer group ``group_id``, committing after each
    message is re-sent, so running it twice replays nothing twice. Fix the cause first.
    """
    consumer = confluent_kafka.Consumer(
        {
            "bootstrap.servers": bootstrap_servers,
            "group.id": group_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    producer = confluent_kafka.Producer({"bootstrap.servers": bootstrap_servers})
    consumer.subscribe([dead_letter_topic])
    replayed = 0
    idle_since = time.monotonic()
    try:
        while time.monotonic() - idle_since < idle_timeout:
            message = consumer.poll(0.2)
            if message is None or message.error() is not None:
                continue
            idle_since = time.monotonic()
            headers = list(message.headers() or [])
            source = dict(headers).get(DEAD_LETTER_PREFIX + "topic")
            if source is not None:
                original = [(k, v) for k, v in headers if not k.startswith(DEAD_LETTER_PREFIX)]
                producer.produce(source.decode(), key=message.key(), value=message.value(), headers=original)
                producer.flush(30)
                replayed += 1
            consumer.commit(message=message, asynchronous=False)
    finally:
        consumer.close()
    return replayed


class MockCluster:
    """librdkafka's built-in mock Kafka cluster: the real Kafka protocol on loopback, no broker installed.

    Clients in this and other processes connect to :attr:`bootstrap_servers`. It lives as long as
    this object (and its process): keep it in a process of its own when consumers are killed.

    .. versionadded:: 0.1.0
    """

    def __init__(self, brokers: int = 1) -> None:
        self._handle = confluent_kafka.Producer({"test.mock.num.brokers": brokers, "log_level": 3})
        metadata = self._handle.list_topics(timeout=10)
        hosts = sorted(f"{broker.host}:{broker.port}" for broker in metadata.brokers.values())
        self.bootstrap_servers = ",".join(hosts)

    def close(self) -> None:
        """Stop the cluster (clients connected to it lose their connections)."""
        self._handle = None

    def __enter__(self) -> MockCluster:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class KafkaBus:
    """Kafka as a :class:`~openedx_subsidy_events.integrations.bus.Bus`, on the brokers given or on a mock cluster.

    Its topics have a prefix of their own (``subsidy-bus-<random>``) and its consumer groups are
    named after it, so runs on shared brokers never see each other's events. On the mock cluster,
    consumers wait at most 10 ms for an empty fetch (``fetch.wait.max.ms``; the default 500 ms is
    held in full by the mock, which would be measured as latency).

    .. versionadded:: 0.2.0 (the demo's before)
    """

    bus = "kafka"

    def __init__(
        self, bootstrap_servers: str | None = None, *, registry: Any = None, topic_prefix: str | None = None
    ) -> None:
        self.cluster = MockCluster() if bootstrap_servers is None else None
        self.bootstrap_servers = bootstrap_servers or self.cluster.bootstrap_servers  # type: ignore[union-attr]
        self.registry = registry if registry is not None else seeded_mock_registry({})
        self.topic_prefix = topic_prefix or f"subsidy-bus-{uuid.uuid4().hex[:8]}"
        self.producer = KafkaEventProducer(
            bootstrap_servers=self.bootstrap_servers,
            registry=self.registry,
            topic_prefix=self.topic_prefix,
            config={"linger.ms": 1},
        )
        self._consumer_config = {"fetch.wait.max.ms": 10} if self.cluster is not None else {}
        self._consumers: list[KafkaEventConsumer] = []

    @classmethod
    def from_url(cls, url: str, *, registry_url: str | None = None, **options: Any) -> KafkaBus:
        """``kafka`` for a mock cluster of this process, ``kafka://HOST:PORT[,HOST:PORT]`` for brokers."""
        servers = url.removeprefix("kafka").removeprefix("://") or None
        if registry_url is not None:
            options["registry"] = schema_registry.SchemaRegistryClient.new_client({"url": registry_url})
        return cls(servers, **options)

    def publish(self, events: Sequence[WireEvent]) -> PublishResult:
        return self.producer.publish(events)

    def subscribe(self, group: str, topics: Sequence[str], deliver: Deliver) -> None:
        for topic in topics:  # created before subscribing: a missing topic is only seen at the next metadata refresh
            self.producer.producer.list_topics(topic=_full_topic(topic, self.topic_prefix), timeout=10)
        consumer = KafkaEventConsumer(
            list(topics),
            f"{self.topic_prefix}-{group}",
            bootstrap_servers=self.bootstrap_servers,
            registry=self.registry,
            topic_prefix=self.topic_prefix,
            deliver=deliver,
            config=self._consumer_config,
        )
        deadline = time.monotonic() + 60
        while not consumer.consumer.assignment() and time.monotonic() < deadline:
            consumer.poll(timeout=0.1)  # joins the group (the topics are still empty: nothing is processed)
        self._consumers.append(consumer)

    def pump(self) -> int:
        self.producer.producer.poll(0)
        return sum(consumer.poll(timeout=0.005) for consumer in self._consumers)

    def close(self) -> None:
        """Close every client, then the mock cluster if this bus started one."""
        self.producer.flush(10)
        for consumer in self._consumers:
            consumer.close()
        self._consumers.clear()
        del self.producer  # every client goes before the mock cluster, so none reports the lost connection
        if self.cluster is not None:
            self.cluster.close()

"""Through a real Redis Streams server with the official edx-event-bus-redis, in both directions."""

import uuid
from typing import Any

import pytest
import redis
from subsidy_django import TOPIC_PREFIX as PREFIX
from subsidy_django import edx_redis_send, ensure_django
from subsidy_samples import full_payload, minimal_payload

from openedx_subsidy_events import EventDefinition, EventMetadata

ensure_django()

from edx_event_bus_redis.internal.message import RedisMessage  # noqa: E402
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data  # noqa: E402

from openedx_subsidy_events.integrations.openedx import openedx_signal  # noqa: E402


@pytest.mark.parametrize("build", [full_payload, minimal_payload], ids=["all-optional-set", "none-set"])
def test_what_event_bus_redis_produces_we_decode(definition: EventDefinition[Any], build: Any,
                                                 client: redis.Redis) -> None:  # fmt: skip
    """The real producer writes a stream entry; its bytes and headers decode to the same payload and metadata."""
    payload = build(definition)
    metadata = definition.metadata()
    topic = f"{definition.data_key}-{uuid.uuid4().hex[:8]}"
    edx_redis_send(definition, payload, topic, metadata)
    entries = client.xrange(f"{PREFIX}-{topic}")
    assert len(entries) == 1, "event-bus-redis swallows producing errors; nothing reached the stream"
    message = RedisMessage.parse(entries[0], topic=topic)
    received = EventMetadata.from_openedx(message.event_metadata)
    assert received == metadata
    assert definition.deserialize(message.event_data, minorversion=received.minorversion) == payload
    assert message.event_data == definition.serialize(payload)


def test_what_we_write_event_bus_redis_consumers_decode(definition: EventDefinition[Any], client: redis.Redis) -> None:
    """Our bytes in a stream entry with the bus's own headers are read by the bus consumer's decoding."""
    payload = full_payload(definition)
    metadata = definition.metadata().to_openedx()
    topic = f"{definition.data_key}-{uuid.uuid4().hex[:8]}"
    entry = RedisMessage(topic=topic, event_data=definition.serialize(payload), event_metadata=metadata)
    client.xadd(f"{PREFIX}-{topic}", entry.to_binary_dict())
    (raw,) = client.xrange(f"{PREFIX}-{topic}")
    message = RedisMessage.parse(raw, topic=topic)
    decoded = deserialize_bytes_to_event_data(message.event_data, openedx_signal(definition))
    assert decoded == {definition.data_key: payload}
    assert message.event_metadata.minorversion == definition.minor_version

"""The Redis consumer while running: transient handler failures, pending entries of a dead consumer, stop."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import pytest
import redis
from subsidy_django import TOPIC_PREFIX
from subsidy_samples import full_payload

from openedx_subsidy_events import LICENSE_ASSIGNED, BrokerUnavailable
from openedx_subsidy_events.integrations._consuming import Retry
from openedx_subsidy_events.integrations.redis import RedisStreamConsumer, RedisStreamProducer


def _send(client: redis.Redis, topic: str, count: int) -> None:
    producer = RedisStreamProducer(client=client, topic_prefix=TOPIC_PREFIX)
    for _ in range(count):
        producer.send(LICENSE_ASSIGNED, full_payload(LICENSE_ASSIGNED), topic=topic)


@pytest.mark.parametrize("attempts", [3, 1], ids=["retried", "negative-control-no-retry"])
def test_a_handler_failing_once_is_retried_while_running(client: redis.Redis, attempts: int) -> None:
    """Each of 10 events fails its first delivery: with retries all are handled and acked in one run."""
    topic = f"faults-{uuid.uuid4().hex[:8]}"
    _send(client, topic, 10)
    seen: set[Any] = set()
    handled: list[Any] = []

    def deliver(definition: Any, payload: Any, metadata: Any) -> None:
        if metadata.id not in seen:
            seen.add(metadata.id)
            raise ConnectionResetError("the LMS did not answer")
        handled.append(metadata.id)

    consumer = RedisStreamConsumer(topic, "g", "c1", client=client, topic_prefix=TOPIC_PREFIX, deliver=deliver,
                                   retry=Retry(attempts=attempts, backoff=0.001), claim_idle_ms=None)  # fmt: skip
    for _ in range(12):
        with contextlib.suppress(Exception):
            consumer.poll(block_ms=10)
    if attempts == 3:
        assert len(handled) == 10
        assert consumer.pending() == 0
    else:
        assert handled == []
        assert consumer.pending() == 10


@pytest.mark.parametrize("claim", [100, None], ids=["claimed", "negative-control-no-claim"])
def test_entries_left_pending_by_a_dead_consumer_are_claimed_by_a_new_one(client: redis.Redis,
                                                                          claim: int | None) -> None:  # fmt: skip
    """A consumer read 10 entries and died; one under another name handles them all while it runs."""
    topic = f"faults-{uuid.uuid4().hex[:8]}"
    stream = f"{TOPIC_PREFIX}-{topic}"
    _send(client, topic, 10)
    client.xgroup_create(stream, "g", id="0")
    client.xreadgroup("g", "dead-pod", {stream: ">"}, count=100)  # read, never acknowledged
    handled: list[Any] = []
    consumer = RedisStreamConsumer(topic, "g", "new-pod", client=client, topic_prefix=TOPIC_PREFIX,
                                   deliver=lambda d, p, m: handled.append(m.id), claim_idle_ms=claim)  # fmt: skip
    consumer.consume(idle_timeout=1.0)
    assert len(handled) == (10 if claim else 0)


def test_a_new_group_skips_no_entry_sent_before_it_existed(client: redis.Redis) -> None:
    """Entries added before the group was created are delivered to it (the default ``from_beginning``)."""
    topic = f"faults-{uuid.uuid4().hex[:8]}"
    _send(client, topic, 3)
    handled: list[Any] = []
    consumer = RedisStreamConsumer(topic, "late-group", "c1", client=client, topic_prefix=TOPIC_PREFIX,
                                   deliver=lambda d, p, m: handled.append(m.id))  # fmt: skip
    consumer.consume(idle_timeout=0.5)
    assert len(handled) == 3


def test_a_lost_broker_raises_broker_unavailable_after_the_reconnect_timeout() -> None:
    """Nothing listens: the consumer retries for reconnect_timeout, then raises (never a quiet return)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    consumer = RedisStreamConsumer("t", "g", "c", url=f"redis://127.0.0.1:{port}/0", reconnect_timeout=0.5)
    with pytest.raises(BrokerUnavailable) as raised:
        consumer.consume(idle_timeout=5)
    assert raised.value.bus == "redis"
    assert "BROKER_UNAVAILABLE" in str(raised.value)

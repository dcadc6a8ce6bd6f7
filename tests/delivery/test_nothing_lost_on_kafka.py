"""The outbox relay on Kafka: Tansu, a Kafka-protocol broker process, behind a loopback proxy the test cuts.

The service's processes run as in ``test_nothing_lost.py``, configured for Kafka as the how-to
says (our producer and consumer, the mock schema registry seeded alike in every process). Cutting
the proxy takes the broker away from every client while it keeps its data, as losing a
replicated cluster's network would.
"""

from __future__ import annotations

import collections
import json
import time

import pytest
from delivery_harness import Service, _service, committed_keys, license_count, stop

from openedx_subsidy_events.demo._brokers import TansuBroker

pytestmark = pytest.mark.slow

MESSAGE_TIMEOUT = json.dumps({"message.timeout.ms": 2000})
"""librdkafka fails a message it could not deliver for this long (5 minutes by default)."""


def _kafka_service(tmp_path, tansu: TansuBroker):  # type: ignore[no-untyped-def]
    return _service("sqlite", tmp_path, "redis://127.0.0.1:1/0", kafka=tansu.bootstrap_servers)


def _wait_for_events(service: Service, count: int, seconds: float = 60) -> list[str]:
    deadline = time.monotonic() + seconds
    keys = service.event_keys()
    while time.monotonic() < deadline and len(set(keys)) < count:
        time.sleep(0.5)
        keys = service.event_keys()
    return keys


def test_on_kafka_a_producer_killed_after_its_commit_loses_no_approval(tmp_path, tansu: TansuBroker) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL after the 6th commit; the relay publishes the 6 approvals once each, framed for edx-event-bus-kafka."""
    for service in _kafka_service(tmp_path, tansu):
        committed = committed_keys(service.run("approve", "10", expect_killed=True, DELIVERY_KILL_AFTER_COMMIT="6"))
        assert len(committed) == 6
        service.run("relay", DELIVERY_ONCE="1")
        assert sorted(service.event_keys()) == sorted(committed)


def test_on_kafka_a_broker_gone_longer_than_the_message_timeout_loses_nothing(tmp_path, tansu: TansuBroker) -> None:  # type: ignore[no-untyped-def]
    """Cut off for 8 s, 4 times librdkafka's message timeout: the relay retries, and every approval arrives."""
    for service in _kafka_service(tmp_path, tansu):
        relay = service.start("relay", DELIVERY_KAFKA_PRODUCER_CONFIG=MESSAGE_TIMEOUT)
        first = committed_keys(service.run("approve", "5"))
        assert len(_wait_for_events(service, 5)) >= 5
        tansu.cut()
        during = committed_keys(service.run("approve", "20"))
        time.sleep(8)
        tansu.restore()
        keys = _wait_for_events(service, 25)
        stop(relay)
        assert sorted(set(keys)) == sorted(first + during)


def test_negative_control_on_kafka_the_on_commit_mode_loses_what_is_approved_while_the_broker_is_gone(  # type: ignore[no-untyped-def]
    tmp_path, tansu: TansuBroker
) -> None:
    """On-commit mode, broker cut off: the approvals commit, librdkafka fails their events, nothing arrives."""
    for service in _kafka_service(tmp_path, tansu):
        tansu.cut()
        during = committed_keys(service.run("approve", "3", DELIVERY_MODE="on-commit",
                                        DELIVERY_KAFKA_PRODUCER_CONFIG=MESSAGE_TIMEOUT))  # fmt: skip
        tansu.restore()
        assert len(during) == 3
        time.sleep(2)
        assert service.event_keys() == []


@pytest.mark.parametrize("inbox", ["1", "0"], ids=["inbox", "negative-control-no-inbox"])
def test_on_kafka_a_relay_killed_after_the_ack_sends_twice_and_the_inbox_gives_one_effect(  # type: ignore[no-untyped-def]
    tmp_path, tansu: TansuBroker, inbox: str
) -> None:
    """SIGKILL after the delivery reports, before the rows are marked: each event twice; one license with the inbox."""
    for service in _kafka_service(tmp_path, tansu):
        committed = committed_keys(service.run("approve", "5"))
        service.run("relay", expect_killed=True, DELIVERY_KILL_AFTER_ACK="1")
        service.run("relay", DELIVERY_ONCE="1")
        assert collections.Counter(service.event_keys()) == {key: 2 for key in committed}
        consumer = service.start("consume", "license-manager", "worker-1", DELIVERY_INBOX=inbox)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and license_count(service) < (5 if inbox == "1" else 10):
            time.sleep(0.5)
        time.sleep(1)  # late duplicates still count
        stop(consumer)
        assert license_count(service) == (5 if inbox == "1" else 10)

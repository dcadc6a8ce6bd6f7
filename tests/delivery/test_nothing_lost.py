"""Nothing lost, nothing counterfactual, one effect: each fault at its worst moment, and without the mechanism.

Every test runs the service's processes as a deployment does (the approving process, the relay,
``manage.py consume_events``) on a real database and Redis, kills one with SIGKILL where the fault
hurts most, and reconciles: approvals committed against events on the stream, events against
licenses granted. Each mechanism has a negative control that shows the same check failing
without it.
"""

from __future__ import annotations

import collections
import json
import time
import uuid

import pytest
from delivery_harness import Service, _service, committed_keys, consume_until, license_count, stop

from openedx_subsidy_events.demo._brokers import RedisServer

pytestmark = pytest.mark.slow


# -- the producer ------------------------------------------------------------------------------


def test_a_producer_killed_after_its_commit_loses_no_approval(service: Service) -> None:
    """Outbox mode: SIGKILL right after the 6th commit; the relay still publishes all 6 approvals, once each."""
    committed = committed_keys(service.run("approve", "10", expect_killed=True, DELIVERY_KILL_AFTER_COMMIT="6"))
    assert len(committed) == 6
    service.run("relay", DELIVERY_ONCE="1")
    assert sorted(service.event_keys()) == sorted(committed)


def test_negative_control_on_commit_mode_loses_the_approval_of_a_killed_producer(postgres_service: Service) -> None:
    """On-commit mode, killed between the commit and the publish: the 6th approval is committed with no event."""
    lines = postgres_service.run(
        "approve", "10", expect_killed=True, DELIVERY_MODE="on-commit", DELIVERY_KILL_AFTER_COMMIT="6",
        DELIVERY_KILL_AT_PUBLISH="1",
    )  # fmt: skip
    approved = {
        row[0].replace("-", "")
        for row in postgres_service.query("SELECT request_uuid::text FROM delivery_app_approval")
    }
    events = {key.replace("-", "") for key in postgres_service.event_keys()}
    assert len(approved) == 6
    assert len(committed_keys(lines)) == 5
    assert len(approved - events) == 1  # lost: the failure the outbox fixes


def test_a_rolled_back_approval_sends_no_event(service: Service) -> None:
    """Outbox mode: every 2nd approval rolls back after its send; only the committed ones reach the bus."""
    committed = committed_keys(service.run("approve", "10", DELIVERY_ROLLBACK_EVERY="2"))
    service.run("relay", DELIVERY_ONCE="1")
    assert sorted(service.event_keys()) == sorted(committed)
    assert len(committed) == 5


def test_negative_control_edx_event_bus_redis_sends_events_of_rolled_back_approvals(postgres_service: Service) -> None:
    """edx-event-bus-redis's producer publishes at send time: the rolled-back approvals' events are on the bus."""
    committed = committed_keys(postgres_service.run("approve", "10", DELIVERY_ROLLBACK_EVERY="2",
                                                DELIVERY_PRODUCER="edx-redis"))  # fmt: skip
    counterfactual = set(postgres_service.event_keys()) - set(committed)
    assert len(counterfactual) == 5


def test_a_broker_down_for_10_s_loses_nothing(tmp_path, private_redis: RedisServer) -> None:  # type: ignore[no-untyped-def]
    """Redis stopped for 10 s while requests are approved and the relay runs: every approval arrives after."""
    for service in _service("sqlite", tmp_path, private_redis.url):
        relay = service.start("relay")
        first = committed_keys(service.run("approve", "5"))
        private_redis.stop()
        during = committed_keys(service.run("approve", "20"))
        time.sleep(10)
        private_redis.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(service.entries()) < 25:
            time.sleep(0.2)
        stop(relay)
        assert sorted(service.event_keys()) == sorted(first + during)


def test_negative_control_on_commit_mode_loses_what_is_approved_while_the_broker_is_down(tmp_path,
        private_redis: RedisServer) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    """On-commit mode with Redis down: the approvals commit, their events are gone."""
    for service in _service("sqlite", tmp_path, private_redis.url):
        private_redis.stop()
        during = committed_keys(service.run("approve", "5", DELIVERY_MODE="on-commit"))
        private_redis.start()
        assert len(during) == 5
        assert service.event_keys() == []


# -- the relay ---------------------------------------------------------------------------------


@pytest.mark.parametrize("inbox", ["1", "0"], ids=["inbox", "negative-control-no-inbox"])
def test_a_relay_killed_after_the_ack_sends_twice_and_the_inbox_gives_one_effect(postgres_service: Service,
                                                                                  inbox: str) -> None:  # fmt: skip
    """SIGKILL after Redis acked a batch, before it is marked: sent twice; one license each with the inbox only."""
    committed = committed_keys(postgres_service.run("approve", "10"))
    postgres_service.run("relay", expect_killed=True, DELIVERY_KILL_AFTER_ACK="1")
    postgres_service.run("relay", DELIVERY_ONCE="1")
    assert len(postgres_service.entries()) == 20  # the whole batch went out twice
    consume_until(postgres_service, "license-manager", "worker-1", 20 if inbox == "0" else 10, DELIVERY_INBOX=inbox)
    licenses = license_count(postgres_service)
    if inbox == "1":
        assert licenses == len(committed) == 10
    else:
        assert licenses == 20  # duplicated effects: what the inbox prevents


@pytest.mark.parametrize("lock", ["on", "off"], ids=["relay-lock", "negative-control-no-relay-lock"])
def test_two_relays_never_overtake_each_other(service: Service, lock: str) -> None:
    """Two slow relays on one outbox: every event leaves once, in commit order per key; without the lock, not."""
    if lock == "off" and "postgres" not in service.env["DELIVERY_DATABASE"]:
        pytest.skip("the negative control runs once, on PostgreSQL")
    keys = [str(uuid.uuid4()) for _ in range(4)]
    service.run("approve", "40", DELIVERY_KEYS=",".join(keys))
    env = {"DELIVERY_RELAY_SLOW_S": "0.1", "DELIVERY_BATCH": "3", "DELIVERY_ONCE": "1"}
    if lock == "off":
        env["DELIVERY_NO_RELAY_LOCK"] = "1"
    relays = [service.start("relay", **env) for _ in range(2)]
    for relay in relays:
        _, err = relay.communicate(timeout=60)
        assert relay.returncode == 0, err[-2000:]
    from openedx_subsidy_events import LICENSE_REQUEST_APPROVED

    markers: dict[str, list[int]] = collections.defaultdict(list)
    for _, fields in service.entries():
        payload = LICENSE_REQUEST_APPROVED.deserialize(fields[b"event_data"], minorversion=0)
        markers[str(payload.subsidy_request_uuid)].append(payload.reviewer_lms_user_id)
    in_order = all(values == sorted(set(values)) for values in markers.values())
    if lock == "on":
        assert in_order
        assert sum(map(len, markers.values())) == 40
    else:
        assert not in_order  # both relays published the same rows, the late copies after newer events


@pytest.mark.parametrize(
    "key_lock", ["upsert", "portable", "off"], ids=["key-lock", "portable-key-lock", "negative-control-no-key-lock"]
)
def test_concurrent_writers_of_one_key_leave_in_commit_order(service: Service, key_lock: str) -> None:
    """A slow transaction and a fast one send events of one request: the bus gets them in commit order."""
    if key_lock != "upsert" and "postgres" not in service.env["DELIVERY_DATABASE"]:
        pytest.skip("the portable lock and the negative control run once, on PostgreSQL (SQLite has one writer)")
    key = str(uuid.uuid4())
    env = {"DELIVERY_KEYS": key}
    if key_lock == "off":
        env["DELIVERY_NO_KEY_LOCK"] = "1"
    if key_lock == "portable":
        env["DELIVERY_PORTABLE_KEY_LOCK"] = "1"
    slow = service.start("approve", "1", DELIVERY_HOLD_S="1.5", DELIVERY_MARKER="1", **env)
    time.sleep(0.5)  # the slow one has written its row and holds its transaction open
    fast = service.start("approve", "1", DELIVERY_MARKER="2", **env)
    commits = {}
    for marker, process in (("1", slow), ("2", fast)):
        out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        commits[marker] = float(out.split()[-1])
    service.run("relay", DELIVERY_ONCE="1")
    from openedx_subsidy_events import LICENSE_REQUEST_APPROVED

    published = [
        str(LICENSE_REQUEST_APPROVED.deserialize(f[b"event_data"], minorversion=0).reviewer_lms_user_id)
        for _, f in service.entries()
    ]
    commit_order = sorted(commits, key=commits.get)  # type: ignore[arg-type]
    if key_lock != "off":
        assert published == commit_order == ["1", "2"]  # the fast writer waited for the slow one's commit
    else:
        assert published != commit_order  # the fast one committed first, but left second


# -- the consumer ------------------------------------------------------------------------------


@pytest.mark.parametrize("inbox", ["1", "0"], ids=["inbox", "negative-control-no-inbox"])
def test_a_consumer_killed_mid_handler_gives_one_effect(service: Service, inbox: str) -> None:
    """SIGKILL as the 5th handler wrote its license: restarted, each request has one license with the inbox."""
    if inbox == "0" and "sqlite" not in service.env["DELIVERY_DATABASE"]:
        pytest.skip("the negative control runs once, on SQLite")
    committed_keys(service.run("approve", "10"))
    service.run("relay", DELIVERY_ONCE="1")
    service.run("consume", "license-manager", "worker-1", expect_killed=True, DELIVERY_KILL_MID_HANDLER="5",
                DELIVERY_INBOX=inbox)  # fmt: skip
    consume_until(service, "license-manager", "worker-1", 15 if inbox == "0" else 10, DELIVERY_INBOX=inbox)
    if inbox == "1":
        assert license_count(service) == 10
    else:
        assert license_count(service) > 10  # the first five, committed before the kill, granted again


@pytest.mark.parametrize("claiming", ["periodic", "at-start"], ids=["claims-while-running", "negative-control"])
def test_a_consumer_restarted_under_a_new_name_loses_nothing(service: Service, claiming: str) -> None:
    """Killed with entries pending, a consumer under another name (a new pod) claims and handles them all.

    The negative control claims only at start-up, as consumers did before: the new pod starts
    before the dead one's entries are idle for ``claim_idle_ms`` (3 s here), so it never takes them over.
    """
    if claiming == "at-start" and "sqlite" not in service.env["DELIVERY_DATABASE"]:
        pytest.skip("the negative control runs once, on SQLite")
    committed_keys(service.run("approve", "10"))
    service.run("relay", DELIVERY_ONCE="1")
    service.run("consume", "license-manager", "pod-a", expect_killed=True, DELIVERY_KILL_MID_HANDLER="1")
    if claiming == "periodic":
        consume_until(service, "license-manager", "pod-b", 10, DELIVERY_CLAIM_IDLE_MS="3000")
        assert license_count(service) == 10
    else:
        consume_until(service, "license-manager", "pod-b", 10, seconds=6, DELIVERY_CLAIM_IDLE_MS="3000",
                      DELIVERY_CLAIM_AT_START_ONLY="1")  # fmt: skip
        assert license_count(service) == 0  # the ten entries stay pending on the dead pod-a


# -- the management command ----------------------------------------------------------------------


def test_the_relay_command_publishes_reports_and_stops_on_sigterm(postgres_service: Service) -> None:
    """``manage.py subsidy_events status|relay|purge`` as the how-to runs them, on the how-to's settings."""
    committed_keys(postgres_service.run("approve", "5"))
    (line,) = postgres_service.run("manage", "subsidy_events", "status", "--format", "json")
    before = json.loads(line)
    assert (before["unsent"], before["sent_kept"]) == (5, 0)
    assert before["oldest_unsent_age_s"] >= 0
    out = postgres_service.run(
        "manage", "subsidy_events", "relay", "--once", "--batch-size", "2", "--commit-every", "0.1"
    )
    assert out == ["relay: published 5 event(s) in 3 batch(es)"]
    assert len(postgres_service.entries()) == 5
    (line,) = postgres_service.run("manage", "subsidy_events", "status", "--format", "json")
    after = json.loads(line)
    assert (after["unsent"], after["sent_kept"], after["last_error"]) == (0, 5, "")
    assert after["last_sent_at"] is not None
    assert postgres_service.run("manage", "subsidy_events", "purge") == [
        "purged 0 sent outbox row(s) and 0 inbox entrie(s)"  # within the 7 days' retention
    ]
    relay = postgres_service.start("manage", "subsidy_events", "relay")
    time.sleep(2)  # up, polling an empty outbox
    stop(relay)  # SIGTERM: exit 0

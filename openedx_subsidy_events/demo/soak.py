"""Load and faults on a real bus: a consumer process killed with SIGKILL mid-stream, restarted, nothing lost.

``python -m openedx_subsidy_events.demo.soak --bus redis://127.0.0.1:6379/0 --events 20000 --kill``

The harness produces ``events`` *license assigned* events (every ``minor_one_every``-th one written
by a producer already on a minor 1 that appends a field), starts a consumer **process** on this
package's minor 0, kills it with SIGKILL once it has handled some, restarts it, and waits until
every event has had its effect. The consumer's effect is a row per event id in SQLite, written
before the message is acknowledged; a redelivery after the kill finds the row (idempotent), so
it is counted as *redelivered*, never as a second effect. Every payload is checked against the
one produced from the same index (*corrupted* otherwise).

Kafka runs on librdkafka's mock cluster in the harness process; no Schema Registry server can run
here, so both processes replay the same registrations into a ``MockSchemaRegistryClient`` (the
registrations are written to a file the worker reads).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs

from ..envelope import EventMetadata
from ..events import LICENSE_ASSIGNED, EventDefinition, LicenseAssignmentData
from ._minor_one import license_assigned_minor_one

__all__ = ["SoakResult", "expected_payload", "soak"]

TOPIC = "soak-license-assignments"
GROUP = "soak-enterprise-access"
QUICK_REJOIN = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500}
"""A killed Kafka member's partitions move on when its session times out: 6 s here, not Kafka's 45 s."""
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def expected_payload(index: int) -> LicenseAssignmentData:
    """The payload of event ``index`` (the consumer rebuilds it to check what it received)."""
    return LicenseAssignmentData(
        subsidy_request_uuid=UUID(int=index + 1),
        license_uuid=UUID(int=(1 << 64) + index),
        subscription_plan_uuid=UUID("0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33"),
        enterprise_customer_uuid=UUID("8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22"),
        user_email=f"learner{index}@example.com",
        lms_user_id=index,
        course_id="edX+DemoX" if index % 3 else None,
        assigned_at=_EPOCH + timedelta(seconds=index, microseconds=index % 1000),
    )


@attrs.frozen
class SoakResult:
    """What one soak run measured."""

    bus: str
    events: int
    minor_one_events: int
    effects: int
    lost: int
    duplicated: int
    corrupted: int
    redelivered: int
    kills: int
    seconds: float
    events_per_second: float


# -- the consumer process ---------------------------------------------------------------------


def _open_effects(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS effects (event_id TEXT PRIMARY KEY, idx INTEGER)")
    db.execute("CREATE TABLE IF NOT EXISTS counts (name TEXT PRIMARY KEY, n INTEGER)")
    return db


def _bump(db: sqlite3.Connection, name: str) -> None:
    db.execute("INSERT INTO counts VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET n = n + 1", (name,))


def _count(db: sqlite3.Connection, name: str) -> int:
    row = db.execute("SELECT n FROM counts WHERE name = ?", (name,)).fetchone()
    return int(row[0]) if row else 0


def _registry(registrations: Path) -> Any:
    from ..integrations.kafka import schema_registry

    registry = schema_registry.SchemaRegistryClient.new_client({"url": "mock://soak"})
    for subject, text in json.loads(registrations.read_text()):
        registry.register_schema(subject, schema_registry.Schema(text, "AVRO"))
    return registry


def run_worker(bus: str, workdir: Path, expected: int) -> None:
    """The consumer process: consume until ``expected`` effects exist, recording each before acknowledging."""
    db = _open_effects(workdir / "effects.sqlite")

    def deliver(definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
        if payload != expected_payload(payload.lms_user_id):
            _bump(db, "corrupted")
        inserted = db.execute("INSERT OR IGNORE INTO effects VALUES (?, ?)", (str(metadata.id), payload.lms_user_id))
        _bump(db, "deliveries" if inserted.rowcount else "redelivered")

    consumer = _consumer(bus, workdir, deliver)
    while db.execute("SELECT count(*) FROM effects").fetchone()[0] < expected:
        consumer.poll(timeout=0.2) if bus.startswith("kafka") else consumer.poll(count=200, block_ms=200)


def _consumer(bus: str, workdir: Path, deliver: Any) -> Any:
    if bus.startswith("kafka"):
        from ..integrations.kafka import KafkaEventConsumer

        return KafkaEventConsumer(
            TOPIC, GROUP, bootstrap_servers=bus.removeprefix("kafka://"), registry=_registry(workdir / "registry.json"),
            deliver=deliver, config=QUICK_REJOIN,
        )  # fmt: skip
    from ..integrations.redis import RedisStreamConsumer

    stream_prefix = (workdir / "stream-prefix").read_text()
    return RedisStreamConsumer(
        TOPIC, GROUP, "worker-1", url=bus, topic_prefix=stream_prefix, deliver=deliver, from_beginning=True
    )


# -- the harness ------------------------------------------------------------------------------


def _produce(bus: str, workdir: Path, events: int, minor_one_every: int) -> int:
    """Write the events; every ``minor_one_every``-th by a producer on minor 1. Returns how many were minor 1."""
    minor_one = license_assigned_minor_one(workdir / "schemas-minor-one")
    minor_one_count = 0
    if bus.startswith("kafka"):
        from ..integrations.kafka import KafkaEventProducer, key_subject, registry_schema, value_subject

        registrations = [
            (key_subject(TOPIC), json.dumps({"name": "subsidy_request_uuid", "type": "string"}, sort_keys=True)),
            (value_subject(TOPIC, LICENSE_ASSIGNED), registry_schema(LICENSE_ASSIGNED)),
            (value_subject(TOPIC, minor_one), registry_schema(minor_one)),
        ]
        (workdir / "registry.json").write_text(json.dumps(registrations))
        registry = _registry(workdir / "registry.json")
        servers = bus.removeprefix("kafka://")
        senders: list[Any] = [KafkaEventProducer(bootstrap_servers=servers, registry=registry) for _ in range(2)]
    else:
        from ..integrations.redis import RedisStreamProducer

        prefix = f"subsidy-soak-{uuid.uuid4().hex[:8]}"
        (workdir / "stream-prefix").write_text(prefix)
        senders = [RedisStreamProducer(url=bus, topic_prefix=prefix) for _ in range(2)]
    for index in range(events):
        payload = expected_payload(index)
        if minor_one_every and index % minor_one_every == 0:
            newer = minor_one.payload_type(**attrs.asdict(payload, recurse=False), assigned_by=f"admin-{index}")
            metadata = EventMetadata(event_type=LICENSE_ASSIGNED.event_type, minorversion=1)
            senders[1].send(minor_one, newer, topic=TOPIC, metadata=metadata)
            minor_one_count += 1
        else:
            senders[0].send(LICENSE_ASSIGNED, payload, topic=TOPIC)
    for sender in senders:
        if hasattr(sender, "flush"):
            sender.flush(60)
    return minor_one_count


def _start_worker(bus: str, workdir: Path, events: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "openedx_subsidy_events.demo.soak", "worker", bus, str(workdir), str(events)]
    with open(workdir / "worker.log", "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)


def soak(bus: str, *, events: int, kill: bool = True, minor_one_every: int = 10, timeout: float = 600) -> SoakResult:
    """Produce, consume in another process (killed once with SIGKILL midway if ``kill``), and reconcile."""
    cluster = None
    if bus == "kafka":
        from ..integrations.kafka import MockCluster

        cluster = MockCluster()
        bus = f"kafka://{cluster.bootstrap_servers}"
    with tempfile.TemporaryDirectory(prefix="subsidy-soak-") as folder:
        workdir = Path(folder)
        db = _open_effects(workdir / "effects.sqlite")
        minor_one_count = _produce(bus, workdir, events, minor_one_every)
        start = time.perf_counter()
        worker = _start_worker(bus, workdir, events)
        kills = 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = db.execute("SELECT count(*) FROM effects").fetchone()[0]
            if kill and not kills and done >= events // 3:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                kills += 1
                worker = _start_worker(bus, workdir, events)
            if worker.poll() is not None:
                break
            time.sleep(0.05)
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        seconds = time.perf_counter() - start
        effects = db.execute("SELECT count(*) FROM effects").fetchone()[0]
        indexes = db.execute("SELECT count(DISTINCT idx) FROM effects").fetchone()[0]
        result = SoakResult(
            bus=bus.split("://")[0],
            events=events,
            minor_one_events=minor_one_count,
            effects=effects,
            lost=events - indexes,
            duplicated=effects - indexes,
            corrupted=_count(db, "corrupted"),
            redelivered=_count(db, "redelivered"),
            kills=kills,
            seconds=round(seconds, 2),
            events_per_second=round(events / seconds, 1),
        )
        db.close()
        if bus.startswith("redis"):
            _delete_streams(bus, (workdir / "stream-prefix").read_text())
    if cluster is not None:
        cluster.close()
    return result


def _delete_streams(url: str, prefix: str) -> None:
    from ..integrations.redis import redis

    client = redis.Redis.from_url(url)
    streams = list(client.scan_iter(f"{prefix}-*"))
    if streams:
        client.delete(*streams)
    client.close()


def main(argv: Sequence[str] | None = None) -> int:
    """``soak --bus BUS --events N [--no-kill]``, or the worker (``worker BUS DIR N``, started by the harness)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["worker"]:
        run_worker(args[1], Path(args[2]), int(args[3]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m openedx_subsidy_events.demo.soak")
    parser.add_argument(
        "--bus", default="redis://127.0.0.1:6379/0", help="redis://HOST:PORT/DB or kafka (mock cluster)"
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--no-kill", action="store_true", help="do not kill the consumer midway")
    parser.add_argument("--minor-one-every", type=int, default=10, help="every Nth event from a producer on minor 1")
    options = parser.parse_args(args)
    result = soak(options.bus, events=options.events, kill=not options.no_kill, minor_one_every=options.minor_one_every)
    print(json.dumps(attrs.asdict(result), sort_keys=True))
    return 0 if not (result.lost or result.duplicated or result.corrupted) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

"""The outbox's costs on each database: a send, the relay's throughput, the latency the relay adds.

Run: python benchmarks/bench_outbox.py [--events N] [--seconds S] [--rate R] [--redis URL] [--databases LIST]

For each database (SQLite in a temporary folder, PostgreSQL and MariaDB on this machine), in a
Django process of its own configured as docs/howto-nothing-lost.rst says, on Redis Streams:

1. **Send**: an approval as a service makes it, N times: a ``transaction.atomic()`` that writes the
   request's row and calls ``LICENSE_REQUEST_APPROVED.send``, in ``outbox`` mode (a row in the
   transaction) and in ``on-commit`` mode (published after the commit, waiting for Redis's reply),
   interleaved in rounds; µs per approval, and outbox / on-commit.
2. **Relay throughput**: the relay publishing 10,000 outbox rows (read, publish, mark sent) against
   our producer publishing the same wire events directly, in batches of the relay's size, three
   rounds after a warm-up; events/s of the median round and relay / direct.
3. **Relay latency**: a relay process running while this one sends R events/s for S seconds in
   ``outbox`` mode; a reader on the stream takes each entry's arrival time minus its event's
   ``time`` (set at send): p50, p99, max.

Needs the ``openedx``, ``redis``, ``postgres`` and ``mysql`` extras and the servers.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from openedx_subsidy_events.demo._databases import database_settings

EVENT = "org.openedx.enterprise.access.license-request.approved.v1"
TOPIC = "enterprise-access-subsidy-requests"
SERVERS = {"postgres": "postgres://postgres@127.0.0.1:5432", "mysql": "mysql://root@127.0.0.1:3306"}


# -- the service process ------------------------------------------------------------------------


def _configure(database: str, redis_url: str, prefix: str) -> None:
    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["openedx_events", "openedx_subsidy_events.integrations.django_app"],
        DATABASES={"default": database_settings(database)},
        USE_TZ=True,
        SECRET_KEY="bench",
        EVENTS_SERVICE_NAME="bench",
        EVENT_BUS_REDIS_CONNECTION_URL=redis_url,
        EVENT_BUS_TOPIC_PREFIX=prefix,
        EVENT_BUS_PRODUCER="openedx_subsidy_events.integrations.django_app.producer.create_producer",
        EVENT_BUS_PRODUCER_MODE="outbox",
        EVENT_BUS_PRODUCER_CONFIG={
            EVENT: {TOPIC: {"event_key_field": "license_request.subsidy_request_uuid", "enabled": True}}
        },
        LOGGING_CONFIG=None,
    )
    django.setup()


def _payload(index: int) -> Any:
    from openedx_subsidy_events import LicenseRequestData

    return LicenseRequestData(
        subsidy_request_uuid=uuid.uuid4(), lms_user_id=index, user_email="learner@example.com",
        enterprise_customer_uuid=uuid.UUID(int=1), subscription_plan_uuid=uuid.UUID(int=2),
        attempt_auto_enrollment=False, reviewed_at=datetime.now(UTC), reviewer_lms_user_id=7,
    )  # fmt: skip


def _approvals(count: int, mode: str) -> float:
    """Seconds for ``count`` approvals in ``mode``: each a transaction writing a request row and sending an event."""
    from django.conf import settings
    from django.db import connection, transaction

    from openedx_subsidy_events import LICENSE_REQUEST_APPROVED

    settings.EVENT_BUS_PRODUCER_MODE = mode
    payloads = [_payload(index) for index in range(count)]
    start = time.perf_counter()
    for payload in payloads:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_request (uuid, state) VALUES (%s, %s)",
                           [str(payload.subsidy_request_uuid), "approved"])  # fmt: skip
            LICENSE_REQUEST_APPROVED.send(payload)
    return time.perf_counter() - start


def _create_request_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_request (uuid CHAR(36) PRIMARY KEY, state VARCHAR(20) NOT NULL)")


def service(database: str, redis_url: str, events: int, seconds: float, rate: float) -> dict[str, Any]:
    """Every measurement on one database; the figures as a dict (printed as JSON)."""
    prefix = f"bench-outbox-{uuid.uuid4().hex[:8]}"
    _configure(database, redis_url, prefix)
    from django.core.management import call_command

    from openedx_subsidy_events.integrations.django_app import conf
    from openedx_subsidy_events.integrations.django_app.models import OutboxEvent

    call_command("migrate", verbosity=0)
    _create_request_table()
    _approvals(100, "outbox"), _approvals(100, "on-commit")  # warm-up: connections, caches
    OutboxEvent.objects.all().delete()
    rounds = 5
    outbox = on_commit = 0.0
    for _ in range(rounds):
        outbox += _approvals(events // rounds, "outbox")
        on_commit += _approvals(events // rounds, "on-commit")
    sent = rounds * (events // rounds)
    figures: dict[str, Any] = {"database": urlparse(database).scheme, "events": sent}
    figures["send_outbox_us"] = outbox / sent * 1e6
    figures["send_on_commit_us"] = on_commit / sent * 1e6

    relay_per_s, direct_per_s = _throughput(rows=10_000, rounds=3)
    figures["relay_per_s"] = statistics.median(relay_per_s)
    figures["direct_per_s"] = statistics.median(direct_per_s)
    figures["relay_ratio"] = statistics.median(r / d for r, d in zip(relay_per_s, direct_per_s, strict=True))

    figures.update(_latency(database, redis_url, prefix, seconds, rate))
    conf.publisher().client.delete(f"{prefix}-{TOPIC}")
    return figures


def _throughput(rows: int, rounds: int) -> tuple[list[float], list[float]]:
    """Events/s of the relay and of a direct publish of the same rows, per round (after a warm-up round)."""
    from openedx_subsidy_events import LICENSE_REQUEST_APPROVED
    from openedx_subsidy_events.integrations.bus import WireEvent
    from openedx_subsidy_events.integrations.django_app import conf
    from openedx_subsidy_events.integrations.django_app.models import OutboxEvent
    from openedx_subsidy_events.integrations.django_app.outbox import to_row
    from openedx_subsidy_events.integrations.django_app.relay import Relay

    OutboxEvent.objects.all().delete()  # what the sends left
    publisher = conf.publisher()
    relay_per_s, direct_per_s = [], []
    for round_ in range(rounds + 1):
        count = rows if round_ else rows // 10
        wire = [WireEvent.build(LICENSE_REQUEST_APPROVED, _payload(index), topic=TOPIC) for index in range(count)]
        OutboxEvent.objects.bulk_create([to_row(event, key_sequence=1) for event in wire], batch_size=1000)
        relay = Relay(publisher, purge_every=None)
        start = time.perf_counter()
        stats = relay.run(until_empty=True)
        relay_seconds = time.perf_counter() - start
        assert stats.published == count, (stats.published, count)
        start = time.perf_counter()
        for first in range(0, count, relay.batch_size):
            result = publisher.publish(wire[first : first + relay.batch_size])
            assert result.error is None, result.error
        direct_seconds = time.perf_counter() - start
        if round_:
            relay_per_s.append(count / relay_seconds)
            direct_per_s.append(count / direct_seconds)
    return relay_per_s, direct_per_s


def _latency(database: str, redis_url: str, prefix: str, seconds: float, rate: float) -> dict[str, Any]:
    """Send ``rate`` events/s for ``seconds`` in outbox mode with a relay process running; the delay to the stream."""
    import redis

    from openedx_subsidy_events.integrations._headers import metadata_from_redis_fields

    client = redis.Redis.from_url(redis_url)
    stream = f"{prefix}-{TOPIC}"
    last_id = client.xinfo_stream(stream)["last-generated-id"] if client.exists(stream) else b"0-0"
    relay = subprocess.Popen([sys.executable, __file__, "--relay", database, "--redis", redis_url, "--prefix", prefix])
    delays: list[float] = []
    total = int(seconds * rate)

    def read() -> None:
        position = last_id
        while len(delays) < total:
            for _, entries in client.xread({stream: position}, block=1000, count=500) or []:
                now = datetime.now(UTC)
                for entry_id, fields in entries:
                    position = entry_id
                    delays.append((now - metadata_from_redis_fields(fields).time).total_seconds() * 1000)

    reader = threading.Thread(target=read, daemon=True)
    try:
        time.sleep(1.0)  # the relay process is up
        reader.start()
        start = time.perf_counter()
        for index in range(total):
            time.sleep(max(0.0, start + index / rate - time.perf_counter()))
            _approvals(1, "outbox")
        reader.join(60)
    finally:
        relay.send_signal(signal.SIGTERM)
        relay.wait(30)
        client.close()
    ordered = sorted(delays)
    return {
        "latency_events": len(ordered),
        "latency_rate": rate,
        "latency_p50_ms": statistics.median(ordered),
        "latency_p99_ms": ordered[int(len(ordered) * 0.99) - 1],
        "latency_max_ms": ordered[-1],
    }


def relay_process(database: str, redis_url: str, prefix: str) -> None:
    """A relay as ``manage.py subsidy_events relay`` runs it, until SIGTERM."""
    _configure(database, redis_url, prefix)
    from openedx_subsidy_events.integrations.django_app.relay import Relay

    relay = Relay(purge_every=None)
    signal.signal(signal.SIGTERM, lambda *_: relay.stop())
    stats = relay.run()
    print(f"relay: {stats}", file=sys.stderr)


# -- the driver ---------------------------------------------------------------------------------


def _create(kind: str, folder: Path) -> tuple[str, Any]:
    """A new database of ``kind``: its URL and how to drop it."""
    name = f"bench_outbox_{uuid.uuid4().hex[:8]}"
    if kind == "sqlite":
        return f"sqlite://{folder / 'bench.sqlite3'}", lambda: None
    if kind == "postgres":
        import psycopg

        def run(sql: str) -> None:
            with psycopg.connect(f"{SERVERS['postgres']}/postgres", autocommit=True) as connection:
                connection.execute(sql)

        run(f'CREATE DATABASE "{name}"')
        return f"{SERVERS['postgres']}/{name}", lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    import MySQLdb

    def run_mysql(sql: str) -> None:
        connection = MySQLdb.connect(host="127.0.0.1", port=3306, user="root", passwd="")
        connection.cursor().execute(sql)
        connection.close()

    run_mysql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    return f"{SERVERS['mysql']}/{name}", lambda: run_mysql(f"DROP DATABASE IF EXISTS `{name}`")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--redis", default=os.environ.get("SUBSIDY_EVENTS_TEST_REDIS", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--databases", default="sqlite,postgres,mysql")
    parser.add_argument("--service", help=argparse.SUPPRESS)
    parser.add_argument("--relay", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.relay:
        relay_process(options.relay, options.redis, options.prefix)
        return
    if options.service:
        figures = service(options.service, options.redis, options.events, options.seconds, options.rate)
        print(json.dumps(figures))
        return
    print(f"== outbox: {options.events} sends per mode; relay latency at {options.rate:g} events/s for "
          f"{options.seconds:g} s; Redis Streams")  # fmt: skip
    for kind in options.databases.split(","):
        with tempfile.TemporaryDirectory() as folder:
            url, drop = _create(kind, Path(folder))
            try:
                done = subprocess.run(
                    [sys.executable, __file__, "--service", url, "--redis", options.redis, "--events",
                     str(options.events), "--seconds", str(options.seconds), "--rate", str(options.rate)],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
            finally:
                drop()
        f = json.loads(done.stdout.splitlines()[-1])
        print(
            f"{kind:>8}: send {f['send_outbox_us']:.0f} µs (outbox) / {f['send_on_commit_us']:.0f} µs (on-commit) = "
            f"{f['send_outbox_us'] / f['send_on_commit_us']:.2f}x; relay {f['relay_per_s']:.0f}/s, direct "
            f"{f['direct_per_s']:.0f}/s = {f['relay_ratio']:.2f}x; "
            f"latency at {f['latency_rate']:g}/s "
            f"({f['latency_events']} events) p50 {f['latency_p50_ms']:.1f} ms, p99 {f['latency_p99_ms']:.1f} ms, "
            f"max {f['latency_max_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()

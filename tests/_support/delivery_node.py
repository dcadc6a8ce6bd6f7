"""One process of a service in the delivery tests, configured only from environment variables.

    python delivery_node.py migrate | approve N | relay | consume GROUP NAME | manage ARGS...

The bus is Redis (``DELIVERY_REDIS``) or Kafka (``DELIVERY_KAFKA``, bootstrap servers).

The settings are docs/howto-nothing-lost.rst's settings block itself, run as a settings.py runs
(our producer, our consumer, the outbox mode, the inbox): a change to the how-to changes what
these tests prove. ``DELIVERY_*`` variables choose the database, the bus, the mode and
the faults: the process SIGKILLs itself at the worst moment a fault names, and a negative control
switches a mechanism off (the edx-event-bus-redis producer instead of ours, the inbox off, the
relay's lock or the key lock gone).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import sys
import textwrap
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import django
from django.conf import settings

from openedx_subsidy_events.demo._databases import database_settings

EVENT = "org.openedx.enterprise.access.license-request.approved.v1"
TOPIC = "enterprise-access-subsidy-requests"


HOWTO = Path(__file__).resolve().parents[2] / "docs" / "howto-nothing-lost.rst"


def howto_settings() -> dict[str, Any]:
    """The settings block of docs/howto-nothing-lost.rst, run as a project's settings.py runs it."""
    text = HOWTO.read_text(encoding="utf-8")
    block = text.split(".. code-block:: python", 1)[1].split("\n\n", 1)[1]
    lines = itertools.takewhile(lambda line: not line or line.startswith("    "), block.splitlines())
    namespace: dict[str, Any] = {"INSTALLED_APPS": ["delivery_app"]}
    exec(textwrap.dedent("\n".join(lines)), namespace)  # our own docs: the how-to is the test
    namespace.pop("__builtins__")
    return namespace


def configure() -> None:
    """The how-to's settings, then only what differs per test: the servers, the prefix, a negative control's mode."""
    env = os.environ
    project = howto_settings()
    project.update(
        DATABASES={"default": database_settings(env["DELIVERY_DATABASE"])},
        USE_TZ=True,
        SECRET_KEY="delivery-tests",
        LOGGING_CONFIG=None,
        EVENT_BUS_TOPIC_PREFIX=env["DELIVERY_PREFIX"],
        EVENT_BUS_REDIS_CONNECTION_URL=env.get("DELIVERY_REDIS"),
        SUBSIDY_EVENTS_INBOX=env.get("DELIVERY_INBOX", "1") == "1",
    )
    if "DELIVERY_MODE" in env:  # a negative control's publishing mode, for the event's topic too
        project["EVENT_BUS_PRODUCER_MODE"] = env["DELIVERY_MODE"]
        project["EVENT_BUS_PRODUCER_CONFIG"][EVENT][TOPIC]["mode"] = env["DELIVERY_MODE"]
    if env.get("DELIVERY_PRODUCER") == "edx-redis":  # the negative control: edx-event-bus-redis's producer
        project["EVENT_BUS_PRODUCER"] = "edx_event_bus_redis.create_producer"
    if "DELIVERY_KAFKA" in env:  # as docs/howto-kafka.rst configures a service, on a local broker
        del project["EVENT_BUS_REDIS_CONNECTION_URL"]
        project.update(
            EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS=env["DELIVERY_KAFKA"],
            EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL="mock://delivery-tests",
            EVENT_BUS_CONSUMER="openedx_subsidy_events.integrations.django_app.consumers.KafkaConsumer",
            SUBSIDY_EVENTS_KAFKA_PRODUCER_CONFIG=json.loads(env.get("DELIVERY_KAFKA_PRODUCER_CONFIG", "{}")),
        )
    settings.configure(**project)
    django.setup()


def _payload(request_uuid: uuid.UUID, marker: int = 0):  # type: ignore[no-untyped-def]
    from openedx_subsidy_events import LicenseRequestData

    return LicenseRequestData(
        subsidy_request_uuid=request_uuid,
        lms_user_id=1000 + marker,
        user_email="learner@example.com",
        enterprise_customer_uuid=uuid.UUID(int=1),
        subscription_plan_uuid=uuid.UUID(int=2),
        attempt_auto_enrollment=False,
        reviewed_at=datetime.now(UTC),
        reviewer_lms_user_id=marker,
    )


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def approve(count: int) -> None:
    """Approve ``count`` new requests, one transaction each; print each committed uuid."""
    from delivery_app.models import Approval
    from django.db import transaction

    from openedx_subsidy_events import LICENSE_REQUEST_APPROVED
    from openedx_subsidy_events.integrations.django_app import producer

    kill_after = int(os.environ.get("DELIVERY_KILL_AFTER_COMMIT", "0"))
    rollback_every = int(os.environ.get("DELIVERY_ROLLBACK_EVERY", "0"))
    keys = [uuid.UUID(k) for k in os.environ.get("DELIVERY_KEYS", "").split(",") if k]
    hold = float(os.environ.get("DELIVERY_HOLD_S", "0"))
    if os.environ.get("DELIVERY_KILL_AT_PUBLISH") and kill_after:
        real = producer.publish_now
        sent = [0]

        def publish_or_die(event):  # type: ignore[no-untyped-def]
            sent[0] += 1
            if sent[0] == kill_after:
                _die()  # committed, not yet published: the worst moment of the on-commit mode
            return real(event)

        producer.publish_now = publish_or_die
    for index in range(1, count + 1):
        request_uuid = keys[index % len(keys)] if keys else uuid.uuid4()
        with contextlib.suppress(RuntimeError), transaction.atomic():
            if not keys:
                Approval.objects.create(request_uuid=request_uuid, state="approved")
            LICENSE_REQUEST_APPROVED.send(_payload(request_uuid, int(os.environ.get("DELIVERY_MARKER", index))))
            time.sleep(hold)
            if rollback_every and index % rollback_every == 0:
                raise RuntimeError("rolled back after the send")
        if not (rollback_every and index % rollback_every == 0):
            print(f"committed {request_uuid} {time.time():.6f}", flush=True)
        if index == kill_after and not os.environ.get("DELIVERY_KILL_AT_PUBLISH"):
            _die()  # committed; the relay has not run: the worst moment of the outbox mode


def relay() -> None:
    from openedx_subsidy_events.integrations.django_app import relay as relay_module
    from openedx_subsidy_events.integrations.django_app.relay import Relay

    instance = Relay(batch_size=int(os.environ.get("DELIVERY_BATCH", "50")), purge_every=None)
    publish = instance.publisher.publish
    slow = float(os.environ.get("DELIVERY_RELAY_SLOW_S", "0"))

    def publish_then_fault(events):  # type: ignore[no-untyped-def]
        time.sleep(slow)
        result = publish(events)
        if os.environ.get("DELIVERY_KILL_AFTER_ACK") and result.acknowledged:
            _die()  # acknowledged by the broker, not yet marked sent
        return result

    instance.publisher.publish = publish_then_fault  # type: ignore[method-assign]
    if os.environ.get("DELIVERY_NO_RELAY_LOCK"):

        @contextlib.contextmanager
        def no_lock():  # type: ignore[no-untyped-def]
            yield relay_module.RelayState.objects.get_or_create(name=instance.name)[0]

        instance._lock = no_lock  # type: ignore[method-assign]
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: instance.stop())
    stats = instance.run(until_empty=bool(os.environ.get("DELIVERY_ONCE")))
    print(f"published {stats.published}", flush=True)


def consume(group: str, name: str) -> None:
    from delivery_app.models import License
    from django.core.management import call_command

    from openedx_subsidy_events import LICENSE_REQUEST_APPROVED

    kill_at = int(os.environ.get("DELIVERY_KILL_MID_HANDLER", "0"))
    handled = [0]

    @LICENSE_REQUEST_APPROVED.connect
    def grant(license_request, **_kwargs):  # type: ignore[no-untyped-def]
        License.objects.create(request_uuid=license_request.subsidy_request_uuid)
        handled[0] += 1
        if handled[0] == kill_at:
            _die()  # the effect is written, the handler has not returned

    if "DELIVERY_KAFKA" in os.environ:
        from openedx_subsidy_events.demo._brokers import TANSU_CONSUMER_CONFIG

        extra = json.dumps({"config": dict(TANSU_CONSUMER_CONFIG)})
    else:
        extra = json.dumps(
            {"consumer_name": name, "claim_idle_ms": int(os.environ.get("DELIVERY_CLAIM_IDLE_MS", "500"))}
        )
        if os.environ.get("DELIVERY_CLAIM_AT_START_ONLY"):  # the negative control: no claims while running
            from openedx_subsidy_events.integrations.redis import RedisStreamConsumer

            claim_when_due = RedisStreamConsumer._claim_when_due

            def claim_at_start_only(self: RedisStreamConsumer) -> None:
                if not getattr(self, "_claimed_once", False):
                    self._claimed_once = True  # type: ignore[attr-defined]
                    claim_when_due(self)

            RedisStreamConsumer._claim_when_due = claim_at_start_only  # type: ignore[method-assign]
    call_command("consume_events", topic=[TOPIC], group_id=[group], extra=extra)


if __name__ == "__main__":
    configure()
    command, *args = sys.argv[1:]
    if command == "migrate":
        from django.core.management import call_command

        call_command("migrate", run_syncdb=True, verbosity=0)
    elif command == "approve":
        if os.environ.get("DELIVERY_NO_KEY_LOCK"):
            from openedx_subsidy_events.integrations.django_app import outbox

            outbox.next_sequence = lambda key, *, using: int(time.time_ns() % 10**12)  # type: ignore[assignment]
        if os.environ.get("DELIVERY_PORTABLE_KEY_LOCK"):  # the update-else-insert used where no upsert is known
            from openedx_subsidy_events.integrations.django_app import outbox

            outbox._UPSERT.clear()
        approve(int(args[0]))
    elif command == "relay":
        relay()
    elif command == "consume":
        consume(args[0], args[1])
    elif command == "manage":  # a management command, as `python manage.py ARGS...` runs it
        from django.core.management import call_command

        call_command(*args)

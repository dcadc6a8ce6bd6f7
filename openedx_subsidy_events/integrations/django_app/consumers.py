"""Our bus consumers as openedx-events' ``EVENT_BUS_CONSUMER``, for its ``consume_events`` management command.

Set ``EVENT_BUS_CONSUMER`` to one of these classes and run the command as with the Open edX buses::

    EVENT_BUS_CONSUMER = "openedx_subsidy_events.integrations.django_app.consumers.RedisConsumer"
    python manage.py consume_events -t license-manager-topic -g enterprise-access

They read the bus's own settings (``EVENT_BUS_REDIS_CONNECTION_URL``; ``EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS``
and ``EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL``; ``EVENT_BUS_TOPIC_PREFIX``) plus, optionally,
``SUBSIDY_EVENTS_DEAD_LETTER_STREAM`` / ``SUBSIDY_EVENTS_DEAD_LETTER_TOPIC`` and ``SUBSIDY_EVENTS_INBOX``,
and deliver each event to its ``OpenEdxPublicSignal`` with the producer's metadata, in the inbox's
transaction (one effect per event id and consumer group).

Exit status: ``consume_events`` itself ends with 0 whatever went wrong, so these consumers end the
process themselves: with 0 after SIGTERM or SIGINT (the message being handled is finished and
acknowledged first), with 1 when the broker stayed unreachable for ``reconnect_timeout`` seconds
or a Kafka message cannot be processed without a dead-letter topic (the process manager restarts
it; nothing unacknowledged is lost).
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from typing import Any

from django.conf import settings
from openedx_events.event_bus import EventBusConsumer

from ...exceptions import BrokerUnavailable, MessageNotProcessed
from .._consuming import Deliver, Retry
from ..openedx import deliver_to_openedx_signal
from . import conf

__all__ = ["KafkaConsumer", "RedisConsumer"]

logger = logging.getLogger("openedx_subsidy_events.consumer")


def _deliver(group_id: str, inbox: bool | None) -> Deliver:
    """The delivery of a consumer group: through the inbox unless it is off (``SUBSIDY_EVENTS_INBOX``)."""
    if not (conf.inbox_enabled() if inbox is None else inbox):
        return deliver_to_openedx_signal
    from openedx_events.tooling import prepare_for_new_work_cycle

    from .inbox import InboxDeliver

    def deliver(definition: Any, payload: Any, metadata: Any) -> None:
        deliver_to_openedx_signal(definition, payload, metadata, prepare=False)

    return InboxDeliver(deliver, group=group_id, using=conf.database(), prepare=prepare_for_new_work_cycle)


def _retry(options: dict[str, Any]) -> Retry:
    """``--extra``'s ``retry_attempts`` and ``retry_backoff`` (seconds)."""
    return Retry(attempts=int(options.pop("retry_attempts", 3)), backoff=float(options.pop("retry_backoff", 0.2)))


class _Stoppable:
    """SIGTERM and SIGINT stop the consumer after the message it is handling; a lost broker exits with 1."""

    consumer: Any

    def _run(self, loop: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGTERM, signal.SIGINT):
                signal.signal(number, lambda *_: self.consumer.stop())
        try:
            loop()
        except BrokerUnavailable as error:
            logger.error("%s; exiting with status 1", error)
            raise SystemExit(1) from error


class RedisConsumer(_Stoppable, EventBusConsumer):  # type: ignore[misc]
    """:class:`~openedx_subsidy_events.integrations.redis.RedisStreamConsumer` configured from Django settings.

    ``--extra`` of ``consume_events`` may give ``consumer_name`` (default: the host name, so that
    each pod has its own), ``from_beginning`` (default true: a new group skips no entry),
    ``claim_idle_ms`` (default 60000: entries another consumer left pending that long are taken
    over while running), ``retry_attempts`` and ``retry_backoff``, ``reconnect_timeout`` (seconds)
    and ``inbox``. An entry that cannot be processed is logged and stays pending (claimed again
    once idle), or goes to ``SUBSIDY_EVENTS_DEAD_LETTER_STREAM``; the consumer goes on with the next.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 the inbox, retries, periodic claims, exit status and signals.
    """

    def __init__(self, topic: str, group_id: str, consumer_name: str | None = None, **options: Any) -> None:
        from ..redis import RedisStreamConsumer

        inbox = options.pop("inbox", None)
        retry = _retry(options)
        self.deliver = _deliver(group_id, inbox)
        self.consumer = RedisStreamConsumer(
            topic,
            group_id,
            consumer_name or socket.gethostname(),
            url=settings.EVENT_BUS_REDIS_CONNECTION_URL,
            topic_prefix=getattr(settings, "EVENT_BUS_TOPIC_PREFIX", None),
            dead_letter_stream=getattr(settings, "SUBSIDY_EVENTS_DEAD_LETTER_STREAM", None),
            deliver=self.deliver,
            retry=retry,
            **options,
        )

    def consume_indefinitely(self) -> None:
        """Process entries until SIGTERM; entries that fail stay pending and are logged."""

        def loop() -> None:
            while not self.consumer.stopped:
                try:
                    self.consumer.consume()
                except MessageNotProcessed as error:
                    logger.error("%s", error, exc_info=error.__cause__ is not None)

        self._run(loop)


class KafkaConsumer(_Stoppable, EventBusConsumer):  # type: ignore[misc]
    """:class:`~openedx_subsidy_events.integrations.kafka.KafkaEventConsumer` configured from Django settings.

    Without ``SUBSIDY_EVENTS_DEAD_LETTER_TOPIC``, a message that cannot be processed stops the
    command with status 1, its offset uncommitted: the process manager restarts it, and the
    message is read again (fix, or set a dead-letter topic). ``--extra`` may give
    ``retry_attempts``, ``retry_backoff``, ``reconnect_timeout``, ``inbox`` and ``config`` (more
    librdkafka settings).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 the inbox, retries, exit status and signals.
    """

    def __init__(self, topic: str, group_id: str, **options: Any) -> None:
        from ..kafka import KafkaEventConsumer

        inbox = options.pop("inbox", None)
        retry = _retry(options)
        self.deliver = _deliver(group_id, inbox)
        self.consumer = KafkaEventConsumer(
            topic,
            group_id,
            bootstrap_servers=settings.EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS,
            registry=conf.kafka_registry(),
            topic_prefix=getattr(settings, "EVENT_BUS_TOPIC_PREFIX", None),
            dead_letter_topic=getattr(settings, "SUBSIDY_EVENTS_DEAD_LETTER_TOPIC", None),
            deliver=self.deliver,
            retry=retry,
            **options,
        )

    def consume_indefinitely(self) -> None:
        """Process messages until SIGTERM, or a message cannot be processed (see above)."""

        def loop() -> None:
            try:
                self.consumer.consume()
            except MessageNotProcessed as error:
                logger.error("%s; exiting with status 1 (offset not committed)", error,
                             exc_info=error.__cause__ is not None)  # fmt: skip
                raise SystemExit(1) from error
            finally:
                self.consumer.close()

        self._run(loop)

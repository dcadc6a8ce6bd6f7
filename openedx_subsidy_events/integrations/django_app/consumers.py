"""Our bus consumers as openedx-events' ``EVENT_BUS_CONSUMER``, for its ``consume_events`` management command.

Set ``EVENT_BUS_CONSUMER`` to one of these classes and run the command as with the Open edX buses::

    EVENT_BUS_CONSUMER = "openedx_subsidy_events.integrations.django_app.consumers.RedisConsumer"
    python manage.py consume_events -t license-manager-topic -g enterprise-access

They read the bus's own settings (``EVENT_BUS_REDIS_CONNECTION_URL``; ``EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS``
and ``EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL``; ``EVENT_BUS_TOPIC_PREFIX``) plus, optionally,
``SUBSIDY_EVENTS_DEAD_LETTER_STREAM`` / ``SUBSIDY_EVENTS_DEAD_LETTER_TOPIC``, and deliver each event
to its ``OpenEdxPublicSignal`` with the producer's metadata.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from django.conf import settings
from openedx_events.event_bus import EventBusConsumer

from ...exceptions import MessageNotProcessed
from ..openedx import deliver_to_openedx_signal

__all__ = ["KafkaConsumer", "RedisConsumer"]

logger = logging.getLogger("openedx_subsidy_events.consumer")


class RedisConsumer(EventBusConsumer):  # type: ignore[misc]
    """:class:`~openedx_subsidy_events.integrations.redis.RedisStreamConsumer` configured from Django settings.

    ``--extra`` of ``consume_events`` may give ``consumer_name`` (default: the host name),
    ``from_beginning`` and ``claim_idle_ms``. An entry that cannot be processed is logged and stays
    pending (or goes to ``SUBSIDY_EVENTS_DEAD_LETTER_STREAM``); the consumer goes on with the next.

    .. versionadded:: 0.1.0
    """

    def __init__(self, topic: str, group_id: str, consumer_name: str | None = None, **options: Any) -> None:
        from ..redis import RedisStreamConsumer

        self.consumer = RedisStreamConsumer(
            topic,
            group_id,
            consumer_name or socket.gethostname(),
            url=settings.EVENT_BUS_REDIS_CONNECTION_URL,
            topic_prefix=getattr(settings, "EVENT_BUS_TOPIC_PREFIX", None),
            dead_letter_stream=getattr(settings, "SUBSIDY_EVENTS_DEAD_LETTER_STREAM", None),
            deliver=deliver_to_openedx_signal,
            **options,
        )

    def consume_indefinitely(self) -> None:
        """Process entries until the process is stopped; entries that fail stay pending and are logged."""
        while not self.consumer.stopped:
            try:
                self.consumer.consume()
            except MessageNotProcessed as error:
                logger.error("%s", error, exc_info=error.__cause__ is not None)


class KafkaConsumer(EventBusConsumer):  # type: ignore[misc]
    """:class:`~openedx_subsidy_events.integrations.kafka.KafkaEventConsumer` configured from Django settings.

    Without ``SUBSIDY_EVENTS_DEAD_LETTER_TOPIC``, a message that cannot be processed stops the
    command with :class:`~openedx_subsidy_events.MessageNotProcessed`, its offset uncommitted: the
    process manager restarts it, and the message is read again (fix, or set a dead-letter topic).

    .. versionadded:: 0.1.0
    """

    def __init__(self, topic: str, group_id: str, **options: Any) -> None:
        from confluent_kafka.schema_registry import SchemaRegistryClient

        from ..kafka import KafkaEventConsumer

        registry = SchemaRegistryClient.new_client(
            {
                "url": settings.EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL,
                "basic.auth.user.info": f"{getattr(settings, 'EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_KEY', '')}:"
                f"{getattr(settings, 'EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_SECRET', '')}",
            }
        )
        self.consumer = KafkaEventConsumer(
            topic,
            group_id,
            bootstrap_servers=settings.EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS,
            registry=registry,
            topic_prefix=getattr(settings, "EVENT_BUS_TOPIC_PREFIX", None),
            dead_letter_topic=getattr(settings, "SUBSIDY_EVENTS_DEAD_LETTER_TOPIC", None),
            deliver=deliver_to_openedx_signal,
            **options,
        )

    def consume_indefinitely(self) -> None:
        """Process messages until the process is stopped, or a message cannot be processed (see above)."""
        try:
            self.consumer.consume()
        finally:
            self.consumer.close()

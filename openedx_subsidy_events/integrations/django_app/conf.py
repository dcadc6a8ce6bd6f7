"""The Django settings this package reads, each in one place with its default.

Open edX's own (``EVENT_BUS_PRODUCER_CONFIG``, ``EVENT_BUS_PRODUCER_MODE`` from openedx-events'
ADR 0015, ``EVENT_BUS_TOPIC_PREFIX``, the Redis and Kafka connection settings) and ours
(``SUBSIDY_EVENTS_*``). See ``docs/howto-nothing-lost.rst``.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from ...exceptions import OutboxError

__all__ = [
    "MODES",
    "bus_name",
    "database",
    "inbox_enabled",
    "inbox_retention",
    "outbox_retention",
    "publisher",
    "publishing_mode",
]

MODES = ("on-commit", "outbox")
"""The publishing modes of openedx-events' ADR 0015: after the commit, or a row in the transaction."""


def publishing_mode(event_type: str, topic: str) -> str:
    """The mode of an event type on a topic: its ``"mode"`` in ``EVENT_BUS_PRODUCER_CONFIG``, else the default.

    The default is ``EVENT_BUS_PRODUCER_MODE``, else ``on-commit``.
    """
    topic_config = getattr(settings, "EVENT_BUS_PRODUCER_CONFIG", {}).get(event_type, {}).get(topic, {})
    mode = topic_config.get("mode") or getattr(settings, "EVENT_BUS_PRODUCER_MODE", "on-commit")
    if mode not in MODES:
        raise OutboxError(event_type, rule="UNKNOWN_MODE", reason=f"publishing mode {mode!r} is not one of {MODES}")
    return str(mode)


def database() -> str:
    """The database alias of the outbox and the inbox: ``SUBSIDY_EVENTS_DATABASE``, else ``"default"``.

    It must be the database of the business data, so that both commit in one transaction.
    """
    return str(getattr(settings, "SUBSIDY_EVENTS_DATABASE", "default"))


def outbox_retention() -> timedelta:
    """How long sent outbox rows are kept (``SUBSIDY_EVENTS_OUTBOX_RETENTION`` seconds; 7 days)."""
    return timedelta(seconds=getattr(settings, "SUBSIDY_EVENTS_OUTBOX_RETENTION", 7 * 86400))


def inbox_retention() -> timedelta:
    """How long inbox entries are kept (``SUBSIDY_EVENTS_INBOX_RETENTION`` seconds; 30 days).

    A redelivery older than this is handled again: keep it longer than any event can wait on the bus.
    """
    return timedelta(seconds=getattr(settings, "SUBSIDY_EVENTS_INBOX_RETENTION", 30 * 86400))


def inbox_enabled() -> bool:
    """Whether the consumers record each handled event in the inbox (``SUBSIDY_EVENTS_INBOX``; on)."""
    return bool(getattr(settings, "SUBSIDY_EVENTS_INBOX", True))


def bus_name() -> str:
    """``SUBSIDY_EVENTS_BUS`` (``"redis"`` or ``"kafka"``), else the one bus whose connection is configured."""
    configured = getattr(settings, "SUBSIDY_EVENTS_BUS", None)
    if configured is None:
        found = [
            name
            for name, setting in (
                ("redis", "EVENT_BUS_REDIS_CONNECTION_URL"),
                ("kafka", "EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS"),
            )
            if getattr(settings, setting, None)
        ]
        if len(found) != 1:
            reason = "set SUBSIDY_EVENTS_BUS to 'redis' or 'kafka'" + (
                " (both buses are configured)"
                if found
                else " (no EVENT_BUS_REDIS_CONNECTION_URL or EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS is set)"
            )
            raise OutboxError("*", rule="NO_BUS_CONFIGURED", reason=reason)
        configured = found[0]
    if configured not in ("redis", "kafka"):
        raise OutboxError(
            "*", rule="NO_BUS_CONFIGURED", reason=f"SUBSIDY_EVENTS_BUS is {configured!r}, not 'redis' or 'kafka'"
        )
    return str(configured)


@functools.cache
def publisher() -> Any:
    """The producer of the configured bus, made once per process (the relay and the on-commit mode use it)."""
    prefix = getattr(settings, "EVENT_BUS_TOPIC_PREFIX", None)
    if bus_name() == "redis":
        from ..redis import RedisStreamProducer

        return RedisStreamProducer(
            url=settings.EVENT_BUS_REDIS_CONNECTION_URL,
            topic_prefix=prefix,
            maxlen=getattr(settings, "SUBSIDY_EVENTS_REDIS_STREAM_MAX_LEN", None),
        )
    from ..kafka import KafkaEventProducer

    return KafkaEventProducer(
        bootstrap_servers=settings.EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS,
        registry=kafka_registry(),
        topic_prefix=prefix,
        config=getattr(settings, "SUBSIDY_EVENTS_KAFKA_PRODUCER_CONFIG", None),
    )


def kafka_registry() -> Any:
    """A Schema Registry client from the edx-event-bus-kafka settings.

    A ``mock://`` URL gives the mock registry seeded with every published schema of the topics
    in ``EVENT_BUS_PRODUCER_CONFIG``, so producer and consumer processes agree on the ids.
    """
    from ...events import all_events
    from ..kafka import schema_registry, seeded_mock_registry

    url = settings.EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL
    if url.startswith("mock://"):
        prefix = getattr(settings, "EVENT_BUS_TOPIC_PREFIX", None)
        topics = {
            f"{prefix}-{topic}" if prefix else topic
            for config in getattr(settings, "EVENT_BUS_PRODUCER_CONFIG", {}).values()
            for topic in config
        }
        return seeded_mock_registry({topic: all_events() for topic in topics})
    api_key = getattr(settings, "EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_KEY", "")
    api_secret = getattr(settings, "EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_SECRET", "")
    return schema_registry.SchemaRegistryClient.new_client(
        {"url": url, "basic.auth.user.info": f"{api_key}:{api_secret}"}
    )


@receiver(setting_changed)  # type: ignore[untyped-decorator]
def _forget_publisher(**_kwargs: Any) -> None:
    """A test's ``override_settings`` gets a producer for its settings."""
    publisher.cache_clear()

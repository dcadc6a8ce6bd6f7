"""The Django settings of a reference service's processes: the how-to's, for one service, database and bus.

:func:`service_settings` is ``docs/howto-nothing-lost.rst``'s settings block for one service (our
producer in ``outbox`` mode, our consumer, the inbox), on Redis or Kafka as
``docs/howto-kafka.rst`` configures it; the suite checks it stays the how-to's. Two switches exist
for negative controls only: ``outbox=False`` publishes in ``on-commit`` mode, ``inbox=False`` runs
handlers without the inbox. :func:`monitor_settings` opens the three databases at once, to count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._databases import database_settings
from ._topology import SERVICES

__all__ = ["KAFKA_CONSUMER_CONFIG", "monitor_settings", "service_settings"]

_INTEGRATION = "openedx_subsidy_events.integrations.django_app"

KAFKA_CONSUMER_CONFIG = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "fetch.wait.max.ms": 10}
"""librdkafka settings of the demo's Kafka consumers: a killed member is replaced after 6 s, and a
fetch that finds nothing returns within 10 ms (librdkafka's mock cluster holds it for the whole wait)."""


def _producer_config(mode: str) -> dict[str, Any]:
    """``EVENT_BUS_PRODUCER_CONFIG`` for all four events: the topics tell a ``mock://`` registry what to hold."""
    return {
        definition.event_type: {
            service.topic_of(definition): {
                "event_key_field": f"{definition.data_key}.subsidy_request_uuid",
                "enabled": True,
                "mode": mode,
            }
        }
        for service in SERVICES.values()
        for definition in service.sends
    }


def _common() -> dict[str, Any]:
    return {
        "USE_TZ": True,
        "SECRET_KEY": "reference-services-demo",
        "LOGGING_CONFIG": None,
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
    }


def service_settings(
    service: str, *, database: str, bus: str, prefix: str, outbox: bool = True, inbox: bool = True
) -> dict[str, Any]:
    """The settings of one service's processes: ``database`` a URL, ``bus`` ``redis://…`` or ``kafka://HOST:PORT``."""
    mode = "outbox" if outbox else "on-commit"
    settings: dict[str, Any] = {
        **_common(),
        "INSTALLED_APPS": ["openedx_events", _INTEGRATION, SERVICES[service].app],
        "DATABASES": {"default": database_settings(database)},
        "EVENTS_SERVICE_NAME": service,
        "EVENT_BUS_TOPIC_PREFIX": prefix,
        "EVENT_BUS_PRODUCER": f"{_INTEGRATION}.producer.create_producer",
        "EVENT_BUS_PRODUCER_MODE": mode,
        "EVENT_BUS_PRODUCER_CONFIG": _producer_config(mode),
        "SUBSIDY_EVENTS_INBOX": inbox,
        "SUBSIDY_REFERENCE_SERVICE": service,
    }
    if bus.startswith("redis://"):
        settings["EVENT_BUS_REDIS_CONNECTION_URL"] = bus
        settings["EVENT_BUS_CONSUMER"] = f"{_INTEGRATION}.consumers.RedisConsumer"
    elif bus.startswith("kafka://"):
        settings["EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS"] = bus.removeprefix("kafka://")
        settings["EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL"] = "mock://reference-services"
        settings["EVENT_BUS_CONSUMER"] = f"{_INTEGRATION}.consumers.KafkaConsumer"
    else:
        raise ValueError(f"{bus!r}: the bus must be redis://HOST:PORT/DB or kafka://HOST:PORT")
    return settings


def monitor_settings(databases: Mapping[str, str]) -> dict[str, Any]:
    """Settings that open each service's database (by service name) under its app label, to read them."""
    return {
        **_common(),
        "INSTALLED_APPS": [_INTEGRATION, *(SERVICES[name].app for name in databases)],
        "DATABASES": {
            "default": {"ENGINE": "django.db.backends.dummy"},
            **{SERVICES[name].label: database_settings(url) for name, url in databases.items()},
        },
    }

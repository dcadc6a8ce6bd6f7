"""Configure Django once per test process, as a service using openedx-events would."""

from __future__ import annotations

import os
from typing import Any

import django
from django.conf import settings

from openedx_subsidy_events import all_events

REDIS_URL = os.environ.get("SUBSIDY_EVENTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
"""The Redis server the bus tests use (./dev test starts one on 127.0.0.1:6379 when none answers)."""

TOPIC_PREFIX = "subsidy-events-test"
"""EVENT_BUS_TOPIC_PREFIX of the test settings: every stream and topic the bus tests make starts with it."""


def ensure_django() -> None:
    """Settings with openedx_events listed *before* our app, and a producer config for our events.

    openedx_events' ready() rejects producer config for unknown event types, so django.setup()
    succeeding proves our signals exist before it runs, whatever the app order.
    """
    if settings.configured:
        return
    settings.configure(
        INSTALLED_APPS=["openedx_events", "openedx_subsidy_events.integrations.django_app"],
        EVENTS_SERVICE_NAME="tests",
        EVENT_BUS_PRODUCER_CONFIG={
            d.event_type: {f"{d.producer}-topic": {"event_key_field": d.event_key_field, "enabled": False}}
            for d in all_events()
        },
        USE_TZ=True,
        EVENT_BUS_REDIS_CONNECTION_URL=REDIS_URL,
        EVENT_BUS_TOPIC_PREFIX=TOPIC_PREFIX,
    )
    django.setup()


def edx_redis_send(definition: Any, payload: Any, topic: str, metadata: Any) -> None:
    """Send one event with edx-event-bus-redis's own producer, as a service configured for it does."""
    ensure_django()
    from edx_event_bus_redis.internal.producer import create_producer

    from openedx_subsidy_events.integrations.openedx import openedx_signal

    create_producer().send(
        signal=openedx_signal(definition),
        topic=topic,
        event_key_field=definition.event_key_field,
        event_data={definition.data_key: payload},
        event_metadata=metadata.to_openedx(),
    )

"""Configure Django once per test process, as a service using openedx-events would."""

from __future__ import annotations

import os

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

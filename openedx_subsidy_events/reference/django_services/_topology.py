"""The three services: their Django app, the events they send and the topics each consumes."""

from __future__ import annotations

from typing import Any

import attrs

from ...events import (
    COUPON_CODE_ASSIGNED,
    COUPON_CODE_REQUEST_APPROVED,
    LICENSE_ASSIGNED,
    LICENSE_REQUEST_APPROVED,
    EventDefinition,
)
from .._topology import READERS, TOPIC_OF

__all__ = ["SERVICES", "Service"]

_PACKAGE = "openedx_subsidy_events.reference.django_services"


@attrs.frozen(kw_only=True)
class Service:
    """One reference service as Django runs it.

    .. versionadded:: 0.2.0
    """

    name: str
    """Its name, ``EVENTS_SERVICE_NAME`` and the consumer group of its consumers."""
    sends: tuple[EventDefinition[Any], ...]
    """The events it sends."""

    @property
    def app(self) -> str:
        """Its Django app (``INSTALLED_APPS``)."""
        return f"{_PACKAGE}.{self.name.replace('-', '_')}"

    @property
    def label(self) -> str:
        """Its app label: its models' prefix and its alias in a database configuration holding all three."""
        return "reference_" + self.name.replace("-", "_")

    @property
    def consumes(self) -> tuple[str, ...]:
        """The topics its consumers read, one ``consume_events`` process each."""
        return tuple(topic for topic, readers in READERS.items() if self.name in readers)

    def topic_of(self, definition: EventDefinition[Any]) -> str:
        """The topic an event is sent to."""
        return TOPIC_OF[definition.event_type]


SERVICES = {
    service.name: service
    for service in (
        Service(name="enterprise-access", sends=(LICENSE_REQUEST_APPROVED, COUPON_CODE_REQUEST_APPROVED)),
        Service(name="license-manager", sends=(LICENSE_ASSIGNED,)),
        Service(name="ecommerce", sends=(COUPON_CODE_ASSIGNED,)),
    )
}
"""The services by name."""

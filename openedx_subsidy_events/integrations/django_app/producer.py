"""Our ``EVENT_BUS_PRODUCER``: openedx-events hands it each event, and it publishes by the event's mode.

Set ``EVENT_BUS_PRODUCER = "openedx_subsidy_events.integrations.django_app.producer.create_producer"``.
openedx-events' signal handler calls :meth:`SubsidyEventsProducer.send` for every enabled topic of
an event's ``EVENT_BUS_PRODUCER_CONFIG``; the event's publishing mode (ADR 0015) then decides:

* ``on-commit`` (the default): published once the current transaction commits, at once when there
  is none; a rollback sends nothing. A broker that fails then loses the event (logged as an
  error): the mode for events another service's correctness does not depend on.
* ``outbox``: a row in the current transaction (:mod:`.outbox`), published by the relay. Nothing
  committed is lost and nothing rolled back is sent. If the row cannot be written, the
  transaction is marked for rollback and :class:`~openedx_subsidy_events.OutboxError` is raised.

Events this package does not define (a service sends others through the same setting) go to the
Open edX producer of the configured bus, edx-event-bus-redis's or edx-event-bus-kafka's, exactly
as they would without this package: the modes and the outbox are for the subsidy events.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.db import DatabaseError, transaction
from openedx_events.event_bus import EventBusProducer

from ...envelope import EventMetadata
from ...events import get_event
from ...exceptions import OutboxError, UnknownEventType
from ..bus import WireEvent
from . import conf, outbox

__all__ = ["SubsidyEventsProducer", "create_producer"]

logger = logging.getLogger("openedx_subsidy_events.producer")


def _field(path: str, data: dict[str, Any]) -> Any:
    """The value at a dotted ``event_key_field`` path, through dicts and attributes, as the Open edX buses read it."""
    value: Any = data
    for part in path.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


class SubsidyEventsProducer(EventBusProducer):  # type: ignore[misc]
    """Publishes events after the commit or through the outbox, by each event type's mode.

    .. versionadded:: 0.2.0
    """

    def send(
        self, *, signal: Any, topic: str, event_key_field: str, event_data: dict[str, Any], event_metadata: Any
    ) -> None:
        """Publish one event to one topic, by its mode (see the module's docstring)."""
        try:
            definition = get_event(signal.event_type)
        except UnknownEventType:
            openedx_producer().send(
                signal=signal, topic=topic, event_key_field=event_key_field, event_data=event_data,
                event_metadata=event_metadata,
            )  # fmt: skip
            return
        payload = event_data[definition.data_key]
        event = WireEvent(
            metadata=EventMetadata.from_openedx(event_metadata),
            topic=topic,
            key=str(_field(event_key_field, event_data)),
            data=definition.serialize(payload),
        )
        using = conf.database()
        if conf.publishing_mode(signal.event_type, topic) == "outbox":
            self._write_outbox(event, using)
        else:
            transaction.on_commit(lambda: publish_now(event), using=using)

    @staticmethod
    def _write_outbox(event: WireEvent, using: str) -> None:
        try:
            outbox.write(event, using=using)
        except DatabaseError as error:
            if transaction.get_connection(using).in_atomic_block:
                transaction.set_rollback(True, using=using)
            raise OutboxError(
                event.metadata.event_type,
                rule="OUTBOX_WRITE_FAILED",
                reason=f"the outbox row could not be written ({type(error).__name__}: {error}); "
                "the transaction will not commit",
            ) from error


def publish_now(event: WireEvent) -> bool:
    """Publish one event and wait for the broker's ack (the on-commit mode); ``False``, logged, if it did not ack."""
    try:
        result = conf.publisher().publish([event])
        error = result.error
    except Exception as failure:  # after the commit, nothing may reach the code that committed
        error = f"{type(failure).__name__}: {failure}"
    if error is None:
        return True
    logger.error(
        "on-commit publish of %s %s to %r failed, and the event is lost (use the outbox mode for events "
        "that must arrive): %s",
        event.metadata.event_type, event.metadata.id, event.topic, error,
    )  # fmt: skip
    return False


@functools.cache
def openedx_producer() -> Any:
    """The Open edX producer of the configured bus, for the events this package does not define."""
    if conf.bus_name() == "redis":
        from edx_event_bus_redis import create_producer as create_redis_producer

        return create_redis_producer()
    from edx_event_bus_kafka import create_producer as create_kafka_producer

    return create_kafka_producer()


def create_producer() -> SubsidyEventsProducer:
    """The producer openedx-events' ``get_producer`` loads from ``EVENT_BUS_PRODUCER``."""
    return SubsidyEventsProducer()

"""The events as openedx-events signals, so that the Open edX event buses carry them.

Needs the ``openedx`` extra (openedx-events and Django). :func:`openedx_signal` gives the one
``OpenEdxPublicSignal`` of an event (its data key mapped to our payload class, its minor version),
so openedx-events' producers and consumers, and its Avro serializer, work with our payloads
unchanged. Events sent through these signals are recorded by
:func:`~openedx_subsidy_events.capture_events`, so a service's real code, sending the Open edX way,
can be verified by the contract tests.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from openedx_events.tooling import OpenEdxPublicSignal

from .. import signals
from ..envelope import EventMetadata
from ..events import EventDefinition, all_events, get_event

__all__ = ["deliver_to_openedx_signal", "openedx_signal", "register_signals", "send_through_signal"]

_lock = threading.Lock()


@functools.cache
def openedx_signal(definition: EventDefinition[Any]) -> Any:
    """The ``OpenEdxPublicSignal`` of an event, created once per process.

    An existing signal of the same event type (one the service defined by hand) is reused when its
    data definition matches ours; one that differs is an error, since it would serialize other bytes.
    """
    with _lock:
        try:
            existing = OpenEdxPublicSignal.get_signal_by_type(definition.event_type)
        except KeyError:
            existing = None
        expected = {definition.data_key: definition.payload_type}
        if existing is not None:
            if existing.init_data != expected or existing.minor_version != definition.minor_version:
                raise ValueError(
                    f"an OpenEdxPublicSignal for {definition.event_type} already exists with data "
                    f"{existing.init_data!r} (minor {existing.minor_version}); expected {expected!r} "
                    f"(minor {definition.minor_version})"
                )
            signal = existing
        else:
            signal = OpenEdxPublicSignal(
                event_type=definition.event_type, data=expected, minor_version=definition.minor_version
            )
        signal.connect(_record_sent, weak=False, dispatch_uid=f"openedx_subsidy_events.capture.{definition.event_type}")
        signal.connect(
            _call_connected, weak=False, dispatch_uid=f"openedx_subsidy_events.connect.{definition.event_type}"
        )
    return signal


def _call_connected(sender: Any, signal: Any, metadata: Any = None, **kwargs: Any) -> None:
    """Receiver on every signal of ours: calls the receivers connected with :meth:`EventDefinition.connect`.

    So a receiver connected the package's way gets what the signal gets: the service's own sends
    and the events a bus consumer delivers (``from_event_bus=True``).
    """
    definition = get_event(signal.event_type)
    payload = kwargs.get(definition.data_key)
    from_event_bus = bool(kwargs.get("from_event_bus"))
    signals.call_receivers(definition, payload, EventMetadata.from_openedx(metadata), from_event_bus=from_event_bus)


def send_through_signal(
    definition: EventDefinition[Any], payload: Any, metadata: EventMetadata | None
) -> list[tuple[Any, Any]]:
    """:meth:`EventDefinition.send` once the Django app is ready: the event's ``OpenEdxPublicSignal`` is sent.

    Not robustly: a receiver's exception (the bus producer's among them) reaches the sender, so a
    failed outbox write cannot pass unnoticed. Metadata is made by openedx-events unless given.
    """
    signal = openedx_signal(definition)
    openedx_metadata = signal.generate_signal_metadata() if metadata is None else metadata.to_openedx()
    responses: list[tuple[Any, Any]] = signal._send_event_with_metadata(
        metadata=openedx_metadata, send_robust=False, **{definition.data_key: payload}
    )
    return responses


def _record_sent(sender: Any, signal: Any, metadata: Any = None, **kwargs: Any) -> None:
    """Receiver on every signal of ours: adds what the service itself sent to active captures.

    Events the event bus consumer re-sends in process (``from_event_bus=True``) were sent by
    another service, so they are not recorded.
    """
    if kwargs.get("from_event_bus"):
        return
    definition = get_event(signal.event_type)
    payload = kwargs.get(definition.data_key)
    signals.record(definition, payload, EventMetadata.from_openedx(metadata))


def register_signals() -> list[Any]:
    """Create the signals of all our events (call before the ``openedx_events`` app is ready)."""
    return [openedx_signal(definition) for definition in all_events()]


def deliver_to_openedx_signal(
    definition: EventDefinition[Any], payload: Any, metadata: EventMetadata, *, prepare: bool = True
) -> None:
    """Send a received event to the receivers of its ``OpenEdxPublicSignal``, as the Open edX bus consumers do.

    The receivers get ``from_event_bus=True`` and the producer's metadata. Django's request-scoped
    state (database connection, request cache) is reset first, as openedx-events' consumers do.
    The first exception a receiver raised is raised again, so the consumer keeps the message.
    ``prepare=False`` skips the reset, for a caller that did it before opening a transaction.
    """
    if prepare:
        from openedx_events.tooling import prepare_for_new_work_cycle

        prepare_for_new_work_cycle()
    signal = openedx_signal(definition)
    results = signal.send_event_with_custom_metadata(metadata.to_openedx(), **{definition.data_key: payload})
    for _receiver, response in results:
        if isinstance(response, BaseException):
            raise response

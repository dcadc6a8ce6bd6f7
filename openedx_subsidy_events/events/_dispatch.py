"""Sending events in process: the receivers connected to each event type, and observers of every event sent.

Receivers are called as Django calls signal receivers (and as openedx-events calls them), so one
handler serves both: ``receiver(signal=<definition>, sender=None, metadata=<EventMetadata>,
<data_key>=<payload>)``. A receiver's exception propagates to the sender: in-process delivery is
for tests and for single-process deployments, where a hidden failure is worse than a loud one.

Observers see every event sent (or recorded by a bus integration) before any receiver runs: the
captures of :func:`openedx_subsidy_events.capture_events` are observers. This module is below the
event definitions, which send through it; it knows of an event only its type and data key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from ..envelope import EventMetadata

__all__ = [
    "Observer",
    "Receiver",
    "Transport",
    "call_receivers",
    "connect",
    "disconnect",
    "dispatch",
    "observe",
    "record",
    "send",
    "set_transport",
    "unobserve",
]

Receiver = Callable[..., Any]
Observer = Callable[[Any, Any, EventMetadata], None]
"""Called with ``(definition, payload, metadata)`` for every event sent or recorded."""
Transport = Callable[[Any, Any, "EventMetadata | None"], list[tuple[Receiver, Any]]]
"""How :meth:`EventDefinition.send` sends when a framework took over: ``(definition, payload, metadata or None)``."""


class Routed(Protocol):
    """What delivery reads of an event definition."""

    @property
    def event_type(self) -> str:
        """The receivers connected to this event type are called."""

    @property
    def data_key(self) -> str:
        """The keyword the payload is passed under."""


_lock = threading.Lock()
_receivers: dict[str, list[Receiver]] = {}
_observers: list[Observer] = []
_transport: Transport | None = None


def set_transport(transport: Transport | None) -> None:
    """Route every :meth:`EventDefinition.send` through ``transport`` (the Django app's: openedx-events' signal).

    ``None`` goes back to in-process dispatch. The transport must still reach the connected
    receivers (through :func:`call_receivers`) and the observers.
    """
    global _transport
    _transport = transport


def send(definition: Routed, payload: Any, metadata: EventMetadata | None) -> list[tuple[Receiver, Any]]:
    """Send through the transport, or in process (new metadata from ``definition`` when none is given)."""
    transport = _transport
    if transport is not None:
        return transport(definition, payload, metadata)
    return dispatch(definition, payload, metadata or definition.metadata())  # type: ignore[attr-defined]


def connect(event_type: str, receiver: Receiver) -> None:
    """Add a receiver (held strongly; connecting it twice calls it once)."""
    with _lock:
        receivers = _receivers.setdefault(event_type, [])
        if receiver not in receivers:
            receivers.append(receiver)


def disconnect(event_type: str, receiver: Receiver) -> bool:
    """Remove a receiver; ``False`` if it was not connected."""
    with _lock:
        receivers = _receivers.get(event_type, [])
        if receiver in receivers:
            receivers.remove(receiver)
            return True
        return False


def observe(observer: Observer) -> None:
    """Call ``observer`` for every event sent or recorded from now on, in the order observers were added."""
    with _lock:
        _observers.append(observer)


def unobserve(observer: Observer) -> None:
    """Stop calling ``observer`` (by identity: two observers that compare equal stay distinct)."""
    with _lock:
        _observers[:] = [o for o in _observers if o is not observer]


def record(definition: Routed, payload: Any, metadata: EventMetadata) -> None:
    """Show an event to every observer without calling receivers (the openedx-events integration's path)."""
    with _lock:
        observers = list(_observers)
    for observer in observers:
        observer(definition, payload, metadata)


def dispatch(definition: Routed, payload: Any, metadata: EventMetadata) -> list[tuple[Receiver, Any]]:
    """Record the event, then call the receivers in the order they were connected."""
    record(definition, payload, metadata)
    return call_receivers(definition, payload, metadata)


def call_receivers(
    definition: Routed, payload: Any, metadata: EventMetadata, **extra: Any
) -> list[tuple[Receiver, Any]]:
    """Call the receivers of the event's type in the order they were connected (``extra`` keywords too)."""
    with _lock:
        receivers = list(_receivers.get(definition.event_type, ()))
    kwargs = {"signal": definition, "sender": None, "metadata": metadata, definition.data_key: payload, **extra}
    return [(receiver, receiver(**kwargs)) for receiver in receivers]

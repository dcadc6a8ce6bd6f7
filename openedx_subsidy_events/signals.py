"""Sending events in process: receivers, and a capture of everything sent.

Receivers are called as Django calls signal receivers (and as openedx-events calls them), so one
handler serves both: ``receiver(signal=<definition>, sender=None, metadata=<EventMetadata>,
<data_key>=<payload>)``. A receiver's exception propagates to the sender: in-process delivery is
for tests and for single-process deployments, where a hidden failure is worse than a loud one.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from .envelope import EventMetadata

if TYPE_CHECKING:
    from .events._definition import EventDefinition

__all__ = ["CapturedEvent", "CapturedEvents", "Receiver", "capture_events"]

P = TypeVar("P")
Receiver = Callable[..., Any]

_lock = threading.Lock()
_receivers: dict[str, list[Receiver]] = {}
_captures: list[CapturedEvents] = []


class CapturedEvent(NamedTuple, Generic[P]):
    """One event recorded by :func:`capture_events`."""

    definition: EventDefinition[P]
    payload: P
    metadata: EventMetadata


class CapturedEvents(list[CapturedEvent[Any]]):
    """The events sent while a capture was active, in the order they were sent."""

    def of(self, definition: EventDefinition[P]) -> list[CapturedEvent[P]]:
        """The captured events of one event definition."""
        return [event for event in self if event.definition is definition]

    def payloads(self, definition: EventDefinition[P]) -> list[P]:
        """The payloads of the captured events of one event definition."""
        return [event.payload for event in self if event.definition is definition]


@contextlib.contextmanager
def capture_events() -> Iterator[CapturedEvents]:
    """Record every event sent, by any thread, while the block runs; receivers still run.

    Captures nest: an event sent inside two active captures is recorded by both.
    """
    captured = CapturedEvents()
    with _lock:
        _captures.append(captured)
    try:
        yield captured
    finally:
        with _lock:  # by identity: two captures holding the same events compare equal
            _captures[:] = [c for c in _captures if c is not captured]


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


def record(definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
    """Add an event to every active capture (also used by the openedx-events integration)."""
    with _lock:
        captures = list(_captures)
    for captured in captures:
        captured.append(CapturedEvent(definition, payload, metadata))


def dispatch(definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> list[tuple[Receiver, Any]]:
    """Record the event, then call the receivers in the order they were connected."""
    record(definition, payload, metadata)
    with _lock:
        receivers = list(_receivers.get(definition.event_type, ()))
    kwargs = {"signal": definition, "sender": None, "metadata": metadata, definition.data_key: payload}
    return [(receiver, receiver(**kwargs)) for receiver in receivers]

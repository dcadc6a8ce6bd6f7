"""Sending events in process: receivers, and a capture of everything sent.

Receivers are called as Django calls signal receivers (and as openedx-events calls them), so one
handler serves both: ``receiver(signal=<definition>, sender=None, metadata=<EventMetadata>,
<data_key>=<payload>)``. A receiver's exception propagates to the sender: in-process delivery is
for tests and for single-process deployments, where a hidden failure is worse than a loud one.

The delivery itself is ``openedx_subsidy_events.events._dispatch``, below the definitions that
send through it; this module adds the captures on top, as observers of every event sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Generic, NamedTuple, TypeVar

from .envelope import EventMetadata
from .events import EventDefinition
from .events._dispatch import Receiver, observe, unobserve
from .events._dispatch import call_receivers as call_receivers
from .events._dispatch import connect as connect  # the bus integrations call these through this module
from .events._dispatch import disconnect as disconnect
from .events._dispatch import dispatch as dispatch
from .events._dispatch import record as record

__all__ = ["CapturedEvent", "CapturedEvents", "Receiver", "capture_events"]

P = TypeVar("P")


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

    def observer(definition: Any, payload: Any, metadata: EventMetadata) -> None:
        captured.append(CapturedEvent(definition, payload, metadata))

    observe(observer)
    try:
        yield captured
    finally:
        unobserve(observer)

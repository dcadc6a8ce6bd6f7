"""What every bus consumer of this package does with a message, whichever bus it came from.

A consumer reads the metadata, finds the event, decodes the bytes with the writer's schema,
hands the payload to the service, and only then acknowledges. Each step that fails becomes one
:class:`~openedx_subsidy_events.MessageNotProcessed` with a rule id, and the message is kept:
left pending or uncommitted, or copied to a dead-letter stream or topic first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from .. import signals
from ..envelope import EventMetadata
from ..events import EventDefinition, all_events
from ..exceptions import BrokerUnavailable, DecodeError, MessageNotProcessed, UnknownSchemaVersion

__all__ = ["ConsumeStats", "ConsumerLoop", "Deliver", "MessagePlace", "Retry", "deliver_in_process", "events_by_type"]

logger = logging.getLogger("openedx_subsidy_events.consumer")

Deliver = Callable[[EventDefinition[Any], Any, EventMetadata], object]
"""How a consumer hands an event to the service: ``deliver(definition, payload, metadata)``; raising = not handled."""


def deliver_in_process(definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
    """Call the receivers connected with :meth:`EventDefinition.connect`; a receiver's exception propagates."""
    signals.dispatch(definition, payload, metadata)


def events_by_type(events: Iterable[EventDefinition[Any]] | None) -> dict[str, EventDefinition[Any]]:
    """The events a consumer reads, by event type (all of this package's by default)."""
    return {definition.event_type: definition for definition in (all_events() if events is None else events)}


@attrs.define
class ConsumeStats:
    """What a consumer did so far.

    Attributes:
        processed: messages handled and acknowledged.
        dead_lettered: messages that could not be processed and were copied to the dead-letter stream or topic.
        newer_minor: messages of a minor version newer than this package knows, read as a prefix.

    .. versionadded:: 0.1.0

    """

    processed: int = 0
    dead_lettered: int = 0
    newer_minor: int = 0


_warned: set[tuple[str, int]] = set()
_warned_lock = threading.Lock()


def note_newer_minor(definition: EventDefinition[Any], minorversion: int) -> None:
    """Log once per process and (event type, minor) that a newer minor was read with the newest known schema."""
    key = (definition.event_type, minorversion)
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    logger.warning(
        "%s minor %d is newer than this package knows; reading it with minor %d and skipping the fields "
        "it appended (upgrade openedx-subsidy-events to read them)",
        definition.event_type,
        minorversion,
        definition.minor_version,
    )


@attrs.frozen
class MessagePlace:
    """Where a message came from, for the errors about it."""

    bus: str
    topic: str
    position: str
    event_type: str | None = None

    def fail(self, rule: str, reason: str, *, kept: str = "") -> MessageNotProcessed:
        """The error for this message."""
        return MessageNotProcessed(
            self.bus, self.topic, self.position, event_type=self.event_type, rule=rule, reason=reason, kept=kept
        )

    def event(self, events: Mapping[str, EventDefinition[Any]], event_type: str) -> EventDefinition[Any]:
        """The definition of the message's event type; ``UNKNOWN_EVENT_TYPE`` if this consumer reads no such event."""
        definition = events.get(event_type)
        if definition is None:
            raise self.fail("UNKNOWN_EVENT_TYPE", f"this consumer reads no event of type {event_type!r}")
        return definition

    def decode(self, decode: Callable[[], Any]) -> Any:
        """Run a decoding step, turning the package's decoding errors into this message's error."""
        try:
            return decode()
        except UnknownSchemaVersion as error:
            raise self.fail("UNKNOWN_SCHEMA_VERSION", str(error)) from None
        except DecodeError as error:
            raise self.fail("UNDECODABLE", str(error)) from None

    def deliver(
        self,
        deliver: Deliver,
        definition: EventDefinition[Any],
        payload: Any,
        metadata: EventMetadata,
        *,
        retry: Retry | None = None,
    ) -> None:
        """Hand the event to the service, retrying a raising handler as ``retry`` says.

        ``HANDLER_FAILED`` once the retries are spent (the last exception is the error's cause).
        """
        retry = retry or Retry(attempts=1)
        for attempt in range(1, retry.attempts + 1):
            try:
                deliver(definition, payload, metadata)
                return
            except Exception as error:
                if attempt == retry.attempts:
                    raise self.fail(
                        "HANDLER_FAILED", f"the handler raised {type(error).__name__} ({attempt} attempt(s))"
                    ) from error
                logger.warning(
                    "%s %r %s (%s): the handler raised %s; attempt %d of %d in %.2f s",
                    self.bus, self.topic, self.position, self.event_type, type(error).__name__,
                    attempt + 1, retry.attempts, retry.delay(attempt),
                )  # fmt: skip
                time.sleep(retry.delay(attempt))


@attrs.frozen
class Retry:
    """How often, and how patiently, a consumer calls a handler that raised, before giving up on the message.

    The delay after attempt *n* is ``backoff * 2 ** (n - 1)``, at most ``max_backoff`` seconds.
    A message whose handler still fails is dead-lettered (given a dead-letter stream or topic)
    or kept (pending on Redis, and claimed again once idle; uncommitted on Kafka).

    .. versionadded:: 0.2.0
    """

    attempts: int = 3
    backoff: float = 0.2
    max_backoff: float = 5.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after attempt ``attempt`` (1-based) failed."""
        return float(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))


class ConsumerLoop:
    """What every bus consumer runs: batches until enough are handled, the bus is idle, or :meth:`stop`.

    A bus consumer implements :meth:`poll_batch` (process up to ``limit`` messages that arrive
    soon; how many it handled), keeps :attr:`stats`, and names the exceptions of a lost
    connection in :attr:`connection_errors`. A lost connection is retried with backoff for
    :attr:`reconnect_timeout` seconds, then :class:`~openedx_subsidy_events.BrokerUnavailable` is
    raised: a consumer never ends quietly while its broker is gone.
    """

    stats: ConsumeStats
    batch_size = 100
    reconnect_timeout = 60.0
    connection_errors: tuple[type[BaseException], ...] = ()
    _stopped = False

    def poll_batch(self, limit: int) -> int:
        """Process up to ``limit`` messages, waiting briefly for them; how many were handled."""
        raise NotImplementedError

    def describe(self) -> tuple[str, str]:
        """``(bus, where)`` for :class:`BrokerUnavailable`."""
        raise NotImplementedError

    def consume(self, *, max_messages: int | None = None, idle_timeout: float | None = None) -> ConsumeStats:
        """Process messages until ``max_messages`` are handled, none came for ``idle_timeout`` s, or :meth:`stop`."""
        start = self.stats.processed + self.stats.dead_lettered
        idle_since = time.monotonic()
        while not self._stopped:
            done = self.stats.processed + self.stats.dead_lettered - start
            if max_messages is not None and done >= max_messages:
                break
            limit = self.batch_size if max_messages is None else max(1, min(self.batch_size, max_messages - done))
            if self._poll_reconnecting(limit):
                idle_since = time.monotonic()
            elif idle_timeout is not None and time.monotonic() - idle_since >= idle_timeout:
                break
        return self.stats

    def _poll_reconnecting(self, limit: int) -> int:
        """:meth:`poll_batch`, waiting out a lost connection with backoff up to :attr:`reconnect_timeout`."""
        lost_since: float | None = None
        delay = 0.1
        while True:
            try:
                handled = self.poll_batch(limit)
            except self.connection_errors as error:
                now = time.monotonic()
                lost_since = now if lost_since is None else lost_since
                bus, where = self.describe()
                if now - lost_since >= self.reconnect_timeout or self._stopped:
                    raise BrokerUnavailable(
                        bus, where, seconds=now - lost_since, reason=f"{type(error).__name__}: {error}"
                    ) from error
                logger.warning("%s %s: connection lost (%s); retrying in %.1f s", bus, where, error, delay)
                time.sleep(delay)
                delay = min(5.0, delay * 2)
                continue
            if lost_since is not None:
                bus, where = self.describe()
                logger.warning("%s %s: connected again after %.1f s", bus, where, time.monotonic() - lost_since)
            return handled

    def consume_indefinitely(self) -> None:
        """Process messages until :meth:`stop` (openedx-events' consumer interface)."""
        self.consume()

    def stop(self) -> None:
        """Make :meth:`consume` return once the message being handled is acknowledged (safe from a signal handler)."""
        self._stopped = True

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopped

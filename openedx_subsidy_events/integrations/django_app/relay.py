"""The relay: publishes the outbox to the bus in commit order, marking a row sent only after the broker's ack.

One batch at a time: the relay takes its lock, reads the oldest unsent rows in id order, publishes
them, and marks sent the prefix the broker acknowledged. What was not acknowledged is published
again at the next batch, so nothing is lost, and a row can go out twice (a relay killed between
the ack and the mark): consumers' inboxes make the second copy harmless. While the broker is
down the relay retries with backoff, without limit.

The lock keeps two relays from overtaking each other: on PostgreSQL and MySQL it is the relay's
row in :class:`~.models.RelayState`, locked (``SELECT … FOR UPDATE SKIP LOCKED``) for the whole
batch, so a second relay waits as a standby and a killed one releases it with its connection; on
SQLite, which has no row locks, it is an ``flock`` on a file beside the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import attrs
from django.db import DatabaseError, connections, transaction
from django.db.models import F

from ..bus import Publisher
from . import conf
from .models import OutboxEvent, RelayState
from .outbox import purge, to_wire

__all__ = ["Relay", "RelayStats"]

logger = logging.getLogger("openedx_subsidy_events.relay")


def _now() -> datetime:
    return datetime.now(UTC)


@attrs.define
class RelayStats:
    """What a relay did so far.

    Attributes:
        published: rows published and marked sent.
        batches: batches published.
        failures: batches the broker did not (wholly) acknowledge.
        standby: times the relay found another relay holding the lock.
        purged: sent rows and inbox entries deleted after their retention.

    .. versionadded:: 0.2.0

    """

    published: int = 0
    batches: int = 0
    failures: int = 0
    standby: int = 0
    purged: int = 0


class Relay:
    """Publishes a service's outbox to its bus.

    Arguments:
        publisher: the bus's producer (default: the one the settings configure).
        using: the database alias (default: ``SUBSIDY_EVENTS_DATABASE``, else ``"default"``).
        batch_size: rows per batch.
        poll_interval: seconds to wait when the outbox is empty or another relay holds the lock.
        max_backoff: the longest wait between two tries while the broker fails, in seconds.
        purge_every: seconds between two purges of what outlived its retention (``None``: never).
        name: the relay's lock; relays of one outbox share it (the default).

    .. versionadded:: 0.2.0

    """

    def __init__(
        self,
        publisher: Publisher | None = None,
        *,
        using: str | None = None,
        batch_size: int = 200,
        poll_interval: float = 0.02,
        max_backoff: float = 10.0,
        purge_every: float | None = 300.0,
        name: str = "default",
    ) -> None:
        self.publisher = publisher if publisher is not None else conf.publisher()
        self.using = using or conf.database()
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.purge_every = purge_every
        self.name = name
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.stats = RelayStats()
        self._stopped = False
        self._failing = 0
        self._next_purge = time.monotonic()
        self._last_error = ""

    # -- running ----------------------------------------------------------------------------

    def run(self, *, until_empty: bool = False, sleep: Callable[[float], None] = time.sleep) -> RelayStats:
        """Publish until :meth:`stop` (or, with ``until_empty``, until the outbox has no unsent row)."""
        while not self._stopped:
            self._purge_when_due()
            outcome = self.step()
            if outcome == "published":
                continue
            if outcome == "failed":
                sleep(self._backoff())
            elif until_empty and outcome == "empty":
                break
            else:
                sleep(self.poll_interval)
        return self.stats

    def stop(self) -> None:
        """Return from :meth:`run` once the batch in flight is published and marked (safe from a signal handler)."""
        self._stopped = True

    def _backoff(self) -> float:
        return float(min(self.max_backoff, 0.05 * 2 ** min(self._failing, 20)))

    # -- one batch --------------------------------------------------------------------------

    def step(self) -> str:
        """Publish one batch: ``"published"``, ``"failed"`` (nothing acked), ``"empty"`` or ``"standby"``."""
        try:
            with self._lock() as state:
                if state is None:
                    self.stats.standby += 1
                    return "standby"
                return self._publish_batch(state)
        except DatabaseError as error:  # the database went away: try again later, nothing was marked
            self._note_failure(f"database: {type(error).__name__}: {error}", state=None)
            connections[self.using].close()
            return "failed"

    def _publish_batch(self, state: RelayState | None) -> str:
        rows = list(
            OutboxEvent.objects.using(self.using).filter(sent_at__isnull=True).order_by("id")[: self.batch_size]
        )
        if not rows:
            return "empty"
        result = self.publisher.publish([to_wire(row) for row in rows])
        acked = rows[: result.acknowledged]
        now = _now()
        if acked:
            OutboxEvent.objects.using(self.using).filter(id__in=[row.id for row in acked]).update(
                sent_at=now, attempts=F("attempts") + 1
            )
            self.stats.published += len(acked)
            self.stats.batches += 1
        if result.error is None:
            self._note_success(now, len(acked), state)
            return "published"
        OutboxEvent.objects.using(self.using).filter(id=rows[len(acked)].id).update(attempts=F("attempts") + 1)
        self._note_failure(f"{self.publisher.bus}: {result.error}", state=state)
        return "published" if acked else "failed"

    def _note_success(self, now: datetime, sent: int, state: RelayState | None) -> None:
        if self._failing:
            logger.warning("relay %s: the %s bus acknowledges again after %d failed tries", self.name,
                           self.publisher.bus, self._failing)  # fmt: skip
        self._failing = 0
        self._last_error = ""
        RelayState.objects.using(self.using).filter(name=self.name).update(
            last_sent_at=now, sent=F("sent") + sent, holder=self.holder
        )

    def _note_failure(self, error: str, *, state: RelayState | None) -> None:
        self._failing += 1
        self.stats.failures += 1
        if error != self._last_error:  # once per new error, not once per retry
            logger.error("relay %s: not acknowledged, retrying with backoff: %s", self.name, error)
            self._last_error = error
        with contextlib.suppress(DatabaseError):
            RelayState.objects.using(self.using).filter(name=self.name).update(last_error=error, last_error_at=_now())

    # -- the lock ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[RelayState | None]:
        """The relay's lock for one batch; ``None`` when another relay holds it."""
        RelayState.objects.using(self.using).get_or_create(name=self.name)
        if connections[self.using].vendor == "sqlite":
            with self._file_lock() as held:
                yield RelayState.objects.using(self.using).get(name=self.name) if held else None
            return
        with transaction.atomic(using=self.using):
            yield (
                RelayState.objects.using(self.using).select_for_update(skip_locked=True).filter(name=self.name).first()
            )

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[bool]:
        path = f"{connections[self.using].settings_dict['NAME']}.relay-{self.name}.lock"
        with open(path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- retention --------------------------------------------------------------------------

    def _purge_when_due(self) -> None:
        if self.purge_every is None or time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + self.purge_every
        now = _now()
        try:
            outbox, inbox = purge(
                using=self.using, outbox_before=now - conf.outbox_retention(), inbox_before=now - conf.inbox_retention()
            )
        except DatabaseError as error:
            logger.warning("relay %s: purge failed (%s); trying again later", self.name, error)
            return
        self.stats.purged += outbox + inbox
        if outbox or inbox:
            logger.info("relay %s: purged %d sent outbox rows and %d inbox entries", self.name, outbox, inbox)

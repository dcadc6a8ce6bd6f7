"""The relay: publishes the outbox to the bus in commit order, marking a row sent only after the broker's ack.

One run at a time: the relay takes its lock, reads the oldest unsent rows in id order, publishes
them in batches, and marks sent what the broker acknowledged; the run's marks commit when it ends
(at most ``commit_every`` seconds). What was not acknowledged, or not committed, is published
again by the next run, so nothing is lost, and a row can go out twice (a relay killed between
the ack and the commit): consumers' inboxes make the second copy harmless. While the broker is
down the relay retries with backoff, without limit.

The lock keeps two relays from overtaking each other: on PostgreSQL and MySQL it is the relay's
row in :class:`~.models.RelayState`, locked (``SELECT … FOR UPDATE SKIP LOCKED``) for the whole
run, so a second relay waits as a standby and a killed one releases it with its connection; on
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
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import attrs
from django.db import DatabaseError, connections, transaction
from django.db.models import F

from ..bus import Publisher, WireEvent
from . import conf
from .models import OutboxEvent, RelayState
from .outbox import mark_sent, purge, unsent

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
        commit_every: the longest a run of batches lasts, in seconds: its marks commit at its end,
            so a relay killed mid-run publishes that run's rows again (consumers' inboxes make the
            copies harmless).
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
        batch_size: int = 500,
        commit_every: float = 0.5,
        poll_interval: float = 0.02,
        max_backoff: float = 10.0,
        purge_every: float | None = 300.0,
        name: str = "default",
    ) -> None:
        self.publisher = publisher if publisher is not None else conf.publisher()
        self.using = using or conf.database()
        self.batch_size = batch_size
        self.commit_every = commit_every
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
        self._state_made = False

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
        """Return from :meth:`run` once the run in flight is published and its marks committed (signal-safe)."""
        self._stopped = True

    def _backoff(self) -> float:
        return float(min(self.max_backoff, 0.05 * 2 ** min(self._failing, 20)))

    # -- one batch --------------------------------------------------------------------------

    def step(self) -> str:
        """Publish one run of batches: ``"published"``, ``"failed"`` (nothing acked), ``"empty"`` or ``"standby"``."""
        try:
            with self._lock() as held:
                if not held:
                    self.stats.standby += 1
                    return "standby"
                return self._publish_run()
        except DatabaseError as error:  # the database went away: try again later, the run's marks rolled back
            self._note_failure(f"database: {type(error).__name__}: {error}")
            connections[self.using].close()
            self._state_made = False
            return "failed"

    def _publish_run(self) -> str:
        """Publish batch after batch until the outbox is empty, a batch fails, or ``commit_every`` has passed.

        The bus takes one batch while this thread marks the batch before and reads the next one,
        so the database's round trips cost no publishing time. A batch is handed to the bus only
        after the one before was wholly acknowledged, so the events still leave in id order.
        """
        deadline = time.monotonic() + self.commit_every
        batch = unsent(using=self.using, limit=self.batch_size)
        if not batch:
            return "empty"
        sent = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="subsidy-events-relay") as bus:
            in_flight = bus.submit(self.publisher.publish, [event for _, event in batch])
            upcoming = self._next_batch(batch, deadline)
            while True:
                result = in_flight.result()
                acked = [row_id for row_id, _ in batch[: result.acknowledged]]
                if result.error is None and upcoming:
                    in_flight = bus.submit(self.publisher.publish, [event for _, event in upcoming])
                    sent += self._mark_sent(acked)
                    batch, upcoming = upcoming, self._next_batch(upcoming, deadline)
                    continue
                sent += self._mark_sent(acked)
                break
        if result.error is None:
            self._note_success(_now(), sent)
            return "published"
        OutboxEvent.objects.using(self.using).filter(id=batch[len(acked)][0]).update(attempts=F("attempts") + 1)
        self._note_failure(f"{self.publisher.bus}: {result.error}")
        return "published" if sent else "failed"

    def _next_batch(self, in_flight: list[tuple[int, WireEvent]], deadline: float) -> list[tuple[int, WireEvent]]:
        """The batch after the one in flight, or none when the run should end (stopped, or time to commit)."""
        if self._stopped or time.monotonic() >= deadline or len(in_flight) < self.batch_size:
            return []
        return unsent(using=self.using, limit=self.batch_size, excluding=[row_id for row_id, _ in in_flight])

    def _mark_sent(self, ids: list[int]) -> int:
        if ids:
            mark_sent(ids, using=self.using, now=_now())
            self.stats.published += len(ids)
            self.stats.batches += 1
        return len(ids)

    def _note_success(self, now: datetime, sent: int) -> None:
        if self._failing:
            logger.warning("relay %s: the %s bus acknowledges again after %d failed tries", self.name,
                           self.publisher.bus, self._failing)  # fmt: skip
        self._failing = 0
        self._last_error = ""
        RelayState.objects.using(self.using).filter(name=self.name).update(
            last_sent_at=now, sent=F("sent") + sent, holder=self.holder
        )

    def _note_failure(self, error: str) -> None:
        self._failing += 1
        self.stats.failures += 1
        if error != self._last_error:  # once per new error, not once per retry
            logger.error("relay %s: not acknowledged, retrying with backoff: %s", self.name, error)
            self._last_error = error
        with contextlib.suppress(DatabaseError):
            RelayState.objects.using(self.using).filter(name=self.name).update(last_error=error, last_error_at=_now())

    # -- the lock ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[bool]:
        """The relay's lock for one run, in the run's transaction; false when another relay holds it."""
        if not self._state_made:
            RelayState.objects.using(self.using).get_or_create(name=self.name)
            self._state_made = True
        if connections[self.using].vendor == "sqlite":
            with self._file_lock() as held:
                yield held
            return
        with transaction.atomic(using=self.using):
            rows = RelayState.objects.using(self.using).select_for_update(skip_locked=True).filter(name=self.name)
            yield rows.first() is not None

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

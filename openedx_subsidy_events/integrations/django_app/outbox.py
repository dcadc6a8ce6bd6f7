"""Writing events to the outbox in the sending transaction, and reading what is there.

A row is written in the transaction that sent the event, so the event commits with the business
change or not at all. Every write of one event key first takes the row lock of that key
(:class:`~.models.OutboxKey`) and its next sequence number: two transactions that send events of
one subsidy request queue behind each other, so the outbox's id order is their commit order,
and the relay, reading in id order, publishes each key's events in commit order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Min

from ...envelope import EventMetadata
from ..bus import WireEvent
from .models import InboxEntry, OutboxEvent, OutboxKey, RelayState

__all__ = ["OutboxStatus", "mark_sent", "purge", "status", "to_row", "to_wire", "unsent", "write"]

WIRE_COLUMNS = ("event_type", "minorversion", "event_id", "source", "sourcehost", "time", "sourcelib", "topic", "key",
                "data")  # fmt: skip
"""The columns a wire event is made of, in :func:`_wire` order."""


def _now() -> datetime:
    return datetime.now(UTC)


def next_sequence(key: str, *, using: str) -> int:
    """Lock the key's row (made on first use) and give the next sequence number; held until commit.

    One upsert, which takes the row lock whether it inserts or updates: ``INSERT … ON CONFLICT DO
    UPDATE … RETURNING`` on PostgreSQL and SQLite (3.35+), ``INSERT … ON DUPLICATE KEY UPDATE`` with
    ``LAST_INSERT_ID(expr)`` on MySQL and MariaDB. Elsewhere an update, else an insert.
    """
    connection = connections[using]
    upsert = _UPSERT.get(connection.vendor)
    if upsert is None or (connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 35)):
        return _next_sequence_portably(key, using=using)
    with connection.cursor() as cursor:
        cursor.execute(upsert.format(table=connection.ops.quote_name(OutboxKey._meta.db_table)), [key])
        if connection.vendor == "mysql":
            cursor.execute("SELECT LAST_INSERT_ID()")
        return int(cursor.fetchone()[0])


_UPSERT = {
    "postgresql": "INSERT INTO {table} (key, sequence) VALUES (%s, 1) "
    "ON CONFLICT (key) DO UPDATE SET sequence = {table}.sequence + 1 RETURNING sequence",
    "sqlite": "INSERT INTO {table} (key, sequence) VALUES (%s, 1) "
    "ON CONFLICT (key) DO UPDATE SET sequence = sequence + 1 RETURNING sequence",
    "mysql": "INSERT INTO {table} (`key`, sequence) VALUES (%s, LAST_INSERT_ID(1)) "
    "ON DUPLICATE KEY UPDATE sequence = LAST_INSERT_ID(sequence + 1)",
}
"""The key's upsert per database vendor: one statement that locks the row and counts."""


def _next_sequence_portably(key: str, *, using: str) -> int:
    keys = OutboxKey.objects.using(using)
    if not keys.filter(key=key).update(sequence=F("sequence") + 1):
        try:
            with transaction.atomic(using=using):
                keys.create(key=key, sequence=1)
            return 1
        except IntegrityError:  # another transaction made it first: its commit released the row to us
            keys.filter(key=key).update(sequence=F("sequence") + 1)
    return int(keys.values_list("sequence", flat=True).get(key=key))


def to_row(event: WireEvent, *, key_sequence: int) -> OutboxEvent:
    """The outbox row of a wire event (not saved)."""
    metadata = event.metadata
    return OutboxEvent(
        event_id=metadata.id,
        event_type=metadata.event_type,
        minorversion=metadata.minorversion,
        topic=event.topic,
        key=event.key,
        key_sequence=key_sequence,
        source=metadata.source,
        sourcehost=metadata.sourcehost,
        time=metadata.time,
        sourcelib=".".join(map(str, metadata.sourcelib)),
        data=event.data,
        created_at=_now(),
    )


def to_wire(row: OutboxEvent) -> WireEvent:
    """The wire event a row holds, exactly as it was sent."""
    return _wire(*(getattr(row, column) for column in WIRE_COLUMNS))


def _wire(
    event_type: str, minorversion: int, event_id: Any, source: str, sourcehost: str, time: datetime,
    sourcelib: str, topic: str, key: str, data: bytes | memoryview,
) -> WireEvent:  # fmt: skip
    metadata = EventMetadata(
        event_type=event_type,
        minorversion=minorversion,
        id=event_id,
        source=source,
        sourcehost=sourcehost,
        time=time.astimezone(UTC),
        sourcelib=tuple(int(part) for part in sourcelib.split(".") if part),
    )
    return WireEvent(metadata=metadata, topic=topic, key=key, data=bytes(data))


def unsent(*, using: str, limit: int, excluding: Sequence[int] = ()) -> list[tuple[int, WireEvent]]:
    """The oldest unsent rows in id order, as ``(row id, wire event)``, but for the ids in ``excluding``.

    Read as plain values, not model objects: the relay reads every row once, and building a
    model instance per row cost more than publishing it.
    """
    rows = (
        OutboxEvent.objects.using(using)
        .filter(sent_at__isnull=True)
        .exclude(id__in=excluding)
        .order_by("id")
        .values_list("id", *WIRE_COLUMNS)[:limit]
    )
    return [(row[0], _wire(*row[1:])) for row in rows]


def mark_sent(ids: list[int], *, using: str, now: datetime) -> None:
    """Mark rows sent (and count the attempt) in one statement.

    On PostgreSQL the ids go as one array parameter (``= ANY``), which the server plans faster
    than a list of a thousand parameters.
    """
    if not ids:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        OutboxEvent.objects.using(using).filter(id__in=ids).update(sent_at=now, attempts=F("attempts") + 1)
        return
    table = connection.ops.quote_name(OutboxEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET sent_at = %s, attempts = attempts + 1 WHERE id = ANY(%s)", [now, ids])


def write(event: WireEvent, *, using: str) -> OutboxEvent:
    """Add an event to the outbox in the current transaction (its own when there is none)."""
    # No savepoint inside the caller's transaction: a failed write rolls the whole transaction back.
    with transaction.atomic(using=using, savepoint=False):
        row = to_row(event, key_sequence=next_sequence(event.key, using=using))
        row.save(using=using, force_insert=True)
    return row


@attrs.frozen
class OutboxStatus:
    """What the outbox holds and what its relay last did (``manage.py subsidy_events status``).

    .. versionadded:: 0.2.0
    """

    unsent: int
    oldest_unsent_age_s: float | None
    sent_kept: int
    last_sent_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    inbox_entries: int

    def to_json(self) -> dict[str, Any]:
        """The status as JSON values."""
        return {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in attrs.asdict(self).items()
        }


def status(*, using: str, relay: str = "default") -> OutboxStatus:
    """The outbox's depth, the age of its oldest unsent row, and the relay's last news."""
    rows = OutboxEvent.objects.using(using)
    unsent = rows.filter(sent_at__isnull=True)
    oldest = unsent.aggregate(oldest=Min("created_at"))["oldest"]
    state = RelayState.objects.using(using).filter(name=relay).first()
    return OutboxStatus(
        unsent=unsent.count(),
        oldest_unsent_age_s=None if oldest is None else round((_now() - oldest).total_seconds(), 3),
        sent_kept=rows.filter(sent_at__isnull=False).count(),
        last_sent_at=state.last_sent_at if state else None,
        last_error=state.last_error if state else "",
        last_error_at=state.last_error_at if state else None,
        inbox_entries=InboxEntry.objects.using(using).count(),
    )


def purge(*, using: str, outbox_before: datetime, inbox_before: datetime, chunk: int = 1000) -> tuple[int, int]:
    """Delete sent outbox rows sent before ``outbox_before`` and inbox entries handled before ``inbox_before``.

    Unsent rows are never deleted. Returns ``(outbox rows, inbox entries)`` deleted; works in
    chunks so that no transaction holds many locks.
    """
    counts = []
    for queryset in (
        OutboxEvent.objects.using(using).filter(sent_at__lt=outbox_before),
        InboxEntry.objects.using(using).filter(handled_at__lt=inbox_before),
    ):
        deleted = 0
        while True:
            ids = list(queryset.order_by("id").values_list("id", flat=True)[:chunk])
            if not ids:
                break
            deleted += queryset.model.objects.using(using).filter(id__in=ids).delete()[0]
        counts.append(deleted)
    return counts[0], counts[1]

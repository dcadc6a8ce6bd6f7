"""Redis Streams, as edx-event-bus-redis lays them out, read without ever mis-decoding a newer producer.

Needs the ``redis`` extra. An entry is the event's schemaless Avro bytes (``event_data``) beside its
metadata fields; the stream is ``<prefix>-<topic>``. Redis has no schema registry, so the entry's
``minorversion`` names the writer schema:

* a minor this package published is decoded with exactly that schema;
* a *newer* minor (its producer upgraded first) is read with the newest schema known here, and
  the fields it appended are skipped: new minors may only append optional fields (linter rule
  ``MINOR_NOT_APPEND_ONLY``, enforced by ``subsidy-events check``), so that is exact for every field
  this package knows. It is logged once per event type and minor.

An entry that cannot be processed (corrupt bytes, unknown event type, missing metadata, a handler
that raises) raises :class:`~openedx_subsidy_events.MessageNotProcessed` and stays *pending* in the
consumer group, to be read again when the consumer restarts, unless a dead-letter stream was
given: then it is copied there and acknowledged, in one transaction. It is never acknowledged and
dropped, which is what edx-event-bus-redis's own consumer does.
"""

from __future__ import annotations

import collections
import logging
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..envelope import EventMetadata
from ..events import EventDefinition
from ..exceptions import MessageNotProcessed
from ._consuming import (
    ConsumerLoop,
    ConsumeStats,
    Deliver,
    MessagePlace,
    Retry,
    deliver_in_process,
    events_by_type,
    note_newer_minor,
)
from ._extras import require
from ._headers import HeaderError, metadata_from_redis_fields, redis_fields
from .bus import PublishResult, WireEvent

redis = require("redis", extra="redis", module=__name__)

__all__ = ["RedisBus", "RedisStreamConsumer", "RedisStreamProducer", "full_stream_name", "replay_dead_letters"]

logger = logging.getLogger("openedx_subsidy_events.consumer")

DEAD_LETTER_PREFIX = b"dead_letter_"
"""Fields a dead-lettered entry carries besides its own: why, and where it came from."""


def full_stream_name(topic: str, prefix: str | None = None) -> str:
    """The stream of a topic, as edx-event-bus-redis names it (``EVENT_BUS_TOPIC_PREFIX``-``topic``)."""
    return f"{prefix}-{topic}" if prefix else topic


def _client(url: str | None, client: Any) -> Any:
    if client is not None:
        return client
    return redis.Redis.from_url(url or "redis://127.0.0.1:6379/0")


class RedisStreamProducer:
    """Writes events as stream entries exactly as edx-event-bus-redis's producer does (no Django needed).

    ``maxlen`` trims the stream approximately, as the bus's ``EVENT_BUS_REDIS_STREAM_MAX_LEN`` does;
    the default ``None`` never trims, so no entry a consumer group has not read can be dropped.
    Unlike edx-event-bus-redis's producer, a failed ``XADD`` is never swallowed: :meth:`send` raises
    and :meth:`publish` says how many entries Redis acknowledged.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 :meth:`publish`, the interface every bus's producer has.
    """

    bus = "redis"

    def __init__(
        self, *, url: str | None = None, client: Any = None, topic_prefix: str | None = None, maxlen: int | None = None
    ) -> None:
        self.client = _client(url, client)
        self.topic_prefix = topic_prefix
        self.maxlen = maxlen

    def send(
        self, definition: EventDefinition[Any], payload: Any, *, topic: str, metadata: EventMetadata | None = None
    ) -> bytes:
        """Add one event to the topic's stream; returns the entry id."""
        event = WireEvent.build(definition, payload, topic=topic, metadata=metadata)
        entry_id: bytes = self.client.xadd(*self._entry(event), **self._trim())
        return entry_id

    def publish(self, events: Sequence[WireEvent]) -> PublishResult:
        """Add the events to their streams in order, in one round trip; how many Redis acknowledged.

        When the connection breaks, none counts as acknowledged: Redis may have added some, which
        are then sent again (a consumer's inbox makes the second copy harmless).
        """
        if not events:
            return PublishResult(0)
        with self.client.pipeline(transaction=False) as pipe:
            for event in events:
                pipe.xadd(*self._entry(event), **self._trim())
            try:
                replies = pipe.execute(raise_on_error=False)
            except (redis.ConnectionError, redis.TimeoutError) as error:
                return PublishResult(0, f"{type(error).__name__}: {error}")
        for done, reply in enumerate(replies):
            if isinstance(reply, Exception):
                return PublishResult(done, f"{type(reply).__name__}: {reply}")
        return PublishResult(len(events))

    def _entry(self, event: WireEvent) -> tuple[str, dict[bytes, bytes]]:
        return full_stream_name(event.topic, self.topic_prefix), redis_fields(event.metadata, event.data)

    def _trim(self) -> dict[str, Any]:
        return {"maxlen": self.maxlen, "approximate": self.maxlen is not None}

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()


class RedisStreamConsumer(ConsumerLoop):
    """Reads one topic's stream in a consumer group, decodes each entry with its writer's schema, and delivers it.

    Arguments:
        topic: the topic, without the environment prefix.
        group_id: the consumer group; created (with the stream) if it does not exist.
        consumer_name: this consumer's name in the group; restart with the same name to resume its
            pending entries.
        url, client: the Redis server (a ``redis.Redis`` client wins over a URL).
        topic_prefix: ``EVENT_BUS_TOPIC_PREFIX``.
        dead_letter_stream: where entries that cannot be processed are copied (full stream name);
            without it they stay pending.
        deliver: how an event reaches the service (default: the receivers connected in process).
        events: the events this consumer reads (default: all of this package's).
        from_beginning: a group created now reads the entries already in the stream (the default,
            so that no event sent before the group existed is skipped); ``False`` starts it at the
            end of the stream, skipping them.
        claim_idle_ms: every ``claim_idle_ms / 2`` ms while running, take over the group's entries
            left pending this long, by a consumer that died under another name or by this one (a
            handler that failed): they are processed again. ``None`` never claims.
        retry: how a raising handler is retried before the entry is dead-lettered or left pending.
        reconnect_timeout: how long a lost connection is retried before
            :class:`~openedx_subsidy_events.BrokerUnavailable` is raised.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 pending entries are claimed periodically while running (by default
       after 60 s idle), a new group starts at the beginning of the stream, a raising handler is
       retried, a lost connection is retried, and :meth:`stop` takes effect between two entries.

    """

    def __init__(
        self,
        topic: str,
        group_id: str,
        consumer_name: str,
        *,
        url: str | None = None,
        client: Any = None,
        topic_prefix: str | None = None,
        dead_letter_stream: str | None = None,
        deliver: Deliver = deliver_in_process,
        events: Iterable[EventDefinition[Any]] | None = None,
        from_beginning: bool = True,
        claim_idle_ms: int | None = 60_000,
        retry: Retry | None = None,
        reconnect_timeout: float = 60.0,
    ) -> None:
        self.client = _client(url, client)
        self.stream = full_stream_name(topic, topic_prefix)
        self.group_id = group_id
        self.consumer_name = consumer_name
        self.dead_letter_stream = dead_letter_stream
        self.deliver = deliver
        self.events = events_by_type(events)
        self.from_beginning = from_beginning
        self.claim_idle_ms = claim_idle_ms
        self.retry = retry or Retry()
        self.reconnect_timeout = reconnect_timeout
        self.stats = ConsumeStats()
        self._pending_cursor: bytes | None = b"0"
        self._queue: collections.deque[tuple[bytes, dict[bytes, bytes]]] = collections.deque()
        self._group_ready = False
        self._next_claim = 0.0

    connection_errors = (redis.ConnectionError, redis.TimeoutError)

    def describe(self) -> tuple[str, str]:
        """``("redis", stream)``."""
        return "redis", repr(self.stream)

    # -- reading ----------------------------------------------------------------------------

    def _ensure_group(self) -> None:
        """Create the group (and the stream) unless it exists; retried with the connection."""
        if self._group_ready:
            return
        try:
            self.client.xgroup_create(self.stream, self.group_id, id="0" if self.from_beginning else "$", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True

    def claim(self) -> int:
        """Take over every entry of the group idle for ``claim_idle_ms``; how many (they are read next)."""
        if self.claim_idle_ms is None:
            return 0
        claimed = 0
        cursor: Any = "0-0"
        for _ in range(1000):  # pages of 100: a bound, not a limit anyone meets
            cursor, entries, *_ = self.client.xautoclaim(
                self.stream, self.group_id, self.consumer_name, self.claim_idle_ms, start_id=cursor, count=100
            )
            claimed += len(entries)
            if cursor in (b"0-0", "0-0"):
                break
        if claimed:
            logger.warning("redis %r: claimed %d entries left pending for %d ms", self.stream, claimed,
                           self.claim_idle_ms)  # fmt: skip
            self._pending_cursor = b"0"  # read this consumer's pending entries again, the claimed ones among them
        return claimed

    def _claim_when_due(self) -> None:
        if self.claim_idle_ms is None:
            return
        now = time.monotonic()
        if now >= self._next_claim:
            self._next_claim = now + self.claim_idle_ms / 2000
            self.claim()

    def _read(self, count: int, block_ms: int | None) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """Entries to process: this consumer's pending ones first (after each claim), then new ones."""
        self._ensure_group()
        self._claim_when_due()
        while self._pending_cursor is not None:
            answer = self.client.xreadgroup(
                self.group_id, self.consumer_name, {self.stream: self._pending_cursor}, count=count
            )
            entries = answer[0][1] if answer else []
            if not entries:
                self._pending_cursor = None
                break
            self._pending_cursor = entries[-1][0]
            readable = [(entry_id, fields) for entry_id, fields in entries if fields]
            for entry_id, fields in entries:
                if not fields:  # trimmed from the stream (maxlen) after it was read: nothing left to process
                    logger.error("redis %r entry %s: pending, but no longer in the stream", self.stream, entry_id)
            if readable:
                return readable
        new = {self.stream: ">"}
        answer = self.client.xreadgroup(self.group_id, self.consumer_name, new, count=count, block=block_ms)
        return list(answer[0][1]) if answer else []

    def poll(self, *, count: int = 100, block_ms: int | None = 1000) -> int:
        """Process up to ``count`` entries, waiting up to ``block_ms`` for new ones; returns how many were handled.

        The entries handled are acknowledged together, in one command, at the end of the call
        (a consumer that dies before that gets them again: handlers must be idempotent, as with any
        at-least-once bus). Raises :class:`~openedx_subsidy_events.MessageNotProcessed` for an entry
        that could not be processed and was not dead-lettered, after acknowledging those handled
        before it: it stays pending (read again first at the next start), and the next call goes on
        with the entries after it.
        """
        if not self._queue:
            self._queue.extend(self._read(count, block_ms))
        handled: list[bytes] = []
        dead_lettered = 0
        try:
            while self._queue and len(handled) + dead_lettered < count and not self._stopped:
                entry_id, fields = self._queue.popleft()
                if self._process(entry_id, fields):
                    handled.append(entry_id)
                else:
                    dead_lettered += 1
        finally:
            if handled:
                self.client.xack(self.stream, self.group_id, *handled)
                self.stats.processed += len(handled)
        return len(handled) + dead_lettered

    def process(self, entry_id: bytes, fields: Mapping[bytes, bytes]) -> None:
        """Decode and deliver one entry, then acknowledge it (or dead-letter it; or raise, leaving it pending)."""
        if self._process(entry_id, fields):
            self.client.xack(self.stream, self.group_id, entry_id)
            self.stats.processed += 1

    def _process(self, entry_id: bytes, fields: Mapping[bytes, bytes]) -> bool:
        """Decode and deliver one entry: ``True`` if handled (to acknowledge), ``False`` if dead-lettered."""
        place = MessagePlace("redis", self.stream, f"entry {entry_id.decode()}", _event_type(fields))
        try:
            self._handle(place, fields)
        except MessageNotProcessed as error:
            if self.dead_letter_stream is None:
                error.kept = "left pending in the consumer group"
                raise
            self._dead_letter(entry_id, fields, error)
            return False
        return True

    def _handle(self, place: MessagePlace, fields: Mapping[bytes, bytes]) -> None:
        try:
            metadata = metadata_from_redis_fields(fields)
        except HeaderError as error:
            raise place.fail("BAD_HEADERS", str(error)) from None
        data = fields.get(b"event_data")
        if data is None:
            raise place.fail("BAD_HEADERS", "the 'event_data' field is missing")
        definition = place.event(self.events, metadata.event_type)
        newer = definition.is_newer_minor(metadata.minorversion)
        payload = place.decode(lambda: definition.deserialize(data, minorversion=metadata.minorversion,
                                                              accept_newer=True))  # fmt: skip
        if newer:
            note_newer_minor(definition, metadata.minorversion)
            self.stats.newer_minor += 1
        place.deliver(self.deliver, definition, payload, metadata, retry=self.retry)

    def _dead_letter(self, entry_id: bytes, fields: Mapping[bytes, bytes], error: MessageNotProcessed) -> None:
        """Copy the entry, with why, to the dead-letter stream and acknowledge it, both or neither."""
        error.kept = f"copied to the dead-letter stream {self.dead_letter_stream!r}"
        letter = dict(fields)
        letter[DEAD_LETTER_PREFIX + b"rule"] = error.rule.encode()
        letter[DEAD_LETTER_PREFIX + b"reason"] = error.reason.encode()
        letter[DEAD_LETTER_PREFIX + b"stream"] = self.stream.encode()
        letter[DEAD_LETTER_PREFIX + b"entry"] = entry_id
        with self.client.pipeline(transaction=True) as pipe:
            pipe.xadd(self.dead_letter_stream, letter)
            pipe.xack(self.stream, self.group_id, entry_id)
            pipe.execute()
        self.stats.dead_lettered += 1
        logger.error("%s", error)

    # -- running ----------------------------------------------------------------------------

    def poll_batch(self, limit: int) -> int:
        """:meth:`poll` for :meth:`consume`: up to ``limit`` entries, waiting up to 200 ms for new ones."""
        return self.poll(count=limit, block_ms=200)

    def pending(self) -> int:
        """How many entries the group has read and not acknowledged (for monitoring)."""
        summary = self.client.xpending(self.stream, self.group_id)
        return int(summary["pending"])


def _event_type(fields: Mapping[bytes, bytes]) -> str | None:
    raw = fields.get(b"type")
    return raw.decode(errors="replace") if raw else None


def iter_dead_letters(client: Any, dead_letter_stream: str) -> Iterator[tuple[bytes, dict[bytes, bytes]]]:
    """The entries of a dead-letter stream, oldest first."""
    yield from client.xrange(dead_letter_stream)


def replay_dead_letters(client: Any, dead_letter_stream: str, *, entry_ids: Iterable[bytes] | None = None) -> int:
    """Put dead letters back on the streams they came from (all, or ``entry_ids``); returns how many.

    Each is added to its source stream as a new entry (without the ``dead_letter_*`` fields) and
    deleted from the dead-letter stream, in one transaction. Fix the cause first (deploy the
    handler fix, upgrade the package): a replayed entry that fails again is dead-lettered again.
    """
    wanted = None if entry_ids is None else set(entry_ids)
    replayed = 0
    for entry_id, fields in iter_dead_letters(client, dead_letter_stream):
        if wanted is not None and entry_id not in wanted:
            continue
        source = fields.get(DEAD_LETTER_PREFIX + b"stream")
        if source is None:
            continue
        original = {name: value for name, value in fields.items() if not name.startswith(DEAD_LETTER_PREFIX)}
        with client.pipeline(transaction=True) as pipe:
            pipe.xadd(source, original)
            pipe.xdel(dead_letter_stream, entry_id)
            pipe.execute()
        replayed += 1
    return replayed


class RedisBus:
    """A Redis server as a :class:`~openedx_subsidy_events.integrations.bus.Bus`: this module's producer and consumers.

    Every stream it writes has a prefix of its own (``subsidy-bus-<random>``), deleted by
    ``close()``, so runs on a shared server never see each other's events.

    .. versionadded:: 0.2.0 (the demo's before)
    """

    bus = "redis"

    def __init__(self, client: Any, *, topic_prefix: str | None = None) -> None:
        self.client = client
        self.topic_prefix = topic_prefix or f"subsidy-bus-{uuid.uuid4().hex[:8]}"
        self.producer = RedisStreamProducer(client=client, topic_prefix=self.topic_prefix)
        self._consumers: list[RedisStreamConsumer] = []

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisBus:
        """Connect to ``url`` and check that the server answers."""
        client = redis.Redis.from_url(url)
        client.ping()
        return cls(client, **options)

    def publish(self, events: Sequence[WireEvent]) -> PublishResult:
        return self.producer.publish(events)

    def subscribe(self, group: str, topics: Sequence[str], deliver: Deliver) -> None:
        for topic in topics:
            self._consumers.append(
                RedisStreamConsumer(
                    topic, group, f"{group}-1", client=self.client, topic_prefix=self.topic_prefix, deliver=deliver
                )
            )

    def pump(self) -> int:
        return sum(consumer.poll(count=500, block_ms=None) for consumer in self._consumers)

    def close(self) -> None:
        """Delete the streams this bus wrote, and close the connections."""
        streams = list(self.client.scan_iter(f"{self.topic_prefix}-*"))
        if streams:
            self.client.delete(*streams)
        self.client.close()

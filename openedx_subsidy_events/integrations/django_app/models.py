"""The outbox and the inbox: what a service's database keeps so that no event is lost and none acts twice.

* :class:`OutboxEvent`: one row per event sent in ``outbox`` mode, written in the sending
  transaction, wire-ready (metadata, topic, key, the Avro bytes of the published schema); nothing
  in it depends on the code that sent it, ``SECRET_KEY`` or the bus.
* :class:`OutboxKey`: one row per event key, locked by every outbox write of that key, so that
  writers of one key queue behind each other and the outbox's id order is their commit order.
* :class:`RelayState`: the relay's lock (one relay publishes at a time) and what it last did.
* :class:`InboxEntry`: one row per event a consumer group has handled, written in the handler's
  transaction.
"""

from __future__ import annotations

from django.db import models


class OutboxEvent(models.Model):  # type: ignore[misc]
    """An event waiting for the relay (``sent_at`` empty), or sent and kept until the retention ends.

    .. versionadded:: 0.2.0
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=255)
    minorversion = models.PositiveIntegerField()
    topic = models.CharField(max_length=255)
    key = models.CharField(max_length=255)
    key_sequence = models.PositiveBigIntegerField()
    source = models.CharField(max_length=255)
    sourcehost = models.CharField(max_length=255)
    time = models.DateTimeField()
    sourcelib = models.CharField(max_length=64)
    data = models.BinaryField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "openedx_subsidy_events"
        db_table = "subsidy_events_outbox"
        constraints = [
            models.UniqueConstraint(fields=["event_id", "topic"], name="subsidy_events_outbox_event_topic"),
            models.UniqueConstraint(fields=["key", "key_sequence"], name="subsidy_events_outbox_key_sequence"),
        ]
        indexes = [models.Index(fields=["sent_at", "id"], name="subsidy_events_outbox_unsent")]

    def __str__(self) -> str:
        state = f"sent {self.sent_at.isoformat()}" if self.sent_at else "unsent"
        return f"{self.event_type} {self.event_id} to {self.topic} ({state})"


class OutboxKey(models.Model):  # type: ignore[misc]
    """The last sequence number given to an event key: its row lock orders the writers of one key.

    .. versionadded:: 0.2.0
    """

    key = models.CharField(max_length=255, primary_key=True)
    sequence = models.PositiveBigIntegerField(default=0)

    class Meta:
        app_label = "openedx_subsidy_events"
        db_table = "subsidy_events_outbox_key"

    def __str__(self) -> str:
        return f"{self.key} at {self.sequence}"


class RelayState(models.Model):  # type: ignore[misc]
    """The relay's row: locked for each run of batches it publishes (two relays never overtake each other) and its news.

    .. versionadded:: 0.2.0
    """

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=255, default="", blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(default="", blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    sent = models.PositiveBigIntegerField(default=0)

    class Meta:
        app_label = "openedx_subsidy_events"
        db_table = "subsidy_events_relay"

    def __str__(self) -> str:
        return f"relay {self.name}"


class InboxEntry(models.Model):  # type: ignore[misc]
    """An event a consumer group handled: a second delivery of the same id is acknowledged, not handled.

    .. versionadded:: 0.2.0
    """

    id = models.BigAutoField(primary_key=True)
    consumer_group = models.CharField(max_length=255)
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=255)
    handled_at = models.DateTimeField()

    class Meta:
        app_label = "openedx_subsidy_events"
        db_table = "subsidy_events_inbox"
        constraints = [
            models.UniqueConstraint(fields=["consumer_group", "event_id"], name="subsidy_events_inbox_group_event")
        ]
        indexes = [models.Index(fields=["handled_at"], name="subsidy_events_inbox_handled")]

    def __str__(self) -> str:
        return f"{self.consumer_group} handled {self.event_id}"

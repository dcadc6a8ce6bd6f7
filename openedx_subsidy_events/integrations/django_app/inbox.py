"""The inbox: a handler's effect and the record that it ran commit in one transaction, once per event id.

A consumer in inbox mode opens a transaction, records ``(consumer group, event id)``, and runs the
handler inside it. A redelivered event finds its record and is acknowledged without calling the
handler again; a consumer killed mid-handler rolls back both, so the redelivery runs it for real.
Whatever the handler writes through Django's ORM, and every event it sends in ``outbox`` mode,
joins that transaction.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction

from ...envelope import EventMetadata
from ...events import EventDefinition
from .._consuming import Deliver
from .models import InboxEntry

__all__ = ["InboxDeliver"]

logger = logging.getLogger("openedx_subsidy_events.consumer")


class InboxDeliver:
    """A :data:`~openedx_subsidy_events.integrations._consuming.Deliver` that handles each event id once per group.

    Arguments:
        deliver: how the event reaches the handlers (inside the transaction).
        group: the consumer group; each group handles each event once.
        using: the database alias of the handlers' data.
        prepare: called before each transaction (openedx-events' ``prepare_for_new_work_cycle``,
            which must not run inside one).

    .. versionadded:: 0.2.0

    """

    def __init__(self, deliver: Deliver, *, group: str, using: str, prepare: Any = None) -> None:
        self.deliver = deliver
        self.group = group
        self.using = using
        self.prepare = prepare
        self.handled = 0
        self.duplicates = 0

    def __call__(self, definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
        if self.prepare is not None:
            self.prepare()
        with transaction.atomic(using=self.using):
            if not self._record(definition, metadata):
                self.duplicates += 1
                logger.info("%s: %s %s was handled before; acknowledged without handling it again",
                            self.group, definition.event_type, metadata.id)  # fmt: skip
                return
            self.deliver(definition, payload, metadata)
        self.handled += 1

    def _record(self, definition: EventDefinition[Any], metadata: EventMetadata) -> bool:
        """Add the event's entry; ``False`` if the group has one (a concurrent handler's: wait for its commit)."""
        try:
            with transaction.atomic(using=self.using):
                InboxEntry.objects.using(self.using).create(
                    consumer_group=self.group,
                    event_id=metadata.id,
                    event_type=definition.event_type,
                    handled_at=datetime.now(UTC),
                )
        except IntegrityError:
            return False
        return True

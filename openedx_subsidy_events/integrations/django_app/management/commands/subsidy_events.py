"""``manage.py subsidy_events relay|status|purge``: run the outbox relay, see its state, purge old rows.

* ``relay``: publishes the outbox until SIGTERM or SIGINT (the run of batches in flight is
  published and its marks committed first; exit 0). Run one or more per service; only one
  publishes at a time. ``--once`` publishes what is there and exits.
* ``status``: the number of unsent rows, the age of the oldest, the relay's last send and last
  error, the inbox's size; ``--format json`` for monitoring. Exit 0.
* ``purge``: deletes sent outbox rows and inbox entries past their retention
  (``SUBSIDY_EVENTS_OUTBOX_RETENTION``, ``SUBSIDY_EVENTS_INBOX_RETENTION``); the relay also does it
  every five minutes.
"""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ... import conf
from ...outbox import purge, status
from ...relay import Relay


class Command(BaseCommand):  # type: ignore[misc]
    """See the module's docstring."""

    help = "Run the subsidy events' outbox relay, show the outbox's status, or purge what outlived its retention."

    def add_arguments(self, parser: CommandParser) -> None:
        """``relay`` / ``status`` / ``purge`` and their options."""
        commands = parser.add_subparsers(dest="action", required=True, metavar="{relay,status,purge}")
        relay = commands.add_parser("relay", help="publish the outbox to the bus until SIGTERM")
        relay.add_argument("--once", action="store_true", help="publish what is unsent, then exit")
        relay.add_argument("--batch-size", type=int, help="rows per batch (default 500)")
        relay.add_argument("--commit-every", type=float, help="longest run of batches before its marks commit (0.5 s)")
        relay.add_argument("--poll-interval", type=float, help="seconds between polls when idle (0.02)")
        relay.add_argument("--max-backoff", type=float, help="longest wait between tries while failing (10 s)")
        show = commands.add_parser("status", help="the outbox's depth, oldest unsent age and last error")
        show.add_argument("--format", choices=["text", "json"], default="text")
        commands.add_parser("purge", help="delete sent rows and inbox entries past their retention")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen action."""
        action = options["action"]
        if action == "relay":
            self._relay(options)
        elif action == "status":
            self._status(options["format"])
        else:
            now = datetime.now(UTC)
            outbox, inbox = purge(
                using=conf.database(),
                outbox_before=now - conf.outbox_retention(),
                inbox_before=now - conf.inbox_retention(),
            )
            self.stdout.write(f"purged {outbox} sent outbox row(s) and {inbox} inbox entrie(s)")

    def _relay(self, options: dict[str, Any]) -> None:
        tuning = ("batch_size", "commit_every", "poll_interval", "max_backoff")
        relay = Relay(**{name: options[name] for name in tuning if options[name] is not None})
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: relay.stop())
        stats = relay.run(until_empty=options["once"])
        self.stdout.write(f"relay: published {stats.published} event(s) in {stats.batches} batch(es)")

    def _status(self, form: str) -> None:
        report = status(using=conf.database())
        if form == "json":
            self.stdout.write(json.dumps(report.to_json(), sort_keys=True))
            return
        age = "-" if report.oldest_unsent_age_s is None else f"{report.oldest_unsent_age_s:.1f} s"
        self.stdout.write(f"unsent: {report.unsent} (oldest {age})")
        self.stdout.write(f"sent, kept until purged: {report.sent_kept}")
        self.stdout.write(f"last sent: {report.last_sent_at.isoformat() if report.last_sent_at else '-'}")
        error_at = report.last_error_at.isoformat() if report.last_error_at else "-"
        self.stdout.write(f"last error: {report.last_error or '-'} (at {error_at})")
        self.stdout.write(f"inbox entries: {report.inbox_entries}")

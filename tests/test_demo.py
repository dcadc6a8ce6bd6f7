"""``subsidy-events demo`` and the soak harness, on each bus, as a user runs them."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import pytest
from subsidy_django import REDIS_URL

from openedx_subsidy_events.cli import main
from openedx_subsidy_events.demo import MemoryBus, run_flow
from openedx_subsidy_events.demo.soak import soak
from openedx_subsidy_events.integrations.bus import PublishResult, WireEvent

SUMMARY_KEYS = {"requests", "fulfilled", "lost", "duplicated", "corrupted", "events_per_second"}


def _demo(*args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(["demo", *args], stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.mark.parametrize("bus", ["memory", REDIS_URL, "kafka"])
def test_the_demo_reconciles_every_request_on_each_bus(bus: str) -> None:
    """--format json: every request fulfilled, two events each, nothing lost, duplicated or corrupted; exit 0."""
    code, out, err = _demo("--bus", bus, "--requests", "60", "--format", "json")
    summary = json.loads(out)
    assert code == 0, err
    assert set(summary) >= SUMMARY_KEYS
    assert (summary["requests"], summary["fulfilled"], summary["emails"]) == (60, 60, 60)
    assert (summary["lost"], summary["duplicated"], summary["corrupted"]) == (0, 0, 0)
    assert sum(summary["events_per_type"].values()) == 120
    assert summary["events_per_second"] > 0


def test_the_text_demo_traces_the_first_requests_by_correlation_id() -> None:
    """Text output: each traced request shows approval, grant and fulfilment in order, then the summary and 'ok'."""
    code, out, _ = _demo("--requests", "10", "--trace", "2")
    assert code == 0
    blocks = out.split("  request ")[1:]
    assert len(blocks) == 2
    license_block = blocks[0]
    steps = ["an admin approves the license request", "license-manager handled", "enterprise-access handled",
             "the request is fulfilled"]  # fmt: skip
    positions = [license_block.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "lost 0, duplicated 0, corrupted 0" in out
    assert out.rstrip().endswith("ok")


class _DroppingBus(MemoryBus):
    """Loses every 7th event it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.given = 0

    def publish(self, events: Sequence[WireEvent]) -> PublishResult:
        for event in events:
            self.given += 1
            if self.given % 7:
                super().publish([event])
        return PublishResult(len(events))


class _DuplicatingBus(MemoryBus):
    """Delivers every event twice, as an at-least-once bus may."""

    def publish(self, events: Sequence[WireEvent]) -> PublishResult:
        super().publish(events)
        return super().publish(events)


def test_a_bus_that_loses_events_is_caught() -> None:
    """Lost events are counted, the requests they carried are not fulfilled, and the result is not ok."""
    result = run_flow(_DroppingBus(), requests=30, timeout=0.5)
    assert result.lost > 0
    assert result.fulfilled < 30
    assert not result.ok


def test_redelivered_events_have_no_second_effect() -> None:
    """Every event twice: counted as redelivered, yet one email and one grant per request (idempotent services)."""
    result = run_flow(_DuplicatingBus(), requests=30)
    assert result.redelivered == 30 * 2 + 30  # approved events reach two groups, assigned events one
    assert (result.fulfilled, result.emails, result.duplicated, result.lost) == (30, 30, 0, 0)
    assert result.ok


@pytest.mark.parametrize(
    ("bus", "message"),
    [("carrier-pigeon", "unknown bus 'carrier-pigeon'"), ("redis://127.0.0.1:1/0", "cannot use the bus")],
)
def test_an_unusable_bus_is_one_line_and_exit_2(bus: str, message: str) -> None:
    """A bus the demo cannot name or reach: one line on stderr, exit 2, no traceback."""
    code, out, err = _demo("--bus", bus)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("bus", "events"), [(REDIS_URL, 900), ("kafka", 450)])
def test_a_consumer_killed_midway_resumes_with_nothing_lost(bus: str, events: int) -> None:
    """SIGKILL of the consumer process, then a restart: every event has exactly one effect; minor 1 read by minor 0."""
    result = soak(bus, events=events, kill=True, minor_one_every=10)
    assert result.kills == 1
    assert result.minor_one_events == events // 10
    assert (result.effects, result.lost, result.duplicated, result.corrupted) == (events, 0, 0, 0)


def test_a_bus_without_its_extra_names_the_extra() -> None:
    """--bus kafka where confluent-kafka is missing: the one line says which extra to install (exit 2)."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['confluent_kafka'] = None\n"
        "from openedx_subsidy_events.cli import main; sys.exit(main(['demo', '--bus', 'kafka']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "subsidy-events demo: openedx_subsidy_events.integrations.kafka needs confluent_kafka, which is not "
        'installed: pip install "openedx-subsidy-events[kafka]"'
    )

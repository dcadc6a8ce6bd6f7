"""The Django services demo as a user runs it: a process of its own, the services as processes of theirs."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from subsidy_django import REDIS_URL

COMMAND = [
    sys.executable,
    "-c",
    "import sys; from openedx_subsidy_events.cli import run; sys.argv[0] = 'subsidy-events'; run()",
]


def _demo(*args: str) -> tuple[int, dict[str, Any]]:
    """Run ``subsidy-events demo --services django ARGS --format json``; its exit status and report."""
    done = subprocess.run(
        [*COMMAND, "demo", "--services", "django", "--format", "json", "--trace", "0", *args],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.stdout, done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout)


def test_a_seeded_chaos_run_on_redis_loses_nothing() -> None:
    """SIGKILLs, an outage and rolled-back approvals: every committed approval fulfilled once, exit 0."""
    status, report = _demo("--bus", REDIS_URL, "--chaos", "--seed", "3", "--requests", "200")
    assert report["kills"] >= 20
    assert report["broker_outages"] >= 1
    assert report["rolled_back"] > 0
    assert report["fulfilled"] == report["approved"] - report["rolled_back"]
    assert report["granted"] == report["emails"] == report["enrollments"] == report["fulfilled"]
    assert (report["lost"], report["duplicated"], report["counterfactual"], report["corrupted"]) == (0, 0, 0, 0)
    assert status == 0


def test_negative_control_the_same_chaos_without_the_outbox_loses_approvals() -> None:
    """On-commit publishing loses what is approved while the broker is away or the driver dies: exit 1."""
    status, report = _demo("--bus", REDIS_URL, "--chaos", "--seed", "3", "--requests", "200",
                           "--without", "outbox", "--timeout", "10")  # fmt: skip
    assert report["lost"] > 0
    assert status == 1


def test_without_chaos_the_report_has_the_latency_of_every_request() -> None:
    """A plain run on SQLite and Redis: all fulfilled, p50 ≤ p99, nothing killed."""
    status, report = _demo("--bus", REDIS_URL, "--requests", "40")
    assert (report["approved"], report["fulfilled"], report["rolled_back"], report["kills"]) == (40, 40, 0, 0)
    assert 0 < report["p50_ms"] <= report["p99_ms"]
    assert status == 0


def test_demo_flags_of_the_django_services_need_them() -> None:
    """--chaos without --services django is a usage error, not a silent in-memory run."""
    done = subprocess.run([*COMMAND, "demo", "--chaos"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "--chaos need --services django" in done.stderr

from __future__ import annotations

import argparse
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from openedx_subsidy_events.contracts._cli import register

REPO = Path(__file__).resolve().parents[2]
LICENSE_APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"
LICENSE_CONTRACT = REPO / "contracts" / "license-manager" / f"{LICENSE_APPROVED}.yaml"


@pytest.fixture
def contracts_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped contracts folder."""
    target = tmp_path / "contracts"
    shutil.copytree(REPO / "contracts", target)
    return target


@pytest.fixture
def license_contract_text() -> str:
    """The text of license-manager's contract for the license-request approved event."""
    return LICENSE_CONTRACT.read_text(encoding="utf-8")


@pytest.fixture
def edit_contract(contracts_copy: Path) -> Callable[[str, str, Callable[[str], str]], Path]:
    """``edit_contract(consumer, event_type, change)``: rewrite one contract of the copy with ``change(text)``."""

    def edit(consumer: str, event_type: str, change: Callable[[str], str]) -> Path:
        path = contracts_copy / consumer / f"{event_type}.yaml"
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        return path

    return edit


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run() -> Run:
    """Run a contracts subcommand as the subsidy-events command line does."""

    def call(*argv: str) -> tuple[int, str, str]:
        parser = argparse.ArgumentParser(prog="subsidy-events")
        register(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args(list(argv))
        stdout, stderr = io.StringIO(), io.StringIO()
        code = args.run(args, stdout, stderr)
        return code, stdout.getvalue(), stderr.getvalue()

    return call

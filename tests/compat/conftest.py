"""Helpers for the linter's tests: a parser with the compat subcommands, and a CLI runner."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable, Sequence

import pytest

from openedx_subsidy_events.compat._cli import register


def run_cli(argv: Sequence[str]) -> tuple[int, str, str]:
    """Run ``subsidy-events <argv>`` with only our subcommands; (exit code, stdout, stderr)."""
    parser = argparse.ArgumentParser(prog="subsidy-events")
    commands = parser.add_subparsers(dest="command", required=True)
    register(commands)
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0), stdout.getvalue(), stderr.getvalue()
    code = args.run(args, stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def cli() -> Callable[[Sequence[str]], tuple[int, str, str]]:
    return run_cli

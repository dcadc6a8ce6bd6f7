"""Each bus module needs its extra; importing it without names the extra in one sentence."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("module", "library", "extra"),
    [("redis", "redis", "redis"), ("kafka", "confluent_kafka", "kafka")],
)
def test_a_bus_module_without_its_extra_names_it(module: str, library: str, extra: str) -> None:
    """MissingExtra (an ImportError) says which library is missing and which extra installs it."""
    code = f"import sys; sys.modules[{library!r}] = None; import openedx_subsidy_events.integrations.{module}"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"openedx_subsidy_events.exceptions.MissingExtra: openedx_subsidy_events.integrations.{module} needs "
        f'{library}, which is not installed: pip install "openedx-subsidy-events[{extra}]"'
    )

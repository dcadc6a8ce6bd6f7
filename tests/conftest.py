"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openedx_subsidy_events import EventDefinition, all_events

REPO = Path(__file__).resolve().parents[1]

pytest_plugins = ["pytester"]  # the plugin's own tests run pytest inside pytest


def pytest_report_header() -> str:
    """Say which copy of the package the suite imports: ./dev test installs the wheel and tests that."""
    import openedx_subsidy_events as package

    return f"openedx_subsidy_events {package.__version__} from {Path(package.__file__).parent}"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout being tested (its schemas/ and contracts/ are the published ones)."""
    return REPO


@pytest.fixture(params=all_events(), ids=lambda d: d.data_key)
def definition(request: pytest.FixtureRequest) -> EventDefinition[Any]:
    """Each of the package's four events in turn."""
    return request.param  # type: ignore[no-any-return]

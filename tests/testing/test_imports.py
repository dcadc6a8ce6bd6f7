"""Loading the plugin and the contracts costs nothing a service does not already import."""

from __future__ import annotations

import subprocess
import sys


def test_plugin_and_contracts_import_no_heavy_dependency() -> None:
    """The plugin, the testing face, contracts and reference import no Hypothesis, Django or schemathesis."""
    code = (
        "import sys, openedx_subsidy_events.testing.plugin, openedx_subsidy_events.testing, "
        "openedx_subsidy_events.contracts, openedx_subsidy_events.reference\n"
        "heavy = ('hypothesis', 'schemathesis', 'django', 'redis', 'openedx_events')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

"""The docs that are generated from code are up to date."""

import subprocess
import sys
from pathlib import Path


def test_event_pages_are_current(repo_root: Path) -> None:
    """docs/events/*.rst equal what docs/generate.py renders from the definitions."""
    result = subprocess.run([sys.executable, str(repo_root / "docs" / "generate.py"), "--check"],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr

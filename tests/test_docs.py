"""The docs that are generated from code are up to date."""

import subprocess
import sys
from pathlib import Path


def test_event_pages_are_current(repo_root: Path) -> None:
    """docs/events/*.rst equal what docs/generate.py renders from the definitions."""
    result = subprocess.run([sys.executable, str(repo_root / "docs" / "generate.py"), "--check"],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_is_valid_restructuredtext(repo_root: Path) -> None:
    """docutils parses every page without errors (Sphinx's own roles and directives aside)."""
    import io

    import docutils.core

    problems = []
    for page in sorted((repo_root / "docs").rglob("*.rst")):
        stream = io.StringIO()
        docutils.core.publish_doctree(
            page.read_text(encoding="utf-8"),
            source_path=str(page),
            settings_overrides={"warning_stream": stream, "report_level": 2, "halt_level": 5},
        )
        problems += [
            line
            for line in stream.getvalue().splitlines()
            if ("(ERROR/" in line or "(WARNING/" in line or "(SEVERE/" in line)
            and "Unknown interpreted text role" not in line
            and "Unknown directive type" not in line
        ]
    assert problems == []

"""The AsyncAPI check for the tests (on ``pythonpath``): tools/asyncapi/validate.mjs, the official parser."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "asyncapi"
VALIDATOR = TOOL / "validate.mjs"


def validate_asyncapi(*paths: Path) -> dict[str, dict[str, Any]]:
    """Run the validator once on every path; its result (valid, diagnostics) by path.

    Fails the test, never skips it, when node or the parser is missing: ``./dev test`` installs the
    parser (``npm ci`` in tools/asyncapi) before the suite runs, so a missing one is a broken setup.
    """
    node = shutil.which("node")
    if node is None:
        pytest.fail("the AsyncAPI check needs node on PATH")
    if not (TOOL / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail(f"the AsyncAPI parser is not installed: run 'npm ci --ignore-scripts' in {TOOL} (./dev test does)")
    result = subprocess.run([node, str(VALIDATOR), *map(str, paths)], capture_output=True, text=True, timeout=300)
    if result.returncode not in (0, 1):
        pytest.fail(f"validate.mjs exited {result.returncode}: {result.stderr}")
    results = {}
    for line in result.stdout.splitlines():
        found = json.loads(line)
        results[found["file"]] = found
    assert sorted(results) == sorted(map(str, paths))
    return results


def failures(result: dict[str, Any]) -> list[tuple[str, str]]:
    """The (code, message) of each error and warning in one file's result."""
    return [(d["code"], d["message"]) for d in result["diagnostics"] if d["severity"] in ("error", "warning")]

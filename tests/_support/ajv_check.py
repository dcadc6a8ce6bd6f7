"""The ajv check for the tests (on ``pythonpath``): tools/jsonschema/validate.mjs, ajv in its default mode."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "jsonschema"
VALIDATOR = TOOL / "validate.mjs"


def validate_with_ajv(
    schemas: Mapping[str, Any], cases: Iterable[tuple[str, Any]]
) -> tuple[dict[str, str | None], list[dict[str, Any]]]:
    """Compile each schema with ajv (default options, ajv-formats) and validate each ``(schema name, data)``.

    Returns each schema's compile error (``None`` when it compiled) and each case's ``{valid, errors}``.
    Fails the test, never skips it, when node or ajv is missing: ``./dev test`` installs them.
    """
    node = shutil.which("node")
    if node is None:
        pytest.fail("the ajv check needs node on PATH")
    if not (TOOL / "node_modules" / "ajv").is_dir():
        pytest.fail(f"ajv is not installed: run 'npm ci --ignore-scripts' in {TOOL} (./dev test does)")
    payload = {"schemas": dict(schemas), "cases": [{"schema": name, "data": data} for name, data in cases]}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        result = subprocess.run([node, str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=120)
    if result.returncode not in (0, 1):
        pytest.fail(f"validate.mjs exited {result.returncode}: {result.stderr}")
    found = json.loads(result.stdout)
    return found["schemas"], found["cases"]

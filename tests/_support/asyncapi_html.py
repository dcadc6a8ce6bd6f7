"""The AsyncAPI HTML render for the tests (on ``pythonpath``): the official generator and HTML template.

tools/asyncapi-html holds @asyncapi/generator 2.11 (the last that runs on Node 20) and
@asyncapi/html-template 3.5, installed by ``./dev test`` from its lockfile.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "asyncapi-html"
GENERATOR = TOOL / "node_modules" / ".bin" / "asyncapi-generator"
TEMPLATE = TOOL / "node_modules" / "@asyncapi" / "html-template"


def render_html(document: Path, out: Path) -> str:
    """The HTML page the official template renders for ``document`` (one file), as written to ``out``."""
    if shutil.which("node") is None:
        pytest.fail("the AsyncAPI HTML render needs node on PATH")
    if not GENERATOR.is_file() or not TEMPLATE.is_dir():
        pytest.fail(
            f"the AsyncAPI generator is not installed: run 'npm ci --ignore-scripts' in {TOOL} (./dev test does)"
        )
    command = [str(GENERATOR), str(document), str(TEMPLATE), "-o", str(out), "--force-write", "-p", "singleFile=true"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=TOOL)
    if result.returncode != 0:
        pytest.fail(f"asyncapi-generator exited {result.returncode}: {result.stderr}")
    return (out / "index.html").read_text(encoding="utf-8")


def page_text(page: str) -> str:
    """The text a reader sees: tags removed, entities decoded, white space folded."""
    body = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())

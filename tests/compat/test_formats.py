"""Positions and output snapshots: the pointer lands on its value; messages are reviewed as text."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openedx_subsidy_events.compat._position import locate

from .conftest import run_cli

HERE = Path(__file__).parent
SNAPSHOTS = HERE / "snapshots"

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\/~{}[],: \n\u00e9', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet='ab/~"\\{', max_size=4), inner, max_size=4)
    ),
    max_leaves=25,
)


def _pointers(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found = [(prefix, value)]
    if isinstance(value, dict):
        for key, child in value.items():
            token = key.replace("~", "~0").replace("/", "~1")
            found += _pointers(child, f"{prefix}/{token}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _pointers(child, f"{prefix}/{index}")
    return found


@settings(max_examples=200, deadline=None)
@given(_JSON, st.sampled_from([None, 2, 4]))
def test_locate_points_at_the_value(document: Any, indent: int | None) -> None:
    """For every pointer into a JSON text, the located line and column start that very value."""
    text = json.dumps(document, indent=indent)
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    for pointer, value in _pointers(document):
        found = locate(text, pointer)
        assert found is not None, pointer
        line, column = found
        offset = starts[line - 1] + column - 1
        decoded, _ = json.JSONDecoder().raw_decode(text, offset)
        assert decoded == value, pointer


def test_locate_misses_are_none() -> None:
    """A pointer that leads nowhere gives no position (the finding keeps its file, without a line)."""
    assert locate('{"a": [1, 2]}', "/a/5") is None
    assert locate('{"a": [1, 2]}', "/b") is None
    assert locate('{"a": 1}', "/a/x") is None


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_output_snapshot(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sentences and hints as a person reads them (regenerate with SUBSIDY_EVENTS_UPDATE_SNAPSHOTS=1)."""
    monkeypatch.chdir(HERE)
    case = Path("rules") / "FIELD_RENAME_BREAKS_OLD_READERS"
    argv = ["lint", str(case / "new.avsc"), "--against", str(case / "old.avsc"), "--mode", "FULL", "--format", fmt]
    code, out, _ = run_cli([*argv, "--except", "style"])
    assert code == 1
    snapshot = SNAPSHOTS / f"rename.{fmt}"
    if os.environ.get("SUBSIDY_EVENTS_UPDATE_SNAPSHOTS"):
        snapshot.write_text(out)
    assert out == snapshot.read_text()


@pytest.mark.parametrize(
    ("name", "encoded"),
    [
        ("we,ird:na%me.avsc", "we%2Cird%3Ana%25me.avsc"),
        ("sp ace#q?\u00e9.avsc", "sp%20ace%23q%3F%C3%A9.avsc"),
        ("plain_name-1.avsc", "plain_name-1.avsc"),
    ],
)
def test_sarif_uri_is_percent_encoded(name: str, encoded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A SARIF artifact URI is a valid RFC 3986 reference: relative and encoded, or file:// when absolute."""
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / name).write_text(json.dumps({"type": "record", "name": "R", "fields": []}))
    monkeypatch.chdir(tmp_path)
    for path, uri in ((f"dir/{name}", f"dir/{encoded}"), (str(folder / name), (folder / name).as_uri())):
        code, out, _ = run_cli(["lint", path, "--format", "sarif"])
        assert code == 0
        results = json.loads(out)["runs"][0]["results"]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
        assert uris == {uri}
    assert (folder / name).as_uri().endswith(f"/dir/{encoded}")

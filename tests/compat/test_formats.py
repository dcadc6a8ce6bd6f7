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


@settings(max_examples=200, deadline=None)
@given(_JSON, st.sampled_from([None, 2]), st.text(alphabet="/ab0123~", max_size=8))
def test_walking_to_a_pointer_finds_what_the_index_finds(document: Any, indent: int | None, stray: str) -> None:
    """The two ways to a position (walking for a file's first findings, the index after) agree everywhere."""
    from openedx_subsidy_events.compat._position import _index, _walk

    text = json.dumps(document, indent=indent)
    starts, _ = _index(text)
    for pointer, _value in _pointers(document):
        assert _walk(text, pointer) == starts[pointer], pointer
    try:
        walked = _walk(text, stray)
    except (StopIteration, IndexError, ValueError):
        walked = None
    assert walked == starts.get(stray)


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
    code, out, _ = run_cli([*argv, "--except", "style", "--show-info"])
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


_V0 = {"type": "record", "name": "R", "doc": "R.", "fields": [{"name": "a", "type": "int", "doc": "A."}]}
_V1 = dict(_V0, fields=[*_V0["fields"], {"name": "b", "type": "int", "default": 0, "doc": "B."}])
_V2 = dict(_V1, fields=[*_V1["fields"], {"name": "c", "type": "int", "doc": "C."}])


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_transitive_findings_name_the_version_they_compare_with(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 2 breaks versions 0 and 1 alike: two lines told apart by 'vs 0.avsc' and 'vs 1.avsc', in that order."""
    for number, schema in enumerate((_V0, _V1, _V2)):
        (tmp_path / "r").mkdir(exist_ok=True)
        (tmp_path / "r" / f"{number}.avsc").write_text(json.dumps(schema, indent=2))
    monkeypatch.chdir(tmp_path)
    argv = ["lint", "r", "--mode", "BACKWARD_TRANSITIVE", "--format", fmt, "--show-info"]
    code, out, _ = run_cli(argv)
    assert code == 1
    assert run_cli(argv) == (code, out, "")
    breaks = [line for line in out.splitlines() if "FIELD_ADDED_WITHOUT_DEFAULT" in line]
    if fmt == "text":
        assert [line.split(": ", 1)[1].split(" c ")[0] for line in breaks] == [
            "error FIELD_ADDED_WITHOUT_DEFAULT [BACKWARD vs 0.avsc]",
            "error FIELD_ADDED_WITHOUT_DEFAULT [BACKWARD vs 1.avsc]",
        ]
    else:
        assert [line.split("title=")[1].split("::")[0] for line in breaks] == [
            "FIELD_ADDED_WITHOUT_DEFAULT [BACKWARD vs 0.avsc] c",
            "FIELD_ADDED_WITHOUT_DEFAULT [BACKWARD vs 1.avsc] c",
        ]
    assert all(line.startswith(("r/2.avsc:", "::error file=r/2.avsc,")) for line in breaks)
    if fmt == "text":  # a note: the github format leaves it out
        (added,) = [line for line in out.splitlines() if "FIELD_ADDED_WITH_DEFAULT" in line]
        assert "vs 0.avsc" in added


def test_a_finding_names_its_old_file_only_when_it_is_another() -> None:
    """versus: the bare name beside the file, the whole name elsewhere (a baseline's), nothing for the file itself."""
    from openedx_subsidy_events.compat import Direction, Finding, Severity

    def finding(file: str | None, old_file: str | None) -> Finding:
        return Finding("R", Severity.ERROR, Direction.BACKWARD, "s", "", "", "", "m.", "h.", file, 1, 1, old_file)

    assert finding("s/thing/2.avsc", "s/thing/1.avsc").versus == "1.avsc"
    assert finding("s/thing/2.avsc", "HEAD:s/thing/1.avsc").versus == "HEAD:s/thing/1.avsc"
    assert finding("s/thing/2.avsc", "s/thing/2.avsc").versus is None
    assert finding("s/thing/2.avsc", None).versus is None
    assert finding(None, None).versus is None
    assert str(finding("s/thing/2.avsc", "s/thing/1.avsc")).startswith(
        "s/thing/2.avsc:1:1: error R [BACKWARD vs 1.avsc] "
    )

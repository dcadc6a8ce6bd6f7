"""Fuzzing the SHA256SUMS reader: any text gives the manifest it says or an INVALID_MANIFEST error, nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openedx_subsidy_events.exceptions import SchemaError
from openedx_subsidy_events.publishing import MANIFEST_NAME, read_manifest

REPO = Path(__file__).resolve().parents[1]
MANIFEST = (REPO / "schemas" / MANIFEST_NAME).read_text(encoding="utf-8")
ENTRY = re.compile(r"(?P<digest>[0-9a-fA-F]{64})  (?P<name>.+)")

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
PIECES = ("  ", " ", "*", "\t", "\n", "\r\n", "\r", "\x0c", "\x85", "\u2028", "\ufeff", "\\", "0", "f", "F", "g", "/")


@st.composite
def mutated_manifest(draw: st.DrawFn) -> str:
    """The package's manifest with lines deleted or duplicated, characters changed, whitespace inserted."""
    text = MANIFEST
    for _ in range(draw(st.integers(1, 4))):
        lines = text.splitlines(keepends=True) or [""]
        line = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "flip", "insert"]))
        if edit == "delete":
            del lines[line]
        elif edit == "duplicate":
            lines.insert(draw(st.integers(0, len(lines))), lines[line])
        text = "".join(lines)
        if edit in ("flip", "insert"):
            at = draw(st.integers(0, len(text)))
            piece = draw(st.sampled_from(PIECES) | st.characters(exclude_categories=["Cs"]))
            text = text[:at] + piece + text[at + (edit == "flip") :]
    return text


def _expected(text: str) -> dict[str, str] | int:
    """What the manifest says (``{path: lowercase digest}``), or the number of its first bad line."""
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = ENTRY.fullmatch(line)
        if entry is None or entry["name"] in entries:
            return number
        entries[entry["name"]] = entry["digest"].lower()
    return entries


@FUZZ
@given(mutated_manifest() | st.text(st.sampled_from("0123456789abcdefg *\n\r\t/."), max_size=200) | st.text())
def test_read_manifest_fuzzed(tmp_path: Path, text: str) -> None:
    """A mutated or random SHA256SUMS gives the entries it holds, or INVALID_MANIFEST naming the first bad line."""
    (tmp_path / MANIFEST_NAME).write_text(text, encoding="utf-8", newline="")
    expected = _expected(text)
    try:
        outcome: dict[str, str] | SchemaError = read_manifest(tmp_path)
    except SchemaError as error:
        outcome = error
    if isinstance(outcome, SchemaError):
        assert outcome.rule == "INVALID_MANIFEST"
        assert outcome.path == str(tmp_path / MANIFEST_NAME)
        assert f"line {expected} " in outcome.reason, (outcome.reason, expected)
        assert "\n" not in str(outcome)
    else:
        assert outcome == expected


def test_read_manifest_of_the_package() -> None:
    """The committed manifest reads as one lowercase SHA-256 per published schema file."""
    manifest = read_manifest(REPO / "schemas")
    assert manifest == _expected(MANIFEST)
    assert all(name.endswith(".avsc") for name in manifest)

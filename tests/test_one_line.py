"""A line break in a file name or a ref cannot break the one-line format of errors (or forge a line)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from openedx_subsidy_events.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["lint", "missing\nsubsidy-events lint: all clean.avsc"],
        ["lint", "schemas", "--against", "git:main\nforged"],
        ["contracts", "verify", "--contracts", "no\nsuch-folder"],
        ["check", "--schemas", "no\nsuch\rfolder"],
    ],
    ids=["lint-path", "lint-ref", "contracts-folder", "check-schemas"],
)
def test_an_error_naming_a_file_with_a_line_break_stays_one_line(argv: list[str], tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The name is printed with its line break escaped; stderr is one line; exit 2 (or 1 for findings)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schemas").mkdir()
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(argv, stdout=stdout, stderr=stderr)
    assert code in (1, 2)
    lines = (stderr.getvalue() + stdout.getvalue()).strip().splitlines()
    assert not any(line.startswith(("forged", "such", "subsidy-events lint: all clean")) for line in lines)
    assert "\\n" in stderr.getvalue() + stdout.getvalue()


def test_a_finding_on_a_file_with_a_line_break_stays_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """lint's text lines name such a file with the break escaped: one line per finding, then the summary."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x\nforged.avsc").write_text(
        '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}'
    )
    stdout = io.StringIO()
    assert main(["lint", "x\nforged.avsc"], stdout=stdout, stderr=io.StringIO()) == 0
    lines = stdout.getvalue().splitlines()
    assert len(lines) == 3
    assert all(line.startswith("x\\nforged.avsc:1:") for line in lines[:2])

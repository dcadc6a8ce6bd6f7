"""One folder per rule under ``rules/``: an old/new pair and the findings expected (rule, direction, pointers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openedx_subsidy_events.compat import RULES, Config, Mode, Severity, check, check_subjects, load_paths

CASES = Path(__file__).parent / "rules"
FOLDERS = sorted(p for p in CASES.iterdir() if p.is_dir())


def _findings(folder: Path, *, show_info: bool = True):
    meta = json.loads((folder / "expected.json").read_text())
    config = Config(mode=Mode.parse(meta["mode"]), use=tuple(meta["use"]), show_info=show_info)
    if (folder / "new").is_dir():
        old = load_paths([folder / "old"]) if (folder / "old").is_dir() else None
        report = check_subjects(load_paths([folder / "new"]), old, config=config)
    else:
        new = load_paths([folder / "new.avsc"])["new"].latest
        old = load_paths([folder / "old.avsc"])["old"].latest if (folder / "old.avsc").exists() else None
        report = check(old, new, mode=config.mode, config=config, subject="case")
    return meta, report


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_rule_case(folder: Path) -> None:
    """Each case yields exactly its expected findings, with the pointer into each schema."""
    meta, report = _findings(folder)
    got = sorted(([f.rule, f.direction.value, f.new_pointer, f.old_pointer] for f in report), key=str)
    assert got == sorted(meta["expected"], key=str)


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_rule_case_positions(folder: Path) -> None:
    """Findings read from files carry the file, a line and a column."""
    _, report = _findings(folder)
    for finding in report:
        assert finding.file is not None
        assert finding.line is not None
        assert finding.line >= 1
        assert finding.column is not None
        assert finding.column >= 1


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_hiding_info_findings_changes_nothing_else(folder: Path) -> None:
    """Without ``show_info`` a case has exactly its other findings: no error or warning depends on the notes."""
    _, shown = _findings(folder)
    _, hidden = _findings(folder, show_info=False)
    assert hidden.findings == tuple(f for f in shown if f.severity is not Severity.INFO)
    assert hidden.exit_code() == shown.exit_code()


def test_every_rule_has_a_folder() -> None:
    """The rule table and the case folders name the same rules."""
    covered = {p.name.split("--")[0] for p in FOLDERS}
    assert covered == set(RULES)


def test_expected_rules_exist() -> None:
    """Every rule id an expectation names is in the table (no typo hides a case)."""
    for folder in FOLDERS:
        meta = json.loads((folder / "expected.json").read_text())
        assert {e[0] for e in meta["expected"]} <= set(RULES), folder.name

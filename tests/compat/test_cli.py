"""The ``lint``, ``rules`` and ``explain`` subcommands: exit codes, formats, configuration, baselines."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from openedx_subsidy_events.compat import RULES

from .conftest import run_cli

RECORD = {
    "type": "record",
    "name": "Thing",
    "namespace": "org.example",
    "doc": "A thing.",
    "fields": [{"name": "a", "type": "int", "doc": "The a."}],
}


def _with(*fields: dict[str, Any]) -> dict[str, Any]:
    return dict(RECORD, fields=[*RECORD["fields"], *fields])


def _write(path: Path, schema: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema, indent=2) + "\n")
    return path


@pytest.fixture
def breaking(tmp_path: Path) -> tuple[Path, Path]:
    """A baseline folder and a new folder whose subject adds a field without a default."""
    old = _write(tmp_path / "old" / "thing.avsc", RECORD).parent
    new = _write(tmp_path / "new" / "thing.avsc", _with({"name": "b", "type": "string", "doc": "The b."})).parent
    return old, new


def test_clean_folder_exits_0(tmp_path: Path) -> None:
    """A folder of valid schemas without a baseline has nothing to report at error level."""
    _write(tmp_path / "s" / "thing.avsc", RECORD)
    code, out, err = run_cli(["lint", str(tmp_path / "s")])
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "0 error(s), 0 warning(s) in 1 subject(s) (--show-info for notes)"


def test_breaking_change_exits_1(breaking: tuple[Path, Path]) -> None:
    """A wire break in the mode's direction is an error: exit 1, one text line in the documented shape."""
    old, new = breaking
    code, out, _ = run_cli(["lint", str(new), "--against", str(old)])
    assert code == 1
    line = out.splitlines()[0]
    pattern = (
        r".*new/thing\.avsc:\d+:\d+: error FIELD_ADDED_WITHOUT_DEFAULT \[BACKWARD vs .*old/thing\.avsc\] "
        r"b \(/fields/1\): .+ hint: .+"
    )
    assert re.fullmatch(pattern, line), line


def test_mode_forward_ignores_backward_breaks(breaking: tuple[Path, Path]) -> None:
    """FORWARD checks only that old readers read new data: an added field is fine for them."""
    old, new = breaking
    code, out, _ = run_cli(["lint", str(new), "--against", str(old), "--mode", "FORWARD"])
    assert code == 0, out


def test_mode_none_checks_no_direction(breaking: tuple[Path, Path]) -> None:
    """NONE runs no reader/writer check."""
    old, new = breaking
    assert run_cli(["lint", str(new), "--against", str(old), "--mode", "none"])[0] == 0


def test_fail_on_warning(tmp_path: Path) -> None:
    """Warnings pass by default and fail with --fail-on warning."""
    _write(tmp_path / "s" / "thing.avsc", dict(RECORD, doc=None))
    assert run_cli(["lint", str(tmp_path / "s")])[0] == 0
    assert run_cli(["lint", str(tmp_path / "s"), "--fail-on", "warning"])[0] == 1


def test_rule_and_except_select_rules(breaking: tuple[Path, Path]) -> None:
    """--except leaves a rule out; --rule runs only the rules (or categories) named."""
    old, new = breaking
    base = ["lint", str(new), "--against", str(old)]
    assert run_cli([*base, "--except", "FIELD_ADDED_WITHOUT_DEFAULT"])[0] == 0
    assert run_cli([*base, "--rule", "style"])[0] == 0
    assert run_cli([*base, "--rule", "wire"])[0] == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["lint", "--rule", "NO_SUCH_RULE"],
        ["lint", "--mode", "SIDEWAYS"],
        ["lint", "--format", "yaml"],
        ["explain", "NO_SUCH_RULE"],
        ["lint", "/does/not/exist"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], tmp_path: Path) -> None:
    """Unknown rules, modes, formats and paths are usage errors: exit 2 and a message, no traceback."""
    _write(tmp_path / "s" / "thing.avsc", RECORD)
    code, out, err = run_cli([*argv, str(tmp_path / "s")] if argv[0] == "lint" and len(argv) == 3 else argv)
    assert code == 2
    assert "Traceback" not in out + err


@pytest.mark.parametrize("fmt", ["text", "json", "github", "junit", "sarif"])
def test_formats_are_deterministic_and_parse(fmt: str, breaking: tuple[Path, Path]) -> None:
    """Every format gives the same bytes twice, and machine formats parse."""
    old, new = breaking
    argv = ["lint", str(new), "--against", str(old), "--format", fmt]
    first, second = run_cli(argv), run_cli(argv)
    assert first == second
    code, out, _ = first
    assert code == 1
    if fmt == "json":
        document = json.loads(out)
        assert document["findings"][0]["rule"] == "FIELD_ADDED_WITHOUT_DEFAULT"
        assert document["findings"][0]["new_pointer"] == "/fields/1"
        assert document["findings"][0]["old_pointer"] == ""
        assert document["ok"] is False
    elif fmt == "sarif":
        document = json.loads(out)
        assert document["version"] == "2.1.0"
        result = document["runs"][0]["results"][0]
        assert result["ruleId"] == "FIELD_ADDED_WITHOUT_DEFAULT"
        assert result["level"] == "error"
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
        assert len(document["runs"][0]["tool"]["driver"]["rules"]) == len(RULES)
    elif fmt == "junit":
        root = ET.fromstring(out.split("\n", 1)[1])
        failure = root.find("./testsuite/testcase/failure")
        assert failure is not None
        assert failure.get("type") == "FIELD_ADDED_WITHOUT_DEFAULT"
    elif fmt == "github":
        assert re.match(r"::error file=.*thing\.avsc,line=\d+,col=\d+,title=FIELD_ADDED_WITHOUT_DEFAULT", out)


def test_github_escapes_properties(tmp_path: Path) -> None:
    """Commas and colons in a file name are escaped in workflow commands."""
    folder = tmp_path / "a,b:c"
    _write(folder / "thing.avsc", dict(RECORD, doc=None))
    code, out, _ = run_cli(["lint", str(folder), "--format", "github"])
    assert code == 0
    assert "a%2Cb%3Ac" in out.splitlines()[0]


def test_rules_lists_the_table() -> None:
    """``rules`` prints every rule; ``--format json`` gives the whole table."""
    code, out, _ = run_cli(["rules"])
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(RULES)
    code, out, _ = run_cli(["rules", "--format", "json"])
    rows = json.loads(out)
    assert [row["id"] for row in rows] == list(RULES)
    assert {row["category"] for row in rows} == {"wire", "semantic", "style", "prefix"}


def test_explain_says_why_who_and_how() -> None:
    """``explain`` prints the rule's reasons, the failing reader and the fix."""
    code, out, _ = run_cli(["explain", "enum_symbol_added"])
    assert code == 0
    assert out.startswith("ENUM_SYMBOL_ADDED (wire, default error)")
    assert "Why:" in out
    assert "Who fails:" in out
    assert "Fix:" in out


def test_config_except_and_subject_mode(breaking: tuple[Path, Path], tmp_path: Path) -> None:
    """[tool.subsidy-events] sets rules and per-subject modes; --config points at it."""
    old, new = breaking
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.subsidy-events.subjects.thing]\nmode = "FORWARD"\n')
    assert run_cli(["lint", str(new), "--against", str(old), "--config", str(config)])[0] == 0
    config.write_text('[tool.subsidy-events]\nexcept = ["FIELD_ADDED_WITHOUT_DEFAULT"]\n')
    assert run_cli(["lint", str(new), "--against", str(old), "--config", str(config)])[0] == 0
    config.write_text('[tool.subsidy-events]\nignore_only = { wire = ["th*"] }\n')
    assert run_cli(["lint", str(new), "--against", str(old), "--config", str(config)])[0] == 0
    config.write_text('[tool.subsidy-events]\nignore_only = { wire = ["other"] }\n')
    assert run_cli(["lint", str(new), "--against", str(old), "--config", str(config)])[0] == 1


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ('[tool.subsidy-events]\nuse = ["NOPE"]\n', "/tool/subsidy-events/use"),
        ('[tool.subsidy-events]\nmode = "SIDEWAYS"\n', "/tool/subsidy-events"),
        ('[tool.subsidy-events]\ncolour = "blue"\n', "/tool/subsidy-events/colour"),
        ("[tool.subsidy-events\n", ""),
        ("tool = 3\n", "(/tool)"),
        ("[tool]\nsubsidy-events = 3\n", "(/tool/subsidy-events)"),
        ("[tool.subsidy-events]\nmode = 3\n", "(/tool/subsidy-events/mode)"),
        ('[tool.subsidy-events]\nmode = ["FULL"]\n', "(/tool/subsidy-events/mode)"),
        ("[tool.subsidy-events]\nfail_on = true\n", "(/tool/subsidy-events/fail_on)"),
        ('[tool.subsidy-events]\nshow_info = "yes"\n', "(/tool/subsidy-events/show_info)"),
        ('[tool.subsidy-events]\nuse = "wire"\n', "(/tool/subsidy-events/use)"),
        ("[tool.subsidy-events]\nseverity = 3\n", "(/tool/subsidy-events/severity)"),
        ("[tool.subsidy-events]\nseverity = { MISSING_DOC = 3 }\n", "(/tool/subsidy-events/severity/MISSING_DOC)"),
        ('[tool.subsidy-events]\nignore_only = { wire = "x" }\n', "(/tool/subsidy-events/ignore_only/wire)"),
        ('[tool.subsidy-events.subjects."a/b"]\nmode = 1979-05-27\n', "(/tool/subsidy-events/subjects/a~1b/mode)"),
        ("[tool.subsidy-events.subjects.thing]\n", "(/tool/subsidy-events/subjects/thing)"),
        ("[tool.subsidy-events]\nmode = " + "9" * 5000 + "\n", "a number has more than"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        (b"\xff = 1\n", "not UTF-8"),
    ],
)
def test_bad_config_exits_2(text: str | bytes, pointer: str, breaking: tuple[Path, Path], tmp_path: Path) -> None:
    """A bad configuration is one line naming the file (and the key) and exit 2."""
    _old, new = breaking
    config = tmp_path / "pyproject.toml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode())
    code, _, err = run_cli(["lint", str(new), "--config", str(config)])
    assert code == 2
    assert str(config) in err
    assert pointer in err, err
    assert "INVALID_CONFIG" in err, err
    assert len(err.strip().splitlines()) == 1


def test_show_info_in_the_configuration_reports_notes(tmp_path: Path) -> None:
    """show_info = true does what --show-info does; a severity raised above info makes a note a finding anyway."""
    old, new = (
        dict(RECORD),
        dict(RECORD, fields=[*RECORD["fields"], {"name": "n", "type": "int", "default": 0, "doc": "N."}]),
    )
    _write(tmp_path / "old" / "thing.avsc", old)
    _write(tmp_path / "new" / "thing.avsc", new)
    argv = ["lint", str(tmp_path / "new"), "--against", str(tmp_path / "old"), "--format", "json"]
    config = tmp_path / "p.toml"

    def rules(*extra: str) -> list[str]:
        code, out, _ = run_cli([*argv, "--config", str(config), *extra])
        assert code == 0
        return [f["rule"] for f in json.loads(out)["findings"]]

    config.write_text("[tool.subsidy-events]\n")
    assert rules() == []
    assert rules("--show-info") == ["FIELD_ADDED_WITH_DEFAULT"]
    config.write_text("[tool.subsidy-events]\nshow_info = true\n")
    assert rules() == ["FIELD_ADDED_WITH_DEFAULT"]
    config.write_text('[tool.subsidy-events]\nseverity = { FIELD_ADDED_WITH_DEFAULT = "warning" }\n')
    assert rules() == ["FIELD_ADDED_WITH_DEFAULT"]


def test_config_severity_ids_in_any_case(tmp_path: Path) -> None:
    """A severity given for a rule id in lower case applies to that rule (not silently nothing)."""
    _write(tmp_path / "s" / "thing.avsc", dict(RECORD, doc=None))
    config = tmp_path / "p.toml"
    config.write_text('[tool.subsidy-events]\nseverity = { missing_doc = "error" }\n')
    assert run_cli(["lint", str(tmp_path / "s"), "--config", str(config)])[0] == 1


@pytest.mark.parametrize("kind", ["folder", "file-in-a-file"])
def test_config_that_is_not_a_file(kind: str, breaking: tuple[Path, Path], tmp_path: Path) -> None:
    """--config naming a folder says it is not a file; a path through a file says it does not exist."""
    _old, new = breaking
    (tmp_path / "plain").write_text("")
    config, reason = (tmp_path, "is not a file") if kind == "folder" else (tmp_path / "plain" / "x", "does not exist")
    code, _, err = run_cli(["lint", str(new), "--config", str(config)])
    assert code == 2
    assert f"{config}: INVALID_CONFIG: {reason}" in err, err


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["lint", ""], "PATH"),
        (["lint", "{new}", ""], "PATH"),
        (["lint", "{new}", "--against", ""], "--against"),
        (["lint", "{new}", "--config", ""], "--config"),
        (["lint", "{new}", "--contracts", ""], "--contracts"),
    ],
)
def test_empty_arguments_are_usage_errors(
    argv: list[str], option: str, breaking: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty PATH (or option value) is a usage error, not the current folder."""
    _old, new = breaking
    monkeypatch.chdir(new)  # where an empty PATH used to lead: a folder with a schema in it
    code, out, err = run_cli([a.format(new=new) for a in argv])
    assert (code, out) == (2, "")
    assert f"{option} must not be an empty string" in err


def test_fail_on_info(tmp_path: Path) -> None:
    """--fail-on info, like fail_on = "info" in the configuration, fails on notes too."""
    _write(tmp_path / "old" / "thing.avsc", RECORD)
    _write(tmp_path / "new" / "thing.avsc", _with({"name": "b", "type": "int", "default": 0, "doc": "The b."}))
    base = ["lint", str(tmp_path / "new"), "--against", str(tmp_path / "old")]
    assert run_cli(base)[0] == 0
    assert run_cli([*base, "--fail-on", "warning"])[0] == 0
    code, out, _ = run_cli([*base, "--fail-on", "info"])
    assert code == 1
    assert "FIELD_ADDED_WITH_DEFAULT" in out
    config = tmp_path / "p.toml"
    config.write_text('[tool.subsidy-events]\nfail_on = "info"\n')
    assert run_cli([*base, "--config", str(config)])[0] == 1
    assert run_cli([*base, "--config", str(config), "--fail-on", "error"])[0] == 0


def test_default_path_is_local_schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without PATH, ``./schemas`` is linted."""
    _write(tmp_path / "schemas" / "thing" / "0.avsc", RECORD)
    _write(tmp_path / "schemas" / "thing" / "1.avsc", _with({"name": "b", "type": "string", "doc": "The b."}))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(["lint"])
    assert code == 1
    assert "FIELD_ADDED_WITHOUT_DEFAULT" in out


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_GLOBAL="/dev/null")
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_baseline(tmp_path: Path) -> None:
    """--against git:<ref> reads the baseline from the repository without a checkout; a bad ref is exit 2."""
    _git(tmp_path, "init", "-q", "-b", "main")
    schemas = tmp_path / "schemas"
    _write(schemas / "thing" / "0.avsc", RECORD)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "v0")
    _write(schemas / "thing" / "0.avsc", _with({"name": "b", "type": "string", "doc": "The b."}))
    code, out, _ = run_cli(["lint", str(schemas), "--against", "git:HEAD", "--format", "json"])
    assert code == 1
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert rules == {"RELEASED_FILE_EDITED"}
    assert (schemas / "thing" / "0.avsc").read_text() != json.dumps(RECORD, indent=2) + "\n"  # no checkout happened
    code, _, err = run_cli(["lint", str(schemas), "--against", "git:no-such-branch"])
    assert code == 2
    assert err.strip() == "subsidy-events lint: git:no-such-branch: UNREADABLE: is not a commit in this repository"


def test_one_file_against_another(tmp_path: Path) -> None:
    """Two single files are one subject, whatever their names: `lint new.avsc --against old.avsc`."""
    old = _write(tmp_path / "old.avsc", RECORD)
    new = _write(tmp_path / "new.avsc", _with({"name": "b", "type": "string", "doc": "The b."}))
    code, out, _ = run_cli(["lint", str(new), "--against", str(old), "--format", "json"])
    assert code == 1
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["FIELD_ADDED_WITHOUT_DEFAULT"]


def test_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    """A PATH without any schema is exit 2: a typo in CI must not pass silently."""
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(["lint", str(tmp_path / "empty")])
    assert code == 2
    assert "no .avsc schema found" in err


def test_register_fits_the_package_command_line(tmp_path: Path) -> None:
    """The subcommands plug into ``subsidy-events``' own parser (whether or not it registered them yet)."""
    import argparse
    import io

    from openedx_subsidy_events import cli
    from openedx_subsidy_events.compat._cli import register

    parser = cli._parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "lint" not in commands.choices:
        register(commands)
    _write(tmp_path / "s" / "thing.avsc", RECORD)
    args = parser.parse_args(["lint", str(tmp_path / "s"), "--format", "json"])
    out, err = io.StringIO(), io.StringIO()
    assert args.run(args, out, err) == 0
    assert json.loads(out.getvalue())["ok"] is True


def test_rule_overrides_the_configurations_except(tmp_path: Path) -> None:
    """--rule runs the rules it names even when the configuration's except leaves them out."""
    _write(tmp_path / "s" / "thing.avsc", dict(RECORD, doc=None))
    config = tmp_path / "c.toml"
    config.write_text('[tool.subsidy-events]\nexcept = ["style"]\n')
    base = ["lint", str(tmp_path / "s"), "--config", str(config), "--fail-on", "warning"]
    assert run_cli(base)[0] == 0
    for rule in ("style", "MISSING_DOC"):
        code, out, _ = run_cli([*base, "--rule", rule])
        assert code == 1
        assert "MISSING_DOC" in out
    code, out, _ = run_cli([*base, "--rule", "style", "--except", "MISSING_DOC"])  # the command line's except wins
    assert (code, "MISSING_DOC" in out) == (0, False)


def test_no_rule_left_is_a_usage_error(tmp_path: Path) -> None:
    """--rule and --except that leave nothing to run are exit 2 with a message, not a silent pass."""
    _write(tmp_path / "s" / "thing.avsc", RECORD)
    code, _, err = run_cli(["lint", str(tmp_path / "s"), "--rule", "style", "--except", "style"])
    assert code == 2
    assert "no rule is left to run" in err


def test_the_documented_synopsis_has_every_lint_option(repo_root: Path) -> None:
    """docs/linter.rst's synopsis lists each option of `lint`, and each has its own entry below it."""
    import argparse

    from openedx_subsidy_events.compat._cli import register

    parser = argparse.ArgumentParser(prog="subsidy-events")
    commands = parser.add_subparsers()
    register(commands)
    lint = commands.choices["lint"]
    options = [o for action in lint._actions for o in action.option_strings if o.startswith("--") and o != "--help"]
    text = (repo_root / "docs" / "linter.rst").read_text()
    synopsis = text.split("    subsidy-events lint ", 1)[1].split("    subsidy-events rules", 1)[0]
    assert [o for o in options if f"[{o}" not in synopsis] == []
    assert [o for o in options if not re.search(rf"^(``--\S* .*/ )?``{o}[ `]", text, re.MULTILINE)] == []

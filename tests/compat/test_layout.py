"""What PATH holds: named types shared between files, one subject's folder, and shared types kept in versions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from openedx_subsidy_events.compat import load_paths
from openedx_subsidy_events.compat._graph import identity
from openedx_subsidy_events.compat._schema import SchemaSet
from openedx_subsidy_events.exceptions import SchemaError

from .conftest import run_cli


def addr(x: str = "int", *extra: dict[str, Any]) -> dict[str, Any]:
    fields = [{"name": "x", "type": x}, *extra]
    return {"type": "record", "name": "Addr", "namespace": "c", "fields": fields}


EV = {"type": "record", "name": "Ev", "namespace": "c", "fields": [{"name": "a", "type": "Addr"}]}
LOOP = {
    "type": "record",
    "name": "Ev",
    "namespace": "c",
    "fields": [{"name": "next", "type": ["null", "Ev"], "default": None}, {"name": "a", "type": "Addr"}],
}


def _write(path: Path, schema: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema) + "\n")
    return path


def _findings(argv: list[str]) -> tuple[int, list[dict[str, Any]]]:
    code, out, err = run_cli([*argv, "--format", "json", "--except", "style"])
    assert code in (0, 1), err
    return code, json.loads(out)["findings"]


@pytest.mark.parametrize("ev", [EV, LOOP], ids=["plain", "recursive"])
def test_a_type_changed_in_another_file_is_checked_for_its_users(tmp_path: Path, ev: dict[str, Any]) -> None:
    """ev.avsc is unchanged, but the Addr it uses changed in addr.avsc: ev's readers break at a.x too."""
    _write(tmp_path / "old" / "addr.avsc", addr("int"))
    _write(tmp_path / "old" / "ev.avsc", ev)
    _write(tmp_path / "new" / "addr.avsc", addr("long"))
    _write(tmp_path / "new" / "ev.avsc", ev)
    argv = ["lint", str(tmp_path / "new"), "--against", str(tmp_path / "old"), "--mode", "FORWARD"]
    code, findings = _findings(argv)
    assert code == 1
    assert {(f["subject"], f["rule"], f["path"]) for f in findings} == {
        ("addr", "TYPE_CHANGED", "x"),
        ("ev", "TYPE_CHANGED", "a.x"),
    }
    config = _write(tmp_path / "c.toml", {})
    config.write_text('[tool.subsidy-events.subjects.addr]\nmode = "NONE"\n')
    code, findings = _findings([*argv, "--config", str(config)])
    assert code == 1
    assert [(f["subject"], f["path"]) for f in findings] == [("ev", "a.x")]


@pytest.mark.parametrize("ev", [EV, LOOP], ids=["plain", "recursive"])
def test_unchanged_schemas_read_from_other_files_are_skipped(tmp_path: Path, ev: dict[str, Any]) -> None:
    """Files with other names or layouts but the same resolved schema compare as identical: nothing to report."""
    _write(tmp_path / "old" / "addr.avsc", addr())
    _write(tmp_path / "old" / "ev.avsc", ev)
    _write(tmp_path / "new" / "addr.avsc", addr())
    (tmp_path / "new" / "ev.avsc").write_text(json.dumps(ev, indent=4))  # other text, same schema
    code, findings = _findings(["lint", str(tmp_path / "new"), "--against", str(tmp_path / "old")])
    assert (code, findings) == (0, [])


def _identity(*documents: Any) -> str:
    schemas = SchemaSet()
    for index, document in enumerate(documents):
        schemas.add(document, f"f{index}")
    return identity(schemas.resolve()["f0"])


def test_identity_covers_referenced_and_recursive_types() -> None:
    """Equal for the same resolved graph, different when a type defined in another file differs."""
    assert _identity(LOOP, addr()) == _identity(LOOP, addr())
    assert _identity(LOOP, addr()) != _identity(LOOP, addr("long"))
    assert _identity(EV, addr()) != _identity(EV, addr("long"))
    assert _identity(LOOP, addr()) != _identity(EV, addr())


def _versions(folder: Path, *schemas: Any) -> None:
    for number, schema in enumerate(schemas, start=1):
        _write(folder / f"{number}.avsc", schema)


F1 = {"type": "record", "name": "F", "fields": [{"name": "a", "type": "int"}]}
F2 = {"type": "record", "name": "F", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string"}]}


def test_one_subjects_folder_is_that_subjects_history(tmp_path: Path) -> None:
    """PATH at lay/fw holding 1.avsc 2.avsc is the subject fw with two versions, and its history is checked."""
    _versions(tmp_path / "lay" / "fw", F1, F2)
    subjects = load_paths([tmp_path / "lay" / "fw"])
    assert list(subjects) == ["fw"]
    assert subjects["fw"].versioned
    assert [s.version for s in subjects["fw"].versions] == [1, 2]
    code, findings = _findings(["lint", str(tmp_path / "lay" / "fw")])
    assert code == 1
    assert {(f["subject"], f["rule"]) for f in findings} == {("fw", "FIELD_ADDED_WITHOUT_DEFAULT")}


def test_a_folder_of_named_files_stays_a_folder_of_subjects(tmp_path: Path) -> None:
    """Only a folder whose .avsc files are all <n>.avsc is one subject's: 1.avsc beside thing.avsc is subject 1."""
    _write(tmp_path / "s" / "1.avsc", F1)
    _write(tmp_path / "s" / "thing.avsc", F2)
    assert list(load_paths([tmp_path / "s"])) == ["1", "thing"]


def test_the_current_folder_is_named_for_what_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`lint .` inside a subject's folder names the subject after the folder, not ''."""
    _versions(tmp_path / "fw", F1, F2)
    monkeypatch.chdir(tmp_path / "fw")
    assert list(load_paths([Path(".")])) == ["fw"]


def test_a_version_found_twice_is_bad_input(tmp_path: Path) -> None:
    """fw/1.avsc and fw/fw/1.avsc would both be version 1 of fw: exit 2 naming both files."""
    _versions(tmp_path / "fw", F1)
    _versions(tmp_path / "fw" / "fw", F1)
    code, _, err = run_cli(["lint", str(tmp_path / "fw")])
    assert code == 2
    assert "UNREADABLE: the subject 'fw' has a version 1 in" in err


def _git(cwd: Path, *args: str) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null"}
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com", PATH="/usr/bin:/bin")
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_one_subjects_folder_against_git(tmp_path: Path) -> None:
    """The git baseline of a subject's folder is read the same way: version 1 edited in place is found."""
    _git(tmp_path, "init", "-q", "-b", "main")
    folder = tmp_path / "schemas" / "fw"
    _versions(folder, F1)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "v1")
    _versions(folder, F2)
    code, findings = _findings(["lint", str(folder), "--against", "git:HEAD"])
    assert code == 1
    assert {(f["subject"], f["rule"]) for f in findings} == {("fw", "RELEASED_FILE_EDITED")}


def test_a_shared_type_resolves_to_its_latest_version(tmp_path: Path) -> None:
    """common/1.avsc and common/2.avsc both define c.Addr: ev/1.avsc uses the latest, no ambiguity."""
    _versions(tmp_path / "s" / "common", addr(), addr("int", {"name": "y", "type": "int", "default": 0}))
    _versions(tmp_path / "s" / "ev", EV)
    subjects = load_paths([tmp_path / "s"])
    used = subjects["ev"].latest.root.fields[0].type
    assert [f.name for f in used.fields] == ["x", "y"]
    assert used.source == str(tmp_path / "s" / "common" / "2.avsc")
    code, findings = _findings(["lint", str(tmp_path / "s"), "--show-info"])
    assert code == 0
    assert [(f["subject"], f["rule"]) for f in findings] == [("common", "FIELD_ADDED_WITH_DEFAULT")]


def test_a_type_defined_differently_by_two_subjects_is_ambiguous(tmp_path: Path) -> None:
    """Two subjects defining c.Addr differently: exit 2, and the message says how to share a type."""
    _versions(tmp_path / "s" / "common", addr())
    _versions(tmp_path / "s" / "other", addr("long"))
    _versions(tmp_path / "s" / "ev", EV)
    with pytest.raises(SchemaError) as raised:
        load_paths([tmp_path / "s"])
    assert raised.value.rule == "AMBIGUOUS_NAMED_TYPE"
    assert raised.value.path == str(tmp_path / "s" / "ev" / "1.avsc")
    assert "keep its versions as one subject's <subject>/<n>.avsc, whose latest is used" in raised.value.reason


F3 = {
    "type": "record",
    "name": "F",
    "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string"}, {"name": "c", "type": "int"}],
}


def _repo(tmp_path: Path, *versions: Any) -> Path:
    """A git repository whose HEAD has schemas/fw/0.avsc ... and schemas/other/0.avsc; the folder fw."""
    _git(tmp_path, "init", "-q", "-b", "main")
    folder = tmp_path / "schemas" / "fw"
    for number, schema in enumerate(versions):
        _write(folder / f"{number}.avsc", schema)
    _write(tmp_path / "schemas" / "other" / "0.avsc", F1)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "released")
    return folder


def test_a_version_file_is_a_version_of_its_folders_subject(tmp_path: Path) -> None:
    """PATH fw/2.avsc is version 2 of the subject fw (partial: the other versions were not read), not subject 2."""
    _versions(tmp_path / "fw", F1, F2)
    subjects = load_paths([tmp_path / "fw" / "2.avsc"])
    assert list(subjects) == ["fw"]
    assert (subjects["fw"].versioned, subjects["fw"].partial) == (True, True)
    assert [s.version for s in subjects["fw"].versions] == [2]
    both = load_paths([tmp_path / "fw" / "1.avsc", tmp_path / "fw" / "2.avsc", tmp_path / "fw" / "2.avsc"])
    assert [s.version for s in both["fw"].versions] == [1, 2]
    assert load_paths([tmp_path / "fw"])["fw"].partial is False
    code, _, err = run_cli(["lint", str(tmp_path / "fw"), str(tmp_path / "fw" / "1.avsc")])
    assert code == 2
    assert "the subject 'fw' is also under" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("fmt", ["json", "github"])
def test_a_new_version_file_against_git_is_compared_with_its_subjects_versions(tmp_path: Path, fmt: str) -> None:
    """`lint --mode BACKWARD fw/1.avsc --against git:HEAD`, 1.avsc new and breaking: exit 1, as for the folder."""
    folder = _repo(tmp_path, F1)
    _write(folder / "1.avsc", F2)
    argv = ["lint", "--mode", "BACKWARD", str(folder / "1.avsc"), "--against", "git:HEAD", "--except", "style"]
    code, out, _ = run_cli([*argv, "--format", fmt])
    assert code == 1
    if fmt == "github":
        assert out.startswith("::error file=")
        assert "FIELD_ADDED_WITHOUT_DEFAULT" in out
        assert "SUBJECT_ADDED" not in out
        return
    findings = json.loads(out)["findings"]
    assert [(f["subject"], f["rule"], f["old_file"]) for f in findings] == [
        ("fw", "FIELD_ADDED_WITHOUT_DEFAULT", "HEAD:schemas/fw/0.avsc")
    ]
    _, whole = _findings(["lint", "--mode", "BACKWARD", str(folder), "--against", "git:HEAD"])
    assert [(f["rule"], f["new_pointer"]) for f in whole] == [(f["rule"], f["new_pointer"]) for f in findings]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_version_file_takes_every_earlier_version_from_the_baseline(tmp_path: Path) -> None:
    """In a transitive mode version 2 is checked against versions 0 and 1 at HEAD; no version is 'removed'."""
    folder = _repo(tmp_path, F1, dict(F2, fields=[*F2["fields"][:1], {**F2["fields"][1], "default": ""}]))
    _write(folder / "2.avsc", F3)
    argv = ["lint", str(folder / "2.avsc"), "--against", "git:HEAD", "--mode", "BACKWARD_TRANSITIVE"]
    code, findings = _findings(argv)
    assert code == 1
    assert sorted((f["rule"], f["path"], f["old_file"]) for f in findings) == [
        ("FIELD_ADDED_WITHOUT_DEFAULT", "b", "HEAD:schemas/fw/0.avsc"),
        ("FIELD_ADDED_WITHOUT_DEFAULT", "c", "HEAD:schemas/fw/0.avsc"),
        ("FIELD_ADDED_WITHOUT_DEFAULT", "c", "HEAD:schemas/fw/1.avsc"),
    ]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_released_version_file_edited_is_found_alone(tmp_path: Path) -> None:
    """`lint schemas/fw/0.avsc --against git:HEAD` with 0.avsc edited: RELEASED_FILE_EDITED, nothing else."""
    folder = _repo(tmp_path, F1, F2)
    _write(folder / "0.avsc", dict(F1, doc="Edited."))
    code, findings = _findings(["lint", str(folder / "0.avsc"), "--against", "git:HEAD"])
    assert code == 1
    assert [(f["subject"], f["rule"]) for f in findings] == [("fw", "RELEASED_FILE_EDITED")]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_version_file_of_a_new_subject_is_added_under_the_folders_name(tmp_path: Path) -> None:
    """A new folder's 0.avsc against git:HEAD is SUBJECT_ADDED for the subject new, not for a subject 0."""
    _repo(tmp_path, F1)
    path = _write(tmp_path / "schemas" / "new" / "0.avsc", F1)
    code, findings = _findings(["lint", str(path), "--against", "git:HEAD", "--fail-on", "info"])
    assert code == 1
    assert [(f["subject"], f["rule"]) for f in findings] == [("new", "SUBJECT_ADDED")]


def test_a_version_file_against_a_folder_baseline(tmp_path: Path) -> None:
    """Against a package-layout folder, fw/2.avsc is compared with its fw; other subjects are left alone."""
    _versions(tmp_path / "old" / "fw", F1)
    _versions(tmp_path / "old" / "gone", F1)
    _write(tmp_path / "new" / "fw" / "2.avsc", F2)
    argv = ["lint", str(tmp_path / "new" / "fw" / "2.avsc"), "--against", str(tmp_path / "old"), "--mode", "BACKWARD"]
    code, findings = _findings(argv)
    assert code == 1
    assert [(f["subject"], f["rule"], f["old_file"]) for f in findings] == [
        ("fw", "FIELD_ADDED_WITHOUT_DEFAULT", str(tmp_path / "old" / "fw" / "1.avsc"))
    ]


def test_a_version_file_against_one_file_is_one_pair(tmp_path: Path) -> None:
    """One file against one file stays one subject and one pair, version files included, whatever the numbers."""
    new = _write(tmp_path / "a" / "1.avsc", F2)
    for old in (_write(tmp_path / "b" / "1.avsc", F1), _write(tmp_path / "old.avsc", F1)):
        code, findings = _findings(["lint", str(new), "--against", str(old), "--mode", "BACKWARD"])
        assert code == 1
        assert [(f["subject"], f["rule"]) for f in findings] == [("a", "FIELD_ADDED_WITHOUT_DEFAULT")]


def test_a_numbered_file_beside_named_files_stays_its_own_subject(tmp_path: Path) -> None:
    """s/1.avsc beside s/thing.avsc is read as `lint s/` reads it: the subject 1, not a version of s."""
    _write(tmp_path / "s" / "1.avsc", F1)
    _write(tmp_path / "s" / "thing.avsc", F2)
    subjects = load_paths([tmp_path / "s" / "1.avsc"])
    assert list(subjects) == ["1"]
    assert subjects["1"].versioned is False


def test_one_subjects_folder_against_a_whole_layout_reports_no_other_subject_removed(tmp_path: Path) -> None:
    """PATH cur/fw against base/ (fw and other): other was not read, so it is not gone; the layout PATH says it is."""
    _versions(tmp_path / "base" / "fw", F1)
    _versions(tmp_path / "base" / "other", F1)
    _versions(tmp_path / "cur" / "fw", F1)
    assert load_paths([tmp_path / "cur" / "fw"])["fw"].named
    code, findings = _findings(["lint", str(tmp_path / "cur" / "fw"), "--against", str(tmp_path / "base")])
    assert (code, findings) == (0, [])
    code, findings = _findings(["lint", str(tmp_path / "cur"), "--against", str(tmp_path / "base")])
    assert code == 1
    assert {(f["subject"], f["rule"]) for f in findings} == {("other", "RELEASED_VERSION_REMOVED")}


def test_a_baseline_takes_the_models_of_unchanged_files(tmp_path: Path) -> None:
    """An unchanged file of the baseline is not parsed again; the report is the one of parsing everything."""
    from openedx_subsidy_events.compat import Config, Mode, check_subjects, load_baseline
    from openedx_subsidy_events.compat._load import build_subjects, read_baseline

    for side in ("old", "new"):
        _write(tmp_path / side / "same.avsc", addr("int"))
        _write(tmp_path / side / "changed.avsc", addr("int" if side == "old" else "string"))
    now = load_paths([tmp_path / "new"])
    then = build_subjects(read_baseline(str(tmp_path / "old"), [tmp_path / "new"]), like=now)
    assert then["same"].latest.root is now["same"].latest.root
    assert then["changed"].latest.root is not now["changed"].latest.root
    assert then["same"].latest.file == str(tmp_path / "old" / "same.avsc")
    config = Config(mode=Mode.FULL, show_info=True)
    every_file = load_baseline(str(tmp_path / "old"), [tmp_path / "new"])
    assert check_subjects(now, then, config=config) == check_subjects(now, every_file, config=config)


def test_a_baseline_file_using_a_type_of_an_unchanged_one_is_parsed_with_it(tmp_path: Path) -> None:
    """The baseline's user.avsc uses Addr from its unchanged addr.avsc: both are parsed, the type resolves."""
    from openedx_subsidy_events.compat import Config, Mode, check_subjects, load_baseline
    from openedx_subsidy_events.compat._load import build_subjects, read_baseline

    for side in ("old", "new"):
        _write(tmp_path / side / "addr.avsc", addr("int"))
    _write(tmp_path / "old" / "user.avsc", EV)
    _write(tmp_path / "new" / "user.avsc", {"type": "record", "name": "Ev", "namespace": "c", "fields": []})
    now = load_paths([tmp_path / "new"])
    then = build_subjects(read_baseline(str(tmp_path / "old"), [tmp_path / "new"]), like=now)
    assert then["user"].latest.root.fields[0].type.source == str(tmp_path / "old" / "addr.avsc")
    every_file = load_baseline(str(tmp_path / "old"), [tmp_path / "new"])
    config = Config(mode=Mode.FULL)
    report = check_subjects(now, then, config=config)
    assert report == check_subjects(now, every_file, config=config)
    assert ("user", "FIELD_REMOVED_WITHOUT_DEFAULT") in {(f.subject, f.rule) for f in report}

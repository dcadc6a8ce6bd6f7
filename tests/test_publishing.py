"""Publishing schemas: generate writes new minors only; check catches drift and edited history."""

import io
import json
import shutil
from pathlib import Path
from typing import Any

import attrs
import pytest

from openedx_subsidy_events import LICENSE_ASSIGNED, EventDefinition, all_events
from openedx_subsidy_events.cli import main
from openedx_subsidy_events.events import field, payload_fields
from openedx_subsidy_events.publishing import MANIFEST_NAME, _first_difference, check_published, generate, read_manifest


@pytest.fixture
def published(tmp_path: Path, repo_root: Path) -> Path:
    """A copy of the package's published schemas to tamper with."""
    root = tmp_path / "schemas"
    shutil.copytree(repo_root / "schemas", root)
    return root


def _rules(problems: list[Any]) -> list[tuple[str, str]]:
    return [(p.rule, Path(p.path).name if p.path else "") for p in problems]


def test_generate_into_an_empty_folder_writes_every_event(tmp_path: Path, repo_root: Path) -> None:
    """A fresh generate reproduces the committed files and manifest exactly."""
    written, problems = generate(tmp_path)
    assert problems == []
    assert len(written) == len(all_events())
    for path in written:
        assert path.read_bytes() == (repo_root / "schemas" / path.relative_to(tmp_path)).read_bytes()
    assert (tmp_path / MANIFEST_NAME).read_bytes() == (repo_root / "schemas" / MANIFEST_NAME).read_bytes()


def test_generate_again_writes_nothing(published: Path) -> None:
    """Generate never rewrites a published file."""
    assert generate(published) == ([], [])


def test_the_committed_schemas_are_clean(repo_root: Path) -> None:
    """The repository's own schemas/ passes every check."""
    assert check_published(repo_root / "schemas") == []


def test_edited_released_file(published: Path) -> None:
    """Editing the text of a published file, even harmlessly, is RELEASED_FILE_EDITED."""
    path = published / LICENSE_ASSIGNED.event_type / "0.avsc"
    path.write_text(path.read_text().replace("  ", "   "))
    assert _rules(check_published(published)) == [("RELEASED_FILE_EDITED", "0.avsc")]


def test_removed_released_file(published: Path) -> None:
    """A published file that disappeared is reported, as is the missing current minor."""
    (published / LICENSE_ASSIGNED.event_type / "0.avsc").unlink()
    assert sorted(_rules(check_published(published))) == [
        ("RELEASED_FILE_REMOVED", "0.avsc"),
        ("SCHEMA_MISSING", "0.avsc"),
    ]


def test_a_stray_next_minor_is_ahead_of_the_code(published: Path) -> None:
    """1.avsc while the code is at minor 0 (a file from another branch, say) is MINOR_AHEAD."""
    source = published / LICENSE_ASSIGNED.event_type / "0.avsc"
    shutil.copy(source, source.with_name("1.avsc"))
    assert sorted(_rules(check_published(published))) == [("MINOR_AHEAD", "1.avsc"), ("UNRECORDED_FILE", "1.avsc")]


def test_hand_added_file_and_gap(published: Path) -> None:
    """A file not written by generate is UNRECORDED; minor 2 without 1 is a gap and ahead of the code."""
    source = published / LICENSE_ASSIGNED.event_type / "0.avsc"
    shutil.copy(source, source.with_name("2.avsc"))
    assert sorted(_rules(check_published(published))) == [
        ("MINOR_AHEAD", "2.avsc"),
        ("MINOR_GAP", "1.avsc"),
        ("UNRECORDED_FILE", "2.avsc"),
    ]


def test_invalid_json_and_stray_folder(published: Path) -> None:
    """A file that is not JSON is INVALID_JSON with its position; an unknown folder is reported."""
    path = published / LICENSE_ASSIGNED.event_type / "0.avsc"
    path.write_text('{"type": "record",\n  "name": }')
    (published / "org.openedx.nothing.v1").mkdir()
    problems = check_published(published)
    rules = sorted(_rules(problems))
    assert rules == [("INVALID_JSON", "0.avsc"), ("RELEASED_FILE_EDITED", "0.avsc"),
                     ("UNKNOWN_EVENT_TYPE", "org.openedx.nothing.v1")]  # fmt: skip
    invalid = next(p for p in problems if p.rule == "INVALID_JSON")
    assert "line 2, column 11" in invalid.reason


def test_avro_that_fastavro_accepts_but_apache_rejects(published: Path) -> None:
    """The stricter Apache parser is consulted: a hyphenated namespace is INVALID_SCHEMA."""
    path = published / LICENSE_ASSIGNED.event_type / "0.avsc"
    path.write_text(path.read_text().replace("license_manager", "license-manager"))
    rules = _rules(check_published(published))
    assert ("INVALID_SCHEMA", "0.avsc") in rules


def _changed_license_assigned(minor: int, *, required: bool = False, doc: str = "A new field.") -> EventDefinition[Any]:
    base: Any = LICENSE_ASSIGNED.payload_type
    if required:

        @attrs.frozen(kw_only=True, field_transformer=payload_fields)
        class LicenseAssignmentData(base):
            """A subscription license assigned to a learner in answer to an approved license request."""

            seat: int = field(doc)

    else:

        @attrs.frozen(kw_only=True, field_transformer=payload_fields)
        class LicenseAssignmentData(base):
            """A subscription license assigned to a learner in answer to an approved license request."""

            seat: int | None = field(doc, optional=True)

    return LICENSE_ASSIGNED.replace(payload_type=LicenseAssignmentData, minor_version=minor)


def test_code_change_without_minor_bump_is_drift(published: Path) -> None:
    """Changing a payload without bumping minor_version is SCHEMA_DRIFT, and generate refuses to overwrite."""
    changed = _changed_license_assigned(0)
    problems = check_published(published, [changed, *all_events()[:3]])
    assert _rules(problems) == [("SCHEMA_DRIFT", "0.avsc")]
    assert "bump minor_version" in problems[0].reason
    assert problems[0].pointer == "/fields/0/type/fields"  # a field was added: the list differs
    assert "differs from published minor 0 at /fields/0/type/fields;" in problems[0].reason
    written, problems = generate(published, [changed])
    assert (written, _rules(problems)) == ([], [("SCHEMA_DRIFT", "0.avsc")])


def test_minor_bump_publishes_a_new_file(published: Path) -> None:
    """With minor_version bumped, generate writes 1.avsc, records it, and the check passes."""
    changed = _changed_license_assigned(1)
    written, problems = generate(published, [changed])
    assert (_rules(problems), [p.name for p in written]) == ([], ["1.avsc"])
    assert check_published(published, [changed, *all_events()[:3]]) == []


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_check_on_clean_schemas(repo_root: Path) -> None:
    """subsidy-events check exits 0 and says what it checked."""
    code, out, _ = _run("check", "--schemas", str(repo_root / "schemas"))
    assert code == 0
    assert "(4 events, 4 published files): ok" in out


def test_cli_generate_check_reports_and_fails(published: Path) -> None:
    """generate --check exits 1 with one line per problem: file, rule, sentence."""
    path = published / LICENSE_ASSIGNED.event_type / "0.avsc"
    path.write_text(path.read_text() + "\n")
    code, out, err = _run("generate", "--check", "--schemas", str(published))
    assert code == 1
    assert (
        out.strip() == f"{path}: RELEASED_FILE_EDITED: a released schema file was edited; released files never change"
    )
    assert "1 problem(s)" in err


def test_cli_generate_writes_then_has_nothing_to_do(tmp_path: Path) -> None:
    """generate prints each file written; a second run says there is nothing to write."""
    code, out, _ = _run("generate", "--schemas", str(tmp_path))
    assert code == 0
    assert out.count("wrote ") == 4
    code, out, _ = _run("generate", "--schemas", str(tmp_path))
    assert (code, out.strip()) == (0, f"{tmp_path}: nothing to write; every current schema is published")


def test_cli_default_schemas_folder_is_the_working_directory_s(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without --schemas, ./schemas is used when present, else the installed schemas."""
    monkeypatch.chdir(repo_root)
    assert "schemas: schemas (" in _run("check")[1]
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run("check")
    assert code == 0
    assert "schemas: schemas (" not in out


def test_cli_usage_errors_exit_2() -> None:
    """An unknown command or option is a usage error: exit 2, message on stderr."""
    assert _run("frobnicate")[0] == 2
    assert _run("check", "--nope")[0] == 2
    assert _run()[0] == 2


def test_cli_version() -> None:
    """--version prints the package version and exits 0."""
    from openedx_subsidy_events import __version__

    code, out, _ = _run("--version")
    assert (code, out.strip()) == (0, f"subsidy-events {__version__}")


def test_cli_check_runs_the_contracts_too(repo_root: Path, tmp_path: Path) -> None:
    """check verifies every contract against the schemas; a broken contract makes it exit 1."""
    code, out, _ = _run("check", "--schemas", str(repo_root / "schemas"), "--contracts", str(repo_root / "contracts"))
    assert code == 0
    assert "(4 contracts): ok" in out
    broken = tmp_path / "contracts"
    shutil.copytree(repo_root / "contracts", broken)
    contract = next(broken.glob("license-manager/*.yaml"))
    contract.write_text(contract.read_text().replace("  - lms_user_id\n", "  - lms_user_idd\n", 1))
    code, out, _ = _run("check", "--schemas", str(repo_root / "schemas"), "--contracts", str(broken))
    assert code == 1
    assert "(/expectations/lms_user_id): there is an expectation on 'lms_user_id', which is not in 'reads'" in out
    assert "(3 contracts): 1 problem(s)" in out


BAD_PUBLISHED_FILES = {
    "huge integer": ('{"type": "record", "name": "R", "fields": [], "x": ' + "9" * 5000 + "}", "INVALID_JSON"),
    "deep nesting": ("[" * 100_000 + "]" * 100_000, "INVALID_JSON"),
    "binary": ("\udcff\udcfe not text", "UNREADABLE"),
    "not avro": ('{"type": "record", "name": "R"}', "INVALID_SCHEMA"),
}


@pytest.mark.parametrize(("text", "rule"), BAD_PUBLISHED_FILES.values(), ids=BAD_PUBLISHED_FILES.keys())
def test_cli_bad_published_file_is_one_line(published: Path, text: str, rule: str) -> None:
    """A published file that is not text, not JSON, too deep or not Avro is reported as one line per problem."""
    path = published / LICENSE_ASSIGNED.event_type / "0.avsc"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    code, out, err = _run("generate", "--check", "--schemas", str(published))
    assert code == 1
    assert f"{path}: {rule}: " in out
    assert "Traceback" not in out + err


def test_cli_binary_manifest_is_exit_2(published: Path) -> None:
    """A manifest that is not text cannot be checked: one line, exit 2."""
    (published / MANIFEST_NAME).write_bytes(b"\xff\xfe\x00binary")
    code, out, err = _run("check", "--schemas", str(published))
    assert code == 1  # reported as a problem of the schemas, like any other
    assert "INVALID_MANIFEST: cannot be read as UTF-8 text" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize("command", [["check"], ["generate", "--check"], ["generate"]])
def test_cli_schemas_folder_that_is_a_file_or_missing_is_exit_2(tmp_path: Path, command: list[str]) -> None:
    """--schemas naming a file (or, to check, nothing) is one line on stderr and exit 2."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    code, _, err = _run(*command, "--schemas", str(afile))
    assert code == 2
    assert err.strip() == f"subsidy-events {command[0]}: {afile}: UNREADABLE: is not a folder" + (
        " of published schemas" if command != ["generate"] else ""
    )
    if command != ["generate"]:  # generate creates a missing folder; the checks cannot check one
        code, _, err = _run(*command, "--schemas", str(tmp_path / "missing"))
        assert (code, "is not a folder of published schemas" in err) == (2, True)


def test_cli_unexpected_errors_are_one_line_unless_debugging(monkeypatch: pytest.MonkeyPatch, repo_root: Path) -> None:
    """An internal error is one line naming the bug and exit 2; SUBSIDY_EVENTS_DEBUG=1 shows the traceback."""
    import openedx_subsidy_events.publishing as publishing

    def broken(*args: object) -> list[object]:
        raise KeyError("boom")

    monkeypatch.setattr(publishing, "check_published", broken)
    code, _, err = _run("check", "--schemas", str(repo_root / "schemas"))
    assert code == 2
    assert err.startswith("subsidy-events check: unexpected KeyError: 'boom' (a bug: please report it")
    monkeypatch.setenv("SUBSIDY_EVENTS_DEBUG", "1")
    with pytest.raises(KeyError):
        _run("check", "--schemas", str(repo_root / "schemas"))


def test_cli_check_with_a_missing_contracts_folder_prints_only_the_error(repo_root: Path, tmp_path: Path) -> None:
    """check --contracts naming nothing is one line on stderr, exit 2, and no half-done report."""
    code, out, err = _run("check", "--schemas", str(repo_root / "schemas"), "--contracts", str(tmp_path / "none"))
    assert (code, out) == (2, "")
    assert err.strip() == f"subsidy-events check: {tmp_path / 'none'}: is not a folder of contracts"


def test__first_difference_points_at_the_changed_value() -> None:
    """A changed doc is pointed at exactly; keys with '/' or '~' are escaped as JSON pointers require."""
    old = LICENSE_ASSIGNED.schema
    new = json.loads(json.dumps(old))
    new["fields"][0]["type"]["fields"][1]["doc"] = "edited"
    assert _first_difference(old, new) == "/fields/0/type/fields/1/doc"
    assert _first_difference({"a/b": {"~": 1}}, {"a/b": {"~": 2}}) == "/a~1b/~0"
    assert _first_difference(old, old) == ""


def test_generate_refuses_a_minor_that_breaks_earlier_ones(published: Path) -> None:
    """A required field in minor 1 cannot be read from minor 0's bytes: BREAKING_MINOR, and nothing is written."""
    manifest = (published / MANIFEST_NAME).read_text()
    written, problems = generate(published, [_changed_license_assigned(1, required=True)])
    assert (written, _rules(problems)) == ([], [("BREAKING_MINOR", "1.avsc")])
    assert "FIELD_ADDED_WITHOUT_DEFAULT at license_assignment.seat" in problems[0].reason
    assert not (published / LICENSE_ASSIGNED.event_type / "1.avsc").exists()
    assert (published / MANIFEST_NAME).read_text() == manifest


def test_drift_says_how_to_redo_a_minor_never_released(published: Path) -> None:
    """SCHEMA_DRIFT on a new minor tells how to regenerate it when it was never released."""
    generate(published, [_changed_license_assigned(1)])
    _, problems = generate(published, [_changed_license_assigned(1, doc="The seat, said better.")])
    assert _rules(problems) == [("SCHEMA_DRIFT", "1.avsc")]
    assert "if minor 1 was never released, delete its file and its line in SHA256SUMS" in problems[0].reason


def test_generate_blames_only_the_new_minor(published: Path) -> None:
    """Released minors 0 and 1 break each other (1 added a field without default); minor 2 breaks neither."""
    newest = _changed_license_assigned(2)
    schema = json.loads(json.dumps(newest.schema))
    (seat,) = [f for f in schema["fields"][0]["type"]["fields"] if f["name"] == "seat"]
    del seat["default"]
    (published / LICENSE_ASSIGNED.event_type / "1.avsc").write_text(json.dumps(schema))
    written, problems = generate(published, [newest])
    assert (written, problems) == ([published / LICENSE_ASSIGNED.event_type / "2.avsc"], [])


def test_generate_reports_an_unreadable_earlier_minor_and_still_records_what_it_wrote(published: Path) -> None:
    """One event's broken 0.avsc is that event's problem; another event's new minor is written and recorded."""
    broken = next(d for d in all_events() if d is not LICENSE_ASSIGNED)
    (published / broken.event_type / "0.avsc").write_text("{oops")
    bumped = broken.replace(minor_version=1)
    written, problems = generate(published, [_changed_license_assigned(1), bumped])
    assert [p.relative_to(published).as_posix() for p in written] == [f"{LICENSE_ASSIGNED.event_type}/1.avsc"]
    assert _rules(problems) == [("INVALID_JSON", "0.avsc")]
    assert f"{LICENSE_ASSIGNED.event_type}/1.avsc" in read_manifest(published)

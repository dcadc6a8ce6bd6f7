"""New minors only append (MINOR_NOT_APPEND_ONLY): what lets an older Redis consumer read a newer minor exactly."""

import hashlib
import io
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import pytest

from openedx_subsidy_events import LICENSE_ASSIGNED, DecodeError, EventDefinition, all_events
from openedx_subsidy_events._payload import field, payload_fields
from openedx_subsidy_events.avro._schema import dumps_schema
from openedx_subsidy_events.avro._store import default_root
from openedx_subsidy_events.cli import main
from openedx_subsidy_events.compat import lint_published
from openedx_subsidy_events.demo._minor_one import license_assigned_minor_one
from openedx_subsidy_events.publishing import MANIFEST_NAME, generate

_REQUEST_DOC = "The uuid of the subsidy request this assignment answers, echoed from the approved event."
_LMS_USER_DOC = "The LMS user id of the learner; null until the learner activates the license."
_COURSE_DOC = "The course the learner asked for, as a course key such as edX+DemoX."
"""The docs of the published minor 0, so that a minor 1 written from these classes differs only where it means to."""


@attrs.frozen(kw_only=True, field_transformer=payload_fields)
class LicenseAssignmentData:
    """A subscription license assigned to a learner in answer to an approved license request.

    A minor 1 that inserts ``seat`` in the middle (its first paragraph is the schema's doc, as published).
    """

    subsidy_request_uuid: UUID = field(_REQUEST_DOC)
    license_uuid: UUID = field("The uuid of the license assigned to the learner.")
    seat: str | None = field("The seat the license takes (inserted, not appended).", optional=True)
    subscription_plan_uuid: UUID = field("The uuid of the subscription plan the license belongs to.")
    enterprise_customer_uuid: UUID = field("The uuid of the enterprise customer the learner belongs to.")
    user_email: str = field("The email address the license was assigned to.", sensitivity="pii")
    lms_user_id: int | None = field(_LMS_USER_DOC, optional=True)
    course_id: str | None = field(_COURSE_DOC, optional=True)
    assigned_at: datetime | None = field("When the license was assigned, in UTC.", optional=True)


def _inserting(root: Path) -> EventDefinition[Any]:
    folder = root / LICENSE_ASSIGNED.event_type
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "0.avsc").write_bytes((default_root() / LICENSE_ASSIGNED.event_type / "0.avsc").read_bytes())
    return LICENSE_ASSIGNED.replace(payload_type=LicenseAssignmentData, minor_version=1, schemas_root=root)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def _code_at_minor_one(monkeypatch: pytest.MonkeyPatch, definition: EventDefinition[Any]) -> None:
    """The package's code with LICENSE_ASSIGNED bumped to ``definition`` (what a maintainer's change does)."""
    events = [definition if d.event_type == definition.event_type else d for d in all_events()]
    monkeypatch.setattr("openedx_subsidy_events.publishing.all_events", lambda: events)
    monkeypatch.setattr("openedx_subsidy_events.events.all_events", lambda: events)


def _publish_by_hand(schemas: Path, payload_fields: list[dict[str, Any]]) -> None:
    """Write LICENSE_ASSIGNED's 1.avsc by hand from 0.avsc (the payload's fields replaced) and record it."""
    folder = schemas / LICENSE_ASSIGNED.event_type
    schema = json.loads((folder / "0.avsc").read_text())
    schema["fields"][0]["type"]["fields"] = payload_fields
    path = folder / "1.avsc"
    path.write_text(json.dumps(schema, indent=2) + "\n")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with (schemas / MANIFEST_NAME).open("a") as manifest:
        manifest.write(f"{digest}  {LICENSE_ASSIGNED.event_type}/1.avsc\n")


def _payload_fields(repo_root: Path) -> list[dict[str, Any]]:
    schema = json.loads((repo_root / "schemas" / LICENSE_ASSIGNED.event_type / "0.avsc").read_text())
    return list(schema["fields"][0]["type"]["fields"])


def _seat(definition: EventDefinition[Any]) -> dict[str, Any]:
    """The field ``seat`` as the code at minor 1 writes it (so that the hand-made file matches the code)."""
    return next(f for f in definition.schema["fields"][0]["type"]["fields"] if f["name"] == "seat")


@pytest.mark.parametrize(("at", "code"), [(2, 1), (None, 0)], ids=["inserted", "appended"])
def test_check_fails_on_a_minor_that_inserts_a_field_and_passes_one_that_appends(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: int | None, code: int
) -> None:
    """subsidy-events check over a hand-made minor 1: exit 1 naming MINOR_NOT_APPEND_ONLY when inserted, 0 appended."""
    schemas = tmp_path / "schemas"
    shutil.copytree(repo_root / "schemas", schemas)
    code_at_one = _inserting(tmp_path / "code") if at is not None else _appending_seat(tmp_path / "code")
    fields = _payload_fields(repo_root)
    fields.insert(len(fields) if at is None else at, _seat(code_at_one))
    _publish_by_hand(schemas, fields)
    _code_at_minor_one(monkeypatch, code_at_one)
    got, out, _ = _run("check", "--schemas", str(schemas), "--contracts", str(repo_root / "contracts"))
    assert got == code, out
    assert "(4 events, 5 published files): ok" in out  # the files match the code: only the linter may fail
    if at is None:
        assert "compatibility: FULL_TRANSITIVE over each event's history: ok" in out
        assert "MINOR_NOT_APPEND_ONLY" not in out
    else:
        assert "compatibility: FULL_TRANSITIVE over each event's history: 1 error(s)" in out
        line = next(line for line in out.splitlines() if "MINOR_NOT_APPEND_ONLY" in line)
        assert "license_assignment.seat (/fields/0/type/fields/2)" in line
        assert "inserts the field 'seat' before 'subscription_plan_uuid'" in line
    report = lint_published(schemas)
    assert [(f.rule, f.path, f.new_pointer, f.old_pointer) for f in report.errors] == (
        []
        if at is None
        else [
            ("MINOR_NOT_APPEND_ONLY", "license_assignment.seat", "/fields/0/type/fields/2", "/fields/0/type/fields/2")
        ]
    )


class _Appending:
    """The code of a minor 1 that appends ``seat``: the same class name and docs, so the schemas match the code."""

    @attrs.frozen(kw_only=True, field_transformer=payload_fields)
    class LicenseAssignmentData:
        """A subscription license assigned to a learner in answer to an approved license request.

        A minor 1 that appends ``seat``.
        """

        subsidy_request_uuid: UUID = field(_REQUEST_DOC)
        license_uuid: UUID = field("The uuid of the license assigned to the learner.")
        subscription_plan_uuid: UUID = field("The uuid of the subscription plan the license belongs to.")
        enterprise_customer_uuid: UUID = field("The uuid of the enterprise customer the learner belongs to.")
        user_email: str = field("The email address the license was assigned to.", sensitivity="pii")
        lms_user_id: int | None = field(_LMS_USER_DOC, optional=True)
        course_id: str | None = field(_COURSE_DOC, optional=True)
        assigned_at: datetime | None = field("When the license was assigned, in UTC.", optional=True)
        seat: str | None = field("The seat the license takes.", optional=True)


def _appending_seat(root: Path) -> EventDefinition[Any]:
    return LICENSE_ASSIGNED.replace(payload_type=_Appending.LicenseAssignmentData, minor_version=1, schemas_root=root)


def test_check_names_each_way_a_minor_is_not_append_only(repo_root: Path, tmp_path: Path) -> None:
    """A hand-made minor 1 that moves, retypes, removes and appends a required field: one finding each, by field."""
    schemas = tmp_path / "schemas"
    shutil.copytree(repo_root / "schemas", schemas)
    by_name = {f["name"]: f for f in _payload_fields(repo_root)}
    order = ["subsidy_request_uuid", "license_uuid", "subscription_plan_uuid", "enterprise_customer_uuid"]
    changed = [by_name[name] for name in order] + [
        {**by_name["user_email"], "type": "bytes"},  # the same bytes as string, but another type
        *(by_name[name] for name in ("lms_user_id", "course_id", "assigned_at")),
        {"name": "seat", "type": "string", "default": "", "doc": "The seat the license takes."},
    ]
    _publish_by_hand(schemas, changed)
    got = [(f.rule, f.path, f.new_pointer) for f in lint_published(schemas).errors if f.rule == "MINOR_NOT_APPEND_ONLY"]
    assert got == [
        ("MINOR_NOT_APPEND_ONLY", "license_assignment.user_email", "/fields/0/type/fields/4"),
        ("MINOR_NOT_APPEND_ONLY", "license_assignment.seat", "/fields/0/type/fields/8"),
    ]
    moved = [*changed[:2], changed[3], changed[2], *changed[4:]]
    (schemas / LICENSE_ASSIGNED.event_type / "1.avsc").unlink()
    (schemas / MANIFEST_NAME).write_text((repo_root / "schemas" / MANIFEST_NAME).read_text())
    _publish_by_hand(schemas, moved)
    code, out, _ = _run("check", "--schemas", str(schemas), "--contracts", str(repo_root / "contracts"))
    assert code == 1
    assert (
        "license_assignment.enterprise_customer_uuid (/fields/0/type/fields/2): Version 1 moves the field "
        "'enterprise_customer_uuid' from field 3 to field 2, before 'subscription_plan_uuid'"
    ) in out


def test_a_minor_inserting_a_field_in_the_middle_is_refused(tmp_path: Path) -> None:
    """The linter over the published history (what check runs) and the lint command: MINOR_NOT_APPEND_ONLY, exit 1."""
    definition = _inserting(tmp_path)
    path = tmp_path / LICENSE_ASSIGNED.event_type / "1.avsc"
    path.write_text(dumps_schema(definition.schema))
    errors = lint_published(tmp_path).errors
    assert [(f.rule, f.path, f.new_pointer, f.old_pointer) for f in errors] == [
        ("MINOR_NOT_APPEND_ONLY", "license_assignment.seat", "/fields/0/type/fields/2", "/fields/0/type/fields/2")
    ]
    assert "inserts the field 'seat' before 'subscription_plan_uuid' (field 2)" in errors[0].message


def test_lint_runs_the_rule_when_the_configuration_or_rule_option_names_it(tmp_path: Path) -> None:
    """lint on any schemas leaves the prefix category out unless use or --rule names it; then exit 1."""
    schemas = tmp_path / "schemas"
    (schemas / LICENSE_ASSIGNED.event_type / "1.avsc").parent.mkdir(parents=True)
    (schemas / LICENSE_ASSIGNED.event_type / "1.avsc").write_text(dumps_schema(_inserting(schemas).schema))
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.subsidy-events]\nuse = ["wire", "semantic", "style", "prefix"]\n')
    (tmp_path / "empty.toml").write_text("")
    code, out, _ = _run("lint", str(schemas), "--config", str(tmp_path / "empty.toml"))
    assert (code, "MINOR_NOT_APPEND_ONLY" in out) == (0, False)
    for argv in (["--config", str(config)], ["--config", str(tmp_path / "empty.toml"), "--rule", "prefix"]):
        code, out, _ = _run("lint", str(schemas), *argv, "--format", "json")
        rows = [
            (f["rule"], f["path"], f["new_pointer"]) for f in json.loads(out)["findings"] if f["severity"] == "error"
        ]
        assert (code, rows) == (1, [("MINOR_NOT_APPEND_ONLY", "license_assignment.seat", "/fields/0/type/fields/2")])


def test_generate_never_writes_a_minor_that_is_not_append_only(tmp_path: Path) -> None:
    """generate refuses the inserting minor 1 (BREAKING_MINOR naming the rule) and writes the appending one."""
    definition = _inserting(tmp_path)
    written, problems = generate(tmp_path, [definition])
    assert written == []
    assert [p.rule for p in problems] == ["BREAKING_MINOR"]
    assert problems[0].pointer == "/fields/0/type/fields/2"
    assert "first: MINOR_NOT_APPEND_ONLY at license_assignment.seat" in str(problems[0])
    appending_root = tmp_path / "appending"
    appending = license_assigned_minor_one(appending_root)
    (appending_root / LICENSE_ASSIGNED.event_type / "1.avsc").unlink()
    written, problems = generate(appending_root, [appending])
    assert problems == []
    assert [p.name for p in written] == ["1.avsc"]
    assert lint_published(appending_root).errors == ()


def test_the_generate_command_refuses_an_inserting_minor(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """subsidy-events generate, the code at an inserting minor 1: exit 1, BREAKING_MINOR naming the rule, no file."""
    schemas = tmp_path / "schemas"
    shutil.copytree(repo_root / "schemas", schemas)
    _code_at_minor_one(monkeypatch, _inserting(tmp_path / "code"))
    code, out, _ = _run("generate", "--schemas", str(schemas))
    assert code == 1
    assert "BREAKING_MINOR" in out
    assert "first: MINOR_NOT_APPEND_ONLY at license_assignment.seat" in out
    assert not (schemas / LICENSE_ASSIGNED.event_type / "1.avsc").exists()


@pytest.mark.parametrize("inserting", [False, True], ids=["appending", "inserting"])
def test_the_older_consumer_reads_exactly_only_when_the_minor_appends(tmp_path: Path, inserting: bool) -> None:
    """Minor-1 bytes read by minor 0 as a prefix: exact when appended; with the inserted field, wrong values."""
    newer = _inserting(tmp_path) if inserting else license_assigned_minor_one(tmp_path)
    values = {
        "subsidy_request_uuid": UUID(int=1), "license_uuid": UUID(int=2), "subscription_plan_uuid": UUID(int=3),
        "enterprise_customer_uuid": UUID(int=4), "user_email": "learner@example.com", "lms_user_id": 5,
    }  # fmt: skip
    extra = {"seat": "A1"} if inserting else {"assigned_by": "admin"}
    data = newer.serialize(newer.payload_type(**values, **extra))
    expected = LICENSE_ASSIGNED.payload_type(**values)
    if inserting:  # the old schema reads the inserted field's bytes as the plan uuid: refused, never exact
        with pytest.raises(DecodeError):
            LICENSE_ASSIGNED.deserialize(data, minorversion=1, accept_newer=True)
    else:
        assert LICENSE_ASSIGNED.deserialize(data, minorversion=1, accept_newer=True) == expected

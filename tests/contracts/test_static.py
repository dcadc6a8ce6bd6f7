"""Static verification: contracts against the published schemas, without service code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from openedx_subsidy_events.contracts import project, reader_schema, readers_by_event, verify_all
from openedx_subsidy_events.events import LICENSE_ASSIGNED

REPO = Path(__file__).resolve().parents[2]
LICENSE_APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"
RENAMED_READ = "  - attempt_auto_enrollment\n"
Edit = Callable[[str, str, Callable[[str], str]], Path]


def _rules(root: Path) -> list[tuple[str, str, str]]:
    return [(v.consumer, v.field_path, v.rule) for v in verify_all(root).violations]


def test_shipped_contracts_verify_clean() -> None:
    """Every shipped contract holds against every published minor."""
    report = verify_all()
    assert report.ok, [str(v) for v in report.violations] + [str(e) for e in report.errors]
    assert len(report.contracts) == 4


def test_reader_schema_is_a_projection() -> None:
    """The reader schema keeps the record names and only the read fields, with their writer types."""
    (writer,) = LICENSE_ASSIGNED.schemas.values()
    reader, missing = project(writer, ["subsidy_request_uuid", "course_id"])
    assert missing == []
    payload = reader["fields"][0]["type"]
    assert (reader["name"], reader["namespace"], payload["name"]) == (
        "CloudEvent",
        writer["namespace"],
        "LicenseAssignmentData",
    )
    assert [f["name"] for f in payload["fields"]] == ["subsidy_request_uuid", "course_id"]
    assert payload["fields"][1]["type"] == ["null", "string"]


def test_reader_schema_of_a_shipped_contract() -> None:
    """enterprise-access's reader schema for license assigned has exactly its four read fields."""
    from openedx_subsidy_events.contracts import load_contracts

    contract = next(c for c in load_contracts() if c.event_type == LICENSE_ASSIGNED.event_type)
    schema = reader_schema(contract)
    assert schema is not None
    assert [f["name"] for f in schema["fields"][0]["type"]["fields"]] == list(contract.reads)


def test_unknown_read_field(contracts_copy: Path, edit_contract: Edit) -> None:
    """A read field the schema lacks is READ_FIELD_UNKNOWN, named with the consumer."""
    edit_contract(
        "license-manager", LICENSE_APPROVED, lambda t: t.replace("  - attempt_auto_enrollment\n", "  - auto_enroll\n")
    )
    assert ("license-manager", "auto_enroll", "READ_FIELD_UNKNOWN") in _rules(contracts_copy)


def test_unknown_read_field_is_placed_in_the_file(contracts_copy: Path, edit_contract: Edit) -> None:
    """READ_FIELD_UNKNOWN carries the line and column of its /reads/N entry, and shows no '(value None)'."""
    edit_contract(
        "license-manager",
        LICENSE_APPROVED,
        lambda t: t.replace("  - course_run_key\n", "  - course_run_key\n  - nope\n"),
    )
    (violation,) = verify_all(contracts_copy).violations
    assert (violation.field_path, violation.rule, violation.line, violation.column) == (
        "nope",
        "READ_FIELD_UNKNOWN",
        20,
        5,
    )
    assert f"{violation.contract_file}:20:5): " in str(violation)
    assert "(value" not in str(violation)
    assert (violation.to_json()["line"], violation.to_json()["column"]) == (20, 5)


def test_static_violations_point_into_the_file(contracts_copy: Path, edit_contract: Edit) -> None:
    """Each static violation about the contract's text names where it is: read, expectation, example field."""
    edit_contract(
        "license-manager",
        LICENSE_APPROVED,
        lambda t: t.replace("    type: integer\n", "    type: string\n").replace(
            "lms_user_id: 17", "lms_user_id: '17'"
        ),
    )
    found = {(v.field_path, v.rule): (v.line, v.column) for v in verify_all(contracts_copy).violations}
    assert found[("lms_user_id", "EXPECTATION_TYPE_CONFLICT")] == (28, 11)
    assert found[("lms_user_id", "EXAMPLE_INVALID")] == (42, 20)


def test_reads_of_nested_and_missing_records_are_placed(contracts_copy: Path, edit_contract: Edit) -> None:
    """A dotted read under a field that does not exist points at that read."""
    edit_contract(
        "license-manager",
        LICENSE_APPROVED,
        lambda t: t.replace("  - course_run_key\n", "  - course_run_key\n  - a.b\n"),
    )
    (violation,) = verify_all(contracts_copy).violations
    assert (violation.field_path, violation.line, violation.column) == ("a", 20, 5)


def test_violation_text_keeps_real_values() -> None:
    """The '(value ...)' part is left out only when there is no value; a value is still shown."""
    from openedx_subsidy_events.contracts import Violation

    base = {"consumer": "c", "event_type": "e.v1", "contract_file": "f.yaml", "field_path": "x", "rule": "R"}
    assert str(Violation(**base, reason="r")) == "consumer 'c' (f.yaml): e.v1 x: R: r"
    assert str(Violation(**base, reason="r", value=0)) == "consumer 'c' (f.yaml): e.v1 x: R: r (value 0)"
    assert str(Violation(**base, reason="r", line=3)) == "consumer 'c' (f.yaml:3): e.v1 x: R: r"


def test_expectation_type_conflict(contracts_copy: Path, edit_contract: Edit) -> None:
    """An expectation asking for a JSON type the wire never carries is reported."""
    edit_contract("license-manager", LICENSE_APPROVED, lambda t: t.replace("    type: integer\n", "    type: string\n"))
    assert ("license-manager", "lms_user_id", "EXPECTATION_TYPE_CONFLICT") in _rules(contracts_copy)


def test_invalid_example(contracts_copy: Path, edit_contract: Edit) -> None:
    """An example that is not a valid event (here: a wrong type) is EXAMPLE_INVALID."""
    edit_contract("license-manager", LICENSE_APPROVED, lambda t: t.replace("lms_user_id: 17", "lms_user_id: '17'"))
    report = verify_all(contracts_copy)
    (violation,) = report.violations
    assert (violation.field_path, violation.rule) == ("lms_user_id", "EXAMPLE_INVALID")
    assert "example 'auto-enroll-in-course': WRONG_TYPE" in violation.reason


def test_example_breaking_its_own_expectation(contracts_copy: Path, edit_contract: Edit) -> None:
    """An example that breaks the contract's own expectation is EXAMPLE_BREAKS_EXPECTATION."""
    edit_contract("license-manager", LICENSE_APPROVED, lambda t: t.replace("course_id: edX+DemoX", "course_id: DemoX"))
    assert ("license-manager", "course_id", "EXAMPLE_BREAKS_EXPECTATION") in _rules(contracts_copy)


def test_pending_contract_reports_without_failing(contracts_copy: Path, edit_contract: Edit) -> None:
    """A pending contract's problems are reported, marked pending, and do not fail verification."""
    edit_contract(
        "license-manager",
        LICENSE_APPROVED,
        lambda t: t.replace("status: active", "status: pending").replace(
            "  - attempt_auto_enrollment\n", "  - auto_enroll\n"
        ),
    )
    report = verify_all(contracts_copy)
    assert report.ok
    assert [v.pending for v in report.violations] == [True]
    assert str(report.violations[0]).endswith("[pending: not failing]")


def test_malformed_contract_is_collected_not_raised(contracts_copy: Path, edit_contract: Edit) -> None:
    """One malformed file is an error in the report; the other contracts are still verified."""
    edit_contract("ecommerce", "org.openedx.enterprise.access.coupon-code-request.approved.v1", lambda t: t + "x: [\n")
    report = verify_all(contracts_copy)
    assert not report.ok
    assert len(report.contracts) == 3
    assert "invalid YAML" in str(report.errors[0])


def test_readers_by_event() -> None:
    """Who uses each field (its contract reads it, or an example carries it), by the dotted path, for the linter."""
    readers = readers_by_event()
    used = {
        f"license_assignment.{name}": ("enterprise-access",)
        for name in ("course_id", "enterprise_customer_uuid", "license_uuid", "subsidy_request_uuid",  # read
                     "assigned_at", "subscription_plan_uuid", "user_email")  # in the examples
    }  # fmt: skip
    assert readers[LICENSE_ASSIGNED.event_type] == dict(sorted(used.items()))
    assert "license_assignment.lms_user_id" not in readers[LICENSE_ASSIGNED.event_type]


@pytest.mark.parametrize(
    ("removed", "safe"),
    [("lms_user_id", True), ("assigned_at", False)],
    ids=["in-no-contract", "in-an-example-only"],
)
def test_the_linter_and_the_contracts_agree_on_a_removal(tmp_path: Path, removed: str, safe: bool) -> None:
    """Removing a field: the linter calls it safe exactly when contracts verify still passes on the new schemas."""
    import json

    from openedx_subsidy_events.compat import Severity, check

    schemas = _with_minor_1(tmp_path, lambda fields: fields.remove(next(f for f in fields if f["name"] == removed)))
    folder = schemas / LICENSE_ASSIGNED.event_type
    old, new = (json.loads((folder / name).read_text()) for name in ("0.avsc", "1.avsc"))
    report = check(old, new, mode="FULL", readers=readers_by_event()[LICENSE_ASSIGNED.event_type], show_info=True)
    removal = [f for f in report if f.path == f"license_assignment.{removed}"]
    assert removal
    linter_safe = all(f.severity is Severity.INFO for f in removal)
    assert linter_safe is safe
    assert verify_all(REPO / "contracts", schemas_root=schemas).ok is safe
    if not safe:
        assert removal[0].consumers == ("enterprise-access",)


def _with_minor_1(tmp_path: Path, change: Callable[[list[dict[str, object]]], None]) -> Path:
    """A copy of the published schemas plus a minor 1 of license assigned, its payload fields changed."""
    import json
    import shutil

    root = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", root)
    folder = root / LICENSE_ASSIGNED.event_type
    schema = json.loads((folder / "0.avsc").read_text())
    change(schema["fields"][0]["type"]["fields"])
    (folder / "1.avsc").write_text(json.dumps(schema))
    return root


def _drop_license_uuid_and_retype_course_id(fields: list[dict[str, object]]) -> None:
    fields[:] = [f for f in fields if f["name"] != "license_uuid"]
    next(f for f in fields if f["name"] == "course_id")["type"] = ["null", "long"]


def test_every_minor_in_the_window_is_checked(tmp_path: Path, contracts_copy: Path, edit_contract: Edit) -> None:
    """Against a contract pinned to minor 0, a minor 1 that drops or retypes a read field is reported for minor 1."""
    edit_contract(
        "enterprise-access",
        LICENSE_ASSIGNED.event_type,
        lambda t: t.replace("status: active", "status: active\nschema_minor: 0"),
    )
    schemas = _with_minor_1(tmp_path, _drop_license_uuid_and_retype_course_id)
    found = [
        (v.field_path, v.rule, v.minorversion) for v in verify_all(contracts_copy, schemas_root=schemas).violations
    ]
    assert found == [("course_id", "READ_FIELD_TYPE_MISMATCH", 1), ("license_uuid", "READ_FIELD_NOT_WRITTEN", 1)]


def test_unpinned_contract_follows_the_newest_minor(tmp_path: Path) -> None:
    """Unpinned, the reader is projected from the newest minor, so the older one is checked against it."""
    schemas = _with_minor_1(tmp_path, _drop_license_uuid_and_retype_course_id)
    found = [
        (v.field_path, v.rule, v.minorversion) for v in verify_all(REPO / "contracts", schemas_root=schemas).violations
    ]
    assert found == [("course_id", "READ_FIELD_TYPE_MISMATCH", 0), ("license_uuid", "READ_FIELD_UNKNOWN", 1)]


def test_compatible_minor_passes(tmp_path: Path) -> None:
    """A later minor that only adds an optional field keeps every contract valid."""

    def change(fields: list[dict[str, object]]) -> None:
        fields.append({"name": "seat_count", "type": ["null", "long"], "default": None, "doc": "New."})

    assert verify_all(REPO / "contracts", schemas_root=_with_minor_1(tmp_path, change)).ok

"""New minors only append (MINOR_NOT_APPEND_ONLY): what lets an older Redis consumer read a newer minor exactly."""

import io
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import pytest

from openedx_subsidy_events import LICENSE_ASSIGNED, DecodeError, EventDefinition
from openedx_subsidy_events._payload import field, payload_fields
from openedx_subsidy_events.avro._schema import dumps_schema
from openedx_subsidy_events.avro._store import default_root
from openedx_subsidy_events.cli import main
from openedx_subsidy_events.compat import lint_published
from openedx_subsidy_events.demo._minor_one import license_assigned_minor_one
from openedx_subsidy_events.publishing import generate


@attrs.frozen(kw_only=True, field_transformer=payload_fields)
class LicenseAssignmentData:
    """A subscription license assigned to a learner (a minor 1 that inserts ``seat`` in the middle)."""

    subsidy_request_uuid: UUID = field("The uuid of the subsidy request this assignment answers.")
    license_uuid: UUID = field("The uuid of the license assigned to the learner.")
    seat: str | None = field("The seat the license takes (inserted, not appended).", optional=True)
    subscription_plan_uuid: UUID = field("The uuid of the subscription plan the license belongs to.")
    enterprise_customer_uuid: UUID = field("The uuid of the enterprise customer the learner belongs to.")
    user_email: str = field("The email address the license was assigned to.", sensitivity="pii")
    lms_user_id: int | None = field("The LMS user id of the learner.", optional=True)
    course_id: str | None = field("The course the learner asked for.", optional=True)
    assigned_at: datetime | None = field("When the license was assigned, in UTC.", optional=True)


def _inserting(root: Path) -> EventDefinition[Any]:
    folder = root / LICENSE_ASSIGNED.event_type
    folder.mkdir(parents=True)
    (folder / "0.avsc").write_bytes((default_root() / LICENSE_ASSIGNED.event_type / "0.avsc").read_bytes())
    return LICENSE_ASSIGNED.replace(payload_type=LicenseAssignmentData, minor_version=1, schemas_root=root)


def test_a_minor_inserting_a_field_in_the_middle_is_refused(tmp_path: Path) -> None:
    """The linter over the published history (what check runs) and the lint command: MINOR_NOT_APPEND_ONLY, exit 1."""
    definition = _inserting(tmp_path)
    path = tmp_path / LICENSE_ASSIGNED.event_type / "1.avsc"
    path.write_text(dumps_schema(definition.schema))
    errors = lint_published(tmp_path).errors
    assert [(f.rule, f.path, f.new_pointer) for f in errors] == [
        ("MINOR_NOT_APPEND_ONLY", "license_assignment.subscription_plan_uuid", "/fields/0/type/fields/2")
    ]
    assert "puts 'seat' where 'subscription_plan_uuid' was" in errors[0].message
    assert main(["lint", str(tmp_path)], stdout=io.StringIO(), stderr=io.StringIO()) == 1


def test_generate_never_writes_a_minor_that_is_not_append_only(tmp_path: Path) -> None:
    """generate refuses the inserting minor 1 (BREAKING_MINOR naming the rule) and writes the appending one."""
    definition = _inserting(tmp_path)
    written, problems = generate(tmp_path, [definition])
    assert written == []
    assert [p.rule for p in problems] == ["BREAKING_MINOR"]
    assert "MINOR_NOT_APPEND_ONLY" in str(problems[0])
    appending_root = tmp_path / "appending"
    appending = license_assigned_minor_one(appending_root)
    (appending_root / LICENSE_ASSIGNED.event_type / "1.avsc").unlink()
    written, problems = generate(appending_root, [appending])
    assert problems == []
    assert [p.name for p in written] == ["1.avsc"]
    assert lint_published(appending_root).errors == ()


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

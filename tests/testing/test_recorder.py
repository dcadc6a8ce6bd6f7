"""Recording the payload fields a handler reads, and rewriting a contract's reads list."""

from __future__ import annotations

import shutil
from pathlib import Path
from uuid import UUID

import attrs
import pytest

from openedx_subsidy_events import LicenseAssignmentData
from openedx_subsidy_events.contracts import load_contract
from openedx_subsidy_events.testing import FieldReads, recording_payload, write_reads

REPO = Path(__file__).resolve().parents[2]
ASSIGNED = "org.openedx.license-manager.license.assigned.v1"


def _payload() -> LicenseAssignmentData:
    return LicenseAssignmentData(
        subsidy_request_uuid=UUID(int=1),
        license_uuid=UUID(int=2),
        subscription_plan_uuid=UUID(int=3),
        enterprise_customer_uuid=UUID(int=4),
        user_email="learner@example.com",
    )


def test_recording_payload_notes_field_reads_only() -> None:
    """Reading fields is noted; the copy is an instance of the payload class with equal values."""
    sink: set[str] = set()
    payload = recording_payload(_payload(), sink)
    assert isinstance(payload, LicenseAssignmentData)
    assert sink == set()
    assert payload.license_uuid == UUID(int=2)
    assert payload.course_id is None
    assert sink == {"license_uuid", "course_id"}


def test_asdict_reads_every_field() -> None:
    """A handler that converts the whole payload reads every field, and is recorded so."""
    sink: set[str] = set()
    attrs.asdict(recording_payload(_payload(), sink))
    assert sink == {a.name for a in attrs.fields(LicenseAssignmentData)}


def test_field_reads_compare_with_the_contract() -> None:
    """Undeclared and unused fields are computed from what was read."""
    contract = load_contract(REPO / "contracts" / "enterprise-access" / f"{ASSIGNED}.yaml")
    reads = FieldReads(contract, read={"subsidy_request_uuid", "license_uuid", "user_email"}, calls=3)
    assert reads.undeclared == ("user_email",)
    assert reads.unused == ("course_id", "enterprise_customer_uuid")
    assert reads.lines()[0].endswith("reads undeclared field(s) user_email: add them to 'reads'")


def test_write_reads_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    """Rewriting 'reads' changes that list only; comments and the other keys stay as they were."""
    path = tmp_path / "c.yaml"
    shutil.copy(REPO / "contracts" / "enterprise-access" / f"{ASSIGNED}.yaml", path)
    before = path.read_text()
    write_reads(path, ["subsidy_request_uuid", "license_uuid", "enterprise_customer_uuid", "course_id", "user_email"])
    after = path.read_text()
    assert load_contract(path).reads[-1] == "user_email"
    assert after.replace("  - user_email\n", "") == before
    assert after.startswith("# What enterprise-access's license-assigned handler needs.")


def test_write_reads_refuses_to_break_a_contract(tmp_path: Path) -> None:
    """Dropping a field that has an expectation would leave a malformed contract: nothing is written."""
    path = tmp_path / "c.yaml"
    shutil.copy(REPO / "contracts" / "enterprise-access" / f"{ASSIGNED}.yaml", path)
    before = path.read_text()
    with pytest.raises(ValueError, match="not in 'reads'"):
        write_reads(path, ["subsidy_request_uuid"])
    assert path.read_text() == before

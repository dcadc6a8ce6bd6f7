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


HEAD = """# What enterprise-access's license-assigned handler needs.
contract: 1
consumer: enterprise-access
event_type: org.openedx.license-manager.license.assigned.v1
status: active
purpose: Store the assigned license on the request.
"""
READS = """reads:                   # exactly the fields the handler reads
  - subsidy_request_uuid   # finds the request
  # the license is stored on the request
  - license_uuid
  - enterprise_customer_uuid
"""
REST = """
# --- What we rely on (JIRA-123) ---

expectations:
  # The email links to the course about page, built from the course key.
  subsidy_request_uuid:
    type: string
"""


def _commented(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_bytes(text.encode("utf-8"))
    return path


def test_write_reads_keeps_comments_after_the_list(tmp_path: Path) -> None:
    """Comments and blank lines after the list (at column 0 or not) are kept: only the list changes."""
    path = _commented(tmp_path, HEAD + READS + REST)
    write_reads(path, ["subsidy_request_uuid", "license_uuid", "course_id"])
    expected = READS.replace("  - enterprise_customer_uuid\n", "  - course_id\n")
    assert path.read_bytes() == (HEAD + expected + REST).encode("utf-8")
    assert load_contract(path).reads == ("subsidy_request_uuid", "license_uuid", "course_id")


def test_write_reads_keeps_each_kept_items_comments(tmp_path: Path) -> None:
    """An item keeps its inline comment and the comment above it, wherever it moves; a dropped item's go."""
    path = _commented(tmp_path, HEAD + READS + REST)
    write_reads(path, ["license_uuid", "subsidy_request_uuid"])
    expected = (
        "reads:                   # exactly the fields the handler reads\n"
        "  # the license is stored on the request\n"
        "  - license_uuid\n"
        "  - subsidy_request_uuid   # finds the request\n"
    )
    assert path.read_bytes() == (HEAD + expected + REST).encode("utf-8")


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_write_reads_keeps_line_endings(tmp_path: Path, newline: str) -> None:
    """A file with CRLF line ends keeps them; a list at the end of a file without a final newline stays so."""
    text = (HEAD + REST + READS).rstrip("\n").replace("\n", newline)
    path = _commented(tmp_path, text)
    write_reads(path, ["subsidy_request_uuid", "license_uuid", "enterprise_customer_uuid", "course_id"])
    assert path.read_bytes() == (text + newline + "  - course_id").encode("utf-8")


def test_write_reads_at_column_zero(tmp_path: Path) -> None:
    """Items written at the key's own indentation (valid YAML) are found, and new ones follow them."""
    reads = "reads:\n- subsidy_request_uuid\n- license_uuid\n"
    path = _commented(tmp_path, HEAD + reads + REST)
    write_reads(path, ["subsidy_request_uuid", "license_uuid", "course_id"])
    assert path.read_bytes() == (HEAD + reads + "- course_id\n" + REST).encode("utf-8")


def test_write_reads_refuses_items_it_cannot_read(tmp_path: Path) -> None:
    """A list item that is not a plain field name is refused (with its line), and the file is left alone."""
    text = HEAD + READS.replace("  - license_uuid\n", "  - {license_uuid: 1}\n") + REST
    path = _commented(tmp_path, text)
    with pytest.raises(ValueError, match=r"c.yaml:10: cannot rewrite the 'reads' item '- \{license_uuid: 1\}'"):
        write_reads(path, ["subsidy_request_uuid"])
    assert path.read_text() == text

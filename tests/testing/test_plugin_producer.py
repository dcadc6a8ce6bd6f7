"""The pytest plugin, producer side: a service's tests verify what its real code emits (run with pytester)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

PASSING = """
from uuid import UUID
from openedx_subsidy_events.reference import EnterpriseAccess

def test_approval_emits_a_valid_event(subsidy_events_producer):
    service = EnterpriseAccess()
    request = service.add_request(
        "license", lms_user_id=17, user_email="learner@example.com", enterprise_customer_uuid=UUID(int=1),
        subscription_plan_uuid=UUID(int=2), course_id="edX+DemoX",
    )
    with subsidy_events_producer.capture() as captured:
        service.approve(request.uuid, reviewer_lms_user_id=3)
    subsidy_events_producer.verify_all(captured, expect=1)
"""

MISTAKE = """
import pytest

APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"
GOOD = {{
    "subsidy_request_uuid": "2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11", "lms_user_id": 17,
    "user_email": "learner@example.com", "enterprise_customer_uuid": "8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22",
    "subscription_plan_uuid": "0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33", "attempt_auto_enrollment": True,
    "reviewed_at": "2026-03-02T10:15:00+00:00",
}}

def build_event():
    record = dict(GOOD)
    {change}
    return {{"license_request": record}}

def test_my_service_emits(subsidy_events_producer):
    subsidy_events_producer.verify(build_event(), event_type=APPROVED)
"""

ASSIGNED_MISTAKE = """
from uuid import UUID, uuid4
from openedx_subsidy_events import LicenseAssignmentData
from openedx_subsidy_events.reference import EnterpriseAccess

def test_assignment_answers_approval(subsidy_events_producer):
    service = EnterpriseAccess()
    request = service.add_request(
        "license", lms_user_id=17, user_email="learner@example.com", enterprise_customer_uuid=UUID(int=1),
        subscription_plan_uuid=UUID(int=2), course_id="edX+DemoX",
    )
    with subsidy_events_producer.capture() as captured:
        service.approve(request.uuid, reviewer_lms_user_id=3)
    assignment = LicenseAssignmentData(
        subsidy_request_uuid=uuid4(), license_uuid=uuid4(), subscription_plan_uuid=UUID(int=2),
        enterprise_customer_uuid=UUID(int=1), user_email="learner@example.com",
    )
    subsidy_events_producer.verify(assignment, answering=captured[0])
"""

CONTRACT = "contracts/license-manager/org.openedx.enterprise.access.license-request.approved.v1.yaml"
REPO = Path(__file__).resolve().parents[2]


def test_passing_producer_run(pytester: pytest.Pytester) -> None:
    """A producer whose real code emits valid events passes, with no pending-contract section."""
    pytester.makepyfile(PASSING)
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1)
    assert "pending" not in result.stdout.str()


@pytest.mark.parametrize("ci", ["", "1"], ids=["terminal", "ci"])
def test_pending_contract_violation_is_listed_not_failing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    """Breaking a pending contract passes the run, and the summary lists the violation in its own section, once."""
    monkeypatch.setenv("CI", ci)
    shutil.copytree(REPO / "contracts", pytester.path / "contracts")
    path = pytester.path / CONTRACT
    path.write_text(path.read_text().replace("\nstatus: active\n", "\nstatus: pending\n"))
    pytester.makepyfile(
        MISTAKE.format(change="record['user_email'] = ''")
        + "\n    subsidy_events_producer.verify(build_event(), event_type=APPROVED)\n"
    )
    result = pytester.runpytest("-q", "--subsidy-events-contracts=contracts")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*= subsidy events: pending contracts broken (not failing) =*",
            "test_pending_contract_violation_is_listed_not_failing.py::test_my_service_emits: consumer "
            f"'license-manager' ({CONTRACT}): *.approved.v1 user_email: EXPECTATION_FORMAT: is not a valid email "
            "(value <hidden: pii field>) [[]pending: not failing]",
            "1 violation(s) of 1 pending contract(s), reported but not failing the run: meet them before their "
            "consumers make the contracts active",
            "1 passed*",
        ]
    )
    assert result.stdout.str().count("EXPECTATION_FORMAT") == 1


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        pytest.param("del record['lms_user_id']", "lms_user_id", "REQUIRED_FIELD_MISSING", id="missing-field"),
        pytest.param(
            "record['attempt_auto_enrollment'] = 'yes'", "attempt_auto_enrollment", "WRONG_TYPE", id="wrong-type"
        ),
        pytest.param("record['user_email'] = ''", "user_email", "EXPECTATION_FORMAT", id="outside-expectation"),
        pytest.param("record['enrollment_course'] = 'edX+DemoX'", "enrollment_course", "EXTRA_FIELD", id="extra-key"),
    ],
)
def test_producer_mistake_fails_naming_the_consumer(
    pytester: pytest.Pytester, change: str, field: str, rule: str
) -> None:
    """Each kind of producer mistake fails the producer's test with consumer, file, field and rule, no traceback."""
    pytester.makepyfile(MISTAKE.format(change=change))
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    blamed = f"'license-manager' ({CONTRACT})"
    if rule == "EXTRA_FIELD":  # a field no contract reads is the published schema's finding
        blamed = "'(no consumer contract)' (schemas/org.openedx.enterprise.access.license-request.approved.v1/0.avsc)"
    result.stdout.fnmatch_lines(
        [
            "*: subsidy events contract failure",
            "org.openedx.enterprise.access.license-request.approved.v1: the event breaks a consumer contract:",
            f"  - consumer {blamed}: * {field}: {rule}: *",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "def test_my_service_emits" not in result.stdout.str()


def test_wrong_event_type_fails_naming_the_consumer(pytester: pytest.Pytester) -> None:
    """Data of another event captured as the approved type fails with EVENT_TYPE_MISMATCH for license-manager."""
    pytester.makepyfile(MISTAKE.format(change="record = {'license_assignment': record}; return record"))
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [f"  - consumer 'license-manager' ({CONTRACT}): *: EVENT_TYPE_MISMATCH: the data is a*"]
    )


def test_wrong_correlation_id_fails_naming_the_consumer(pytester: pytest.Pytester) -> None:
    """An assigned event that does not echo the approval's uuid fails for enterprise-access."""
    pytester.makepyfile(ASSIGNED_MISTAKE)
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  - consumer 'enterprise-access' (contracts/enterprise-access/"
            "org.openedx.license-manager.license.assigned.v1.yaml): * subsidy_request_uuid: CORRELATION_MISMATCH: "
            "must echo the subsidy_request_uuid of the event it answers (*)*"
        ]
    )


def test_full_traceback_on_request(pytester: pytest.Pytester) -> None:
    """--subsidy-events-traceback keeps pytest's usual traceback."""
    pytester.makepyfile(MISTAKE.format(change="record['user_email'] = ''"))
    result = pytester.runpytest("-q", "--subsidy-events-traceback")
    result.assert_outcomes(failed=1)
    assert "def test_my_service_emits" in result.stdout.str()


def test_report_is_written(pytester: pytest.Pytester) -> None:
    """--subsidy-events-report writes the JSON report with service, version, role, contract hash and outcome."""
    pytester.makepyfile(PASSING)
    result = pytester.runpytest(
        "-q",
        "--subsidy-events-report=out/report.json",
        "--subsidy-events-service=enterprise-access",
        "--subsidy-events-version=5.1.0",
    )
    result.assert_outcomes(passed=1)
    data = json.loads((pytester.path / "out" / "report.json").read_text())
    (entry,) = data["results"]
    assert (data["service"], data["version"]) == ("enterprise-access", "5.1.0")
    assert (entry["role"], entry["consumer"], entry["outcome"]) == ("producer", "license-manager", "passed")
    assert len(entry["contract_sha256"]) == 64


def test_options_are_documented_in_help(pytester: pytest.Pytester) -> None:
    """The plugin's options appear in their own group of --help."""
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["subsidy events contract verification:", "*--subsidy-events-contracts*"])


def test_short_summary_names_the_first_violation_and_how_many_more(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group's summary line is its first violation, with a count of the others, not the group's title."""
    monkeypatch.setenv("CI", "1")  # pytest prints the summary untruncated
    pytester.makepyfile(MISTAKE.format(change="record['user_email'] = ''; record['lms_user_id'] = 0"))
    lines = pytester.runpytest("-q", "-rf").outlines
    (summary,) = [line for line in lines if line.startswith("FAILED ")]
    assert summary == (
        "FAILED test_short_summary_names_the_first_violation_and_how_many_more.py::test_my_service_emits - "
        f"consumer 'license-manager' ({CONTRACT}): org.openedx.enterprise.access.license-request.approved.v1 "
        "lms_user_id: EXPECTATION_MINIMUM: is less than the minimum 1 (value 0) (and 1 more)"
    )

"""The pytest plugin, consumer side: handlers fed examples and generated events (run with pytester)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from openedx_subsidy_events.contracts import load_contract

REPO = Path(__file__).resolve().parents[2]
APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"

PASSING = """
from uuid import UUID
import pytest
from openedx_subsidy_events.reference import LicenseManager

@pytest.mark.subsidy_events(consumer="license-manager")
def test_handler_copes(subsidy_events_consumer):
    service = LicenseManager()

    def add_plan(record):
        service.add_plan(UUID(record["subscription_plan_uuid"]), UUID(record["enterprise_customer_uuid"]))

    result = subsidy_events_consumer.verify(
        service.handle_license_request_approved,
        event_type="org.openedx.enterprise.access.license-request.approved.v1",
        prepare=add_plan,
        max_examples=20,
    )
    assert result.examples == 2
    assert service.assignments
"""

FAILING = """
def handle(*, license_request, **_):
    if license_request.attempt_auto_enrollment and license_request.course_id is not None:
        run = license_request.course_run_key.split(":")[1]   # forgets that course_run_key is optional

def test_handler(subsidy_events_consumer):
    subsidy_events_consumer.verify(
        handle, consumer="license-manager",
        event_type="org.openedx.enterprise.access.license-request.approved.v1", max_examples=30,
    )
"""

READS = """
def handle(*, license_request, **_):
    license_request.subsidy_request_uuid
    license_request.user_email
    license_request.reviewed_at

def test_handler(subsidy_events_consumer):
    subsidy_events_consumer.verify(
        handle, consumer="license-manager",
        event_type="org.openedx.enterprise.access.license-request.approved.v1", max_examples=5,
    )
"""


def test_passing_consumer_run(pytester: pytest.Pytester) -> None:
    """A handler that copes with every example and generated event passes; the marker names the consumer."""
    pytester.makepyfile(PASSING)
    pytester.runpytest("-q").assert_outcomes(passed=1)


def test_failing_handler_shrinks_to_a_minimal_event(pytester: pytest.Pytester) -> None:
    """A handler failing on a valid event fails with HANDLER_FAILED, the shrunk event and how to replay it."""
    pytester.makepyfile(FAILING)
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*: subsidy events contract failure",
            "consumer 'license-manager' (contracts/license-manager/"
            f"{APPROVED}.yaml): {APPROVED}: HANDLER_FAILED: on generated event written with minor 0, "
            "the handler raised AttributeError: 'NoneType' object has no attribute 'split'",
            '  event: {"license_request": {"attempt_auto_enrollment": true, "course_id": "*", '
            '"course_run_key": null, *}}',
            f"  replay: openedx_subsidy_events.testing.replay(handle, 'license-manager', '{APPROVED}', "
            """'{"license_request": {"attempt_auto_enrollment": true, *}}', minorversion=0)""",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_failure_is_in_the_report(pytester: pytest.Pytester) -> None:
    """A failed consumer check is written to the report: outcome failed, with the violation and its writer minor."""
    pytester.makepyfile(FAILING)
    result = pytester.runpytest(
        "-q",
        "--subsidy-events-report=r.json",
        "--subsidy-events-service=license-manager",
        "--subsidy-events-version=3.2.1",
    )
    result.assert_outcomes(failed=1)
    data = json.loads((pytester.path / "r.json").read_text())
    assert (data["service"], data["version"], data["ok"]) == ("license-manager", "3.2.1", False)
    (entry,) = data["results"]
    contract = f"contracts/license-manager/{APPROVED}.yaml"
    assert (entry["role"], entry["consumer"], entry["contract_file"]) == ("consumer", "license-manager", contract)
    assert entry["outcome"] == "failed"
    (violation,) = entry["violations"]
    assert (violation["rule"], violation["event_type"], violation["minorversion"]) == ("HANDLER_FAILED", APPROVED, 0)
    assert violation["reason"] == "the handler raised AttributeError: 'NoneType' object has no attribute 'split'"


def test_failure_replays_deterministically(pytester: pytest.Pytester) -> None:
    """Two runs report the same minimal event."""
    pytester.makepyfile(FAILING)
    first = [line for line in pytester.runpytest("-q").outlines if line.startswith("  event:")]
    second = [line for line in pytester.runpytest("-q").outlines if line.startswith("  event:")]
    assert first == second
    assert len(first) == 1


PREPARED = """
PLANS = set()

def store_plan(record):
    PLANS.add(record["subscription_plan_uuid"])

def handle(*, license_request, **_):
    if str(license_request.subscription_plan_uuid) not in PLANS:
        raise LookupError("no such subscription plan")
    if license_request.attempt_auto_enrollment and license_request.course_id is not None:
        license_request.course_run_key.split(":")
"""

VERIFY_PREPARED = (
    PREPARED
    + """
def test_handler(subsidy_events_consumer):
    subsidy_events_consumer.verify(
        handle, consumer="CONSUMER", prepare=store_plan, max_examples=30,
        event_type="org.openedx.enterprise.access.license-request.approved.v1",
    )
"""
)

REPLAY = (
    "import pytest\nimport openedx_subsidy_events.testing\n"
    + PREPARED
    + """
def test_prepare_is_needed():
    PLANS.clear()
    with pytest.raises(LookupError):
        <<CALL WITHOUT PREPARE>>

def test_replay_reproduces_the_failure():
    PLANS.clear()
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'split'"):
        <<CALL>>
"""
)


def _replay_line(result: pytest.RunResult) -> str:
    (line,) = [line for line in result.outlines if line.startswith("  replay: ")]
    return line.removeprefix("  replay: ")


def _assert_replays(pytester: pytest.Pytester, call: str) -> None:
    """The printed call, pasted into a test file, reproduces the failure; without prepare it does not."""
    without = call.replace(", prepare=store_plan", "")
    pytester.makepyfile(test_replay=REPLAY.replace("<<CALL WITHOUT PREPARE>>", without).replace("<<CALL>>", call))
    pytester.runpytest("-q", "test_replay.py").assert_outcomes(passed=2)


def test_printed_replay_reproduces_the_failure(pytester: pytest.Pytester) -> None:
    """The replay line of a shrunk failure names prepare and the event as JSON text; pasted, it fails the same way."""
    pytester.makepyfile(VERIFY_PREPARED.replace("CONSUMER", "license-manager"))
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    call = _replay_line(result)
    assert call.startswith(f"openedx_subsidy_events.testing.replay(handle, 'license-manager', '{APPROVED}', '{{")
    assert call.endswith("}}', minorversion=0, prepare=store_plan)")
    _assert_replays(pytester, call)


def test_replay_uses_the_contracts_folder_of_the_run(pytester: pytest.Pytester) -> None:
    """A consumer whose contract is only in --subsidy-events-contracts is replayed from that folder."""
    shutil.copytree(REPO / "contracts", pytester.path / "contracts")
    folder = pytester.path / "contracts" / "credentials"
    folder.mkdir()
    text = (REPO / "contracts" / "license-manager" / f"{APPROVED}.yaml").read_text()
    (folder / f"{APPROVED}.yaml").write_text(text.replace("consumer: license-manager", "consumer: credentials"))
    pytester.makepyfile(VERIFY_PREPARED.replace("CONSUMER", "credentials"))
    result = pytester.runpytest("-q", "--subsidy-events-contracts=contracts")
    result.assert_outcomes(failed=1)
    call = _replay_line(result)
    assert call.endswith(f"prepare=store_plan, contracts_root={str(pytester.path / 'contracts')!r})")
    _assert_replays(pytester, call)


@pytest.mark.parametrize("ci", ["", "1"], ids=["terminal", "ci"])
def test_short_summary_is_the_violation_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    """The short summary is one line (untruncated on CI); the event and replay stay in the failure section."""
    monkeypatch.setenv("CI", ci)
    pytester.makepyfile(FAILING)
    lines = pytester.runpytest("-q", "-rf").outlines
    summary = lines[next(i for i, line in enumerate(lines) if "short test summary" in line) + 1 :]
    assert summary[0].startswith("FAILED test_short_summary_is_the_violation_line.py::test_handler - consumer ")
    if ci:
        assert summary[0].endswith("AttributeError: 'NoneType' object has no attribute 'split'")
    assert summary[1].startswith("1 failed")


def test_junit_failure_message_is_the_violation_line(pytester: pytest.Pytester) -> None:
    """JUnit XML carries the violation line as the failure message and the whole text as its body."""
    pytester.makepyfile(FAILING)
    pytester.runpytest("-q", "--junitxml=junit.xml")
    failure = ElementTree.parse(pytester.path / "junit.xml").find(".//failure")
    assert failure is not None
    assert failure.get("message", "").startswith("consumer 'license-manager' (contracts/license-manager/")
    assert "\n" not in failure.get("message", "")
    assert "  event: {" in (failure.text or "")


def test_field_reads_are_reported(pytester: pytest.Pytester) -> None:
    """Fields read but not declared, and declared but never read, are reported after the run."""
    pytester.makepyfile(READS)
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*subsidy events: fields read by handlers*",
            f"license-manager (contracts/license-manager/{APPROVED}.yaml) reads undeclared field(s) reviewed_at: "
            "add them to 'reads'",
            f"license-manager (contracts/license-manager/{APPROVED}.yaml) never read declared field(s) "
            "attempt_auto_enrollment, course_id, course_run_key, enterprise_customer_uuid, lms_user_id, "
            "subscription_plan_uuid in 7 call(s)",
        ]
    )


def test_write_reads_offers_the_list(pytester: pytest.Pytester) -> None:
    """--subsidy-events-write-reads rewrites 'reads' only when the result is still a valid contract, and only it."""
    shutil.copytree(REPO / "contracts", pytester.path / "contracts")
    path = pytester.path / "contracts" / "license-manager" / f"{APPROVED}.yaml"
    head, rest = path.read_text().split("\nexpectations:\n")
    head, _ = head.split("\nreads:\n")
    rest = "\n# --- What we rely on (JIRA-123) ---\n\nexpectations:\n" + rest
    old_reads = "".join(f"  - {name}\n" for name in load_contract(path).reads)
    path.write_text(f"{head}\nreads:\n{old_reads}{rest}")
    pytester.makepyfile(READS)
    result = pytester.runpytest("-q", "--subsidy-events-contracts=contracts", "--subsidy-events-write-reads")
    # the handler reads none of the fields with expectations, so dropping them would orphan those expectations
    result.stdout.fnmatch_lines(["subsidy events: could not rewrite *: there is an expectation on *"])
    pytester.makepyfile(
        READS.replace(
            "    license_request.reviewed_at\n",
            "    license_request.reviewed_at\n"
            + "".join(f"    license_request.{name}\n" for name in ("lms_user_id", "course_id", "course_run_key")),
        )
    )
    result = pytester.runpytest("-q", "--subsidy-events-contracts=contracts", "--subsidy-events-write-reads")
    result.stdout.fnmatch_lines(["subsidy events: rewrote 'reads' of *"])
    new_reads = ["subsidy_request_uuid", "lms_user_id", "user_email", "reviewed_at", "course_id", "course_run_key"]
    listed = "".join(f"  - {name}\n" for name in new_reads)
    assert path.read_text() == f"{head}\nreads:\n{listed}{rest}"


def test_missing_contract_is_a_clear_error(pytester: pytest.Pytester) -> None:
    """Verifying a consumer with no contract for the event says which consumers have one."""
    pytester.makepyfile(READS.replace('consumer="license-manager"', 'consumer="credentials"'))
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*ContractError: contracts/credentials/*: 'credentials' has no contract*license-manager"]
    )


RECORDED = """
from uuid import UUID
from openedx_subsidy_events import LicenseAssignmentData

def test_my_own_handler_test(subsidy_events_consumer):
    payload = LicenseAssignmentData(
        subsidy_request_uuid=UUID(int=1), license_uuid=UUID(int=2), subscription_plan_uuid=UUID(int=3),
        enterprise_customer_uuid=UUID(int=4), user_email="learner@example.com",
    )
    seen = subsidy_events_consumer.record(payload, consumer="enterprise-access")
    assert seen.user_email == "learner@example.com"
    assert seen.subsidy_request_uuid == UUID(int=1)
"""


def test_reads_in_the_consumers_own_tests_are_reported(pytester: pytest.Pytester) -> None:
    """record() lets a consumer's ordinary handler tests count towards the field-read report."""
    pytester.makepyfile(RECORDED)
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["enterprise-access (contracts/enterprise-access/*) reads undeclared field(s) user_email: add them to 'reads'"]
    )


def test_ini_keys_mirror_the_options(pytester: pytest.Pytester) -> None:
    """The service named in the ini file is the default consumer, and the report path comes from the ini too."""
    pytester.makeini(
        "[pytest]\nsubsidy_events_service = license-manager\nsubsidy_events_version = 2.0\n"
        "subsidy_events_report = report.json\nsubsidy_events_max_examples = 3\n"
    )
    pytester.makepyfile(READS.replace('consumer="license-manager", ', "").replace("max_examples=5,", ""))
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1)
    data = json.loads((pytester.path / "report.json").read_text())
    assert data["service"] == "license-manager"
    assert [entry["checked"] for entry in data["results"]] == [5]  # two examples and three generated events


COUNTED = """
CALLS = []

def handle(*, license_request, **_):
    CALLS.append(license_request.subsidy_request_uuid)

def test_handler(subsidy_events_consumer):
    result = subsidy_events_consumer.verify(
        handle, consumer="license-manager", event_type="org.openedx.enterprise.access.license-request.approved.v1",
    )
    assert (result.examples, result.generated, result.minors) == (2, 3, (0,))
    assert len(CALLS) == 5
"""


def test_max_examples_option_sets_the_generated_events(pytester: pytest.Pytester) -> None:
    """--subsidy-events-max-examples=3: the handler gets the two examples and three events per writer minor."""
    pytester.makepyfile(COUNTED)
    result = pytester.runpytest("-q", "--subsidy-events-max-examples=3", "--subsidy-events-report=r.json")
    result.assert_outcomes(passed=1)
    (entry,) = json.loads((pytester.path / "r.json").read_text())["results"]
    assert entry["checked"] == 5

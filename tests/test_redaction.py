"""Secret and pii values never leave the package in clear: every repr, message, report, log line and pytest output.

The rule (``openedx_subsidy_events.redaction``): a ``secret`` value is never shown, a ``pii`` value
only when asked for. Each test plants marker values and searches everything the package produced
for them; each also checks a placeholder *is* there, so that an empty output cannot pass.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import pytest

from openedx_subsidy_events import (
    COUPON_CODE_ASSIGNED,
    CouponCodeAssignmentData,
    EventMetadata,
    MessageNotProcessed,
    PayloadError,
)
from openedx_subsidy_events.contracts import check_event
from openedx_subsidy_events.redaction import SHOW_PII_VARIABLE, safe_repr, show_pii

REPO = Path(__file__).resolve().parents[1]
SECRET = "lower-secret-marker"  # breaks the consumer's coupon_code pattern, so violations are about it
PII = "pii-marker-not-an-email"  # breaks the email format of the license-manager contract
RECORD = {
    "subsidy_request_uuid": "7e6d5c4b-3a2f-4e1d-8c9b-0a1b2c3d4e55",
    "coupon_code": SECRET,
    "coupon_id": 42,
    "enterprise_customer_uuid": "8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22",
    "user_email": PII,
    "course_id": "edX+DemoX",
    "assigned_at": None,
}


def _payload() -> CouponCodeAssignmentData:
    return CouponCodeAssignmentData(
        subsidy_request_uuid=UUID(RECORD["subsidy_request_uuid"]),
        coupon_code=SECRET,
        coupon_id=42,
        enterprise_customer_uuid=UUID(RECORD["enterprise_customer_uuid"]),
        user_email=PII,
    )


def _everything_shown() -> list[str]:
    """Every text the package makes of events carrying the markers: reprs, messages, reports."""
    shown: list[str] = []
    payload = _payload()
    shown += [repr(payload), str(payload)]
    check = check_event({"coupon_code_assignment": RECORD}, event_type=COUPON_CODE_ASSIGNED.event_type)
    assert check.violations, "the markers must break a contract, or nothing is searched"
    shown.append(repr(check))
    for violation in check.violations:
        error = violation.to_exception()
        shown += [repr(violation), str(violation), json.dumps(violation.to_json()), str(error), repr(error)]
        shown += [repr(error.args)]
    for bad in ({"coupon_code_assignment": RECORD}, RECORD, [RECORD]):
        for call in (COUPON_CODE_ASSIGNED.serialize, COUPON_CODE_ASSIGNED.to_record, COUPON_CODE_ASSIGNED.send):
            with pytest.raises(PayloadError) as info:
                call(bad)
            shown += [str(info.value), repr(info.value), repr(info.value.args)]
    for field, value in (("coupon_code", SECRET.encode()), ("user_email", PII + "\ud800")):
        with pytest.raises(PayloadError) as info:
            attrs.evolve(payload, **{field: value})
        shown += [str(info.value), repr(info.value)]
    return shown


def test_no_secret_or_pii_value_in_any_repr_message_or_report() -> None:
    """Payload reprs, violations (repr, str, JSON), ContractViolation, PayloadError: placeholders only."""
    shown = "\n".join(_everything_shown())
    assert SECRET not in shown
    assert PII not in shown
    assert "<hidden: secret field>" in shown
    assert "<hidden: pii field>" in shown
    assert "hidden: it may hold secret or pii fields" in shown


def test_pii_is_shown_when_asked_for_and_secrets_never() -> None:
    """Inside show_pii() (and with SUBSIDY_EVENTS_SHOW_PII=1) the email appears; the coupon code still does not."""
    with show_pii():
        shown = "\n".join(_everything_shown())
    assert PII in shown
    assert SECRET not in shown


def test_a_hostile_or_huge_value_never_breaks_a_message() -> None:
    """str(PayloadError) of a 100,000-deep list, a raising __repr__ or a huge string: bounded, no exception."""

    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    for value in (deep, Hostile(), "x" * 10_000_000, {i: Hostile() for i in range(100)}):
        error = PayloadError("EventMetadata", "source", value, "expected str")
        text = str(error)
        assert text.startswith("EventMetadata.source: expected str (got ")
        assert len(text) < 200
        assert len(safe_repr(value)) <= 60


APPROVED = {
    "subsidy_request_uuid": "2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11",
    "lms_user_id": 17,
    "user_email": PII,
    "enterprise_customer_uuid": "8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22",
    "subscription_plan_uuid": "0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33",
    "attempt_auto_enrollment": True,
    "reviewed_at": "2026-03-02T10:15:00+00:00",
}


@pytest.mark.parametrize("show", [False, True], ids=["default", "--subsidy-events-show-pii"])
def test_pytest_output_and_reports_hide_them(pytester: pytest.Pytester, show: bool) -> None:
    """Failing producer checks and a plain `assert check.ok` in a service's tests: output and report searched."""
    pytester.makepyfile(
        f"""
        from openedx_subsidy_events.contracts import check_event
        ASSIGNED = {{"coupon_code_assignment": {RECORD!r}}}
        APPROVED = {{"license_request": {APPROVED!r}}}

        def test_plain_assert():
            check = check_event(ASSIGNED, event_type="org.openedx.ecommerce.coupon-code.assigned.v1")
            assert check.ok

        def test_verify_secret(subsidy_events_producer):
            subsidy_events_producer.verify(ASSIGNED, event_type="org.openedx.ecommerce.coupon-code.assigned.v1")

        def test_verify_pii(subsidy_events_producer):
            subsidy_events_producer.verify(
                APPROVED, event_type="org.openedx.enterprise.access.license-request.approved.v1"
            )
        """
    )
    args = ["-q", "-vv", "--subsidy-events-report=report.json"] + (["--subsidy-events-show-pii"] if show else [])
    result = pytester.runpytest(*args)
    result.assert_outcomes(failed=3)
    output = result.stdout.str() + result.stderr.str() + (pytester.path / "report.json").read_text()
    assert SECRET not in output
    assert "<hidden: secret field>" in output
    assert (PII in output) is show
    assert ("<hidden: pii field>" in output) is not show


def test_consumer_logs_hide_them(caplog: pytest.LogCaptureFixture) -> None:
    """A handler failing on an event with the markers: the consumer's error and log line name no value."""
    from openedx_subsidy_events.integrations._consuming import MessagePlace

    def handler(definition: Any, payload: Any, metadata: Any) -> None:
        raise ValueError(f"cannot store {payload!r}")

    place = MessagePlace("redis", "stream", "entry 1-0", COUPON_CODE_ASSIGNED.event_type)
    with caplog.at_level(logging.INFO), pytest.raises(MessageNotProcessed) as info:
        place.deliver(
            handler, COUPON_CODE_ASSIGNED, _payload(), EventMetadata(event_type=COUPON_CODE_ASSIGNED.event_type)
        )
    logging.getLogger("openedx_subsidy_events.consumer").error("%s", info.value)
    text = caplog.text + str(info.value) + repr(info.value)
    assert info.value.rule == "HANDLER_FAILED"
    assert SECRET not in text
    assert PII not in text
    assert "<hidden: secret field>" in str(info.value.__cause__)  # the handler's own message used our repr


def test_write_reads_never_rewrites_the_installed_contracts(pytester: pytest.Pytester) -> None:
    """--subsidy-events-write-reads without a contracts folder, or with the installed one: usage error, no write."""
    from openedx_subsidy_events.contracts import default_root

    installed = default_root()
    before = {path: path.read_bytes() for path in installed.rglob("*.yaml")}
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--subsidy-events-write-reads")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--subsidy-events-write-reads rewrites contract files: name your contracts folder*"])
    result = pytester.runpytest("--subsidy-events-write-reads", f"--subsidy-events-contracts={installed}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*is the contracts folder installed with openedx-subsidy-events*"])
    shutil.copytree(installed, pytester.path / "contracts")
    result = pytester.runpytest("--subsidy-events-write-reads", "--subsidy-events-contracts=contracts")
    assert result.ret == pytest.ExitCode.OK
    assert {path: path.read_bytes() for path in installed.rglob("*.yaml")} == before


def test_the_environment_variable_shows_pii(monkeypatch: pytest.MonkeyPatch) -> None:
    """SUBSIDY_EVENTS_SHOW_PII=1 shows pii in reprs; 0 or unset hides it."""
    monkeypatch.setenv(SHOW_PII_VARIABLE, "1")
    assert PII in repr(_payload())
    monkeypatch.setenv(SHOW_PII_VARIABLE, "0")
    assert PII not in repr(_payload())

"""Producer verification of single events, in every form a producer hands them over."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import pytest

from openedx_subsidy_events import (
    COUPON_CODE_ASSIGNED,
    LICENSE_ASSIGNED,
    LICENSE_REQUEST_APPROVED,
    ContractViolation,
    DecodeError,
    LicenseAssignmentData,
    LicenseRequestData,
    capture_events,
)
from openedx_subsidy_events.contracts import (
    Contract,
    ViolationGroup,
    answered_events,
    assert_event,
    check_event,
    load_contracts,
)
from openedx_subsidy_events.redaction import redact, show_pii

APPROVED = LICENSE_REQUEST_APPROVED.event_type
REPO = Path(__file__).resolve().parents[2]
REQUEST = UUID("2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11")
Edit = Callable[[str, str, Callable[[str], str]], Path]


def _approved(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "subsidy_request_uuid": str(REQUEST),
        "lms_user_id": 17,
        "user_email": "learner@example.com",
        "enterprise_customer_uuid": "8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22",
        "subscription_plan_uuid": "0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33",
        "attempt_auto_enrollment": True,
        "reviewed_at": "2026-03-02T10:15:00+00:00",
        "course_id": "edX+DemoX",
        "reviewer_lms_user_id": 3,
        "course_run_key": None,
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not ...}


def _assigned(**changes: Any) -> LicenseAssignmentData:
    fields: dict[str, Any] = {
        "subsidy_request_uuid": REQUEST,
        "license_uuid": UUID(int=7),
        "subscription_plan_uuid": UUID(int=8),
        "enterprise_customer_uuid": UUID(int=9),
        "user_email": "learner@example.com",
        "course_id": "edX+DemoX",
    }
    fields.update(changes)
    return LicenseAssignmentData(**fields)


def _found(data: dict[str, Any], **options: Any) -> list[tuple[str, str, str]]:
    return [(v.consumer, v.field_path, v.rule) for v in check_event(data, **options).violations]


def test_valid_raw_event_passes() -> None:
    """A correct approved event, as a dict, meets the schema and license-manager's contract."""
    result = check_event({"license_request": _approved()}, event_type=APPROVED)
    assert result.ok
    assert [c.consumer for c in result.contracts] == ["license-manager"]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        pytest.param(_approved(lms_user_id=...), ("lms_user_id", "REQUIRED_FIELD_MISSING"), id="missing-field"),
        pytest.param(_approved(lms_user_id="17"), ("lms_user_id", "WRONG_TYPE"), id="wrong-type"),
        pytest.param(_approved(user_email=""), ("user_email", "EXPECTATION_FORMAT"), id="outside-expectation"),
        pytest.param(_approved(lms_user_id=0), ("lms_user_id", "EXPECTATION_MINIMUM"), id="below-minimum"),
        pytest.param(_approved(course_id="DemoX"), ("course_id", "EXPECTATION_PATTERN"), id="pattern"),
        pytest.param(_approved(license_uuid="x"), ("license_uuid", "EXTRA_FIELD"), id="extra-key"),
        pytest.param(
            _approved(subsidy_request_uuid="not-a-uuid"), ("subsidy_request_uuid", "WRONG_FORMAT"), id="bad-uuid"
        ),
        pytest.param(_approved(reviewed_at="yesterday"), ("reviewed_at", "WRONG_FORMAT"), id="bad-datetime"),
        pytest.param(_approved(reviewed_at="2026-03-02T12:15:00+02:00"), ("reviewed_at", "WRONG_FORMAT"), id="not-utc"),
        pytest.param(_approved(reviewed_at="2026-03-02 10:15:00Z"), ("reviewed_at", "WRONG_FORMAT"), id="not-rfc3339"),
    ],
)
def test_producer_mistakes_name_the_consumer(record: dict[str, Any], expected: tuple[str, str]) -> None:
    """Each producer mistake is one violation naming field and rule, blamed on the contract reading the field.

    A field no contract reads (an extra key, reviewed_at) is the published schema's finding, not a consumer's.
    """
    reads = _license_manager_reads()
    blamed = "license-manager" if expected[0] in reads else "(no consumer contract)"
    assert _found({"license_request": record}, event_type=APPROVED) == [(blamed, *expected)]


def _license_manager_reads() -> tuple[str, ...]:
    (contract,) = [c for c in load_contracts() if c.consumer == "license-manager"]
    return contract.reads


def test_an_event_the_schema_refuses_fails_every_contract_outcome() -> None:
    """reviewed_at missing: blamed on no consumer (none reads it), yet no consumer can get the event: all fail."""
    check = check_event({"license_request": _approved(reviewed_at=...)}, event_type=APPROVED)
    assert [(v.consumer, v.field_path, v.rule) for v in check.violations] == [
        ("(no consumer contract)", "reviewed_at", "REQUIRED_FIELD_MISSING")
    ]
    assert not check.deliverable
    assert [check.outcome(c) for c in check.contracts] == ["failed"]
    extra = check_event({"license_request": _approved(license_uuid="x")}, event_type=APPROVED)
    assert extra.deliverable  # an extra key is dropped on the wire: consumers still get the event
    assert [extra.outcome(c) for c in extra.contracts] == ["passed"]
    assert not extra.ok


def test_wrong_event_type() -> None:
    """Data of another event captured under the approved type is EVENT_TYPE_MISMATCH."""
    data = {"license_assignment": {"subsidy_request_uuid": str(REQUEST)}}
    assert _found(data, event_type=APPROVED) == [("license-manager", "", "EVENT_TYPE_MISMATCH")]


def test_wrong_correlation_id() -> None:
    """An assigned event that does not echo the approval's subsidy_request_uuid names enterprise-access."""
    approval = {"license_request": _approved()}
    wrong = _assigned(subsidy_request_uuid=UUID(int=1))
    found = _found(wrong, answering={**approval, "metadata": LICENSE_REQUEST_APPROVED.metadata()})
    assert found == [("enterprise-access", "subsidy_request_uuid", "CORRELATION_MISMATCH")]
    assert check_event(_assigned(), answering=LicenseRequestData(**_payload_fields())).ok


def test_answered_events_pairs_by_correlation_id() -> None:
    """Each assigned event is paired with the approval carrying its id; a stray one with the nearest before it."""
    first = LicenseRequestData(**_payload_fields())
    second = LicenseRequestData(**{**_payload_fields(), "subsidy_request_uuid": UUID(int=2)})
    answers_second, stray = _assigned(subsidy_request_uuid=UUID(int=2)), _assigned(subsidy_request_uuid=UUID(int=3))
    events = [first, second, answers_second, stray]
    assert answered_events(events) == [None, None, second, second]
    assert answered_events([_assigned()]) == [None]  # nothing in the sequence to pair with
    assert answered_events([_assigned(), first]) == [first, None]  # the approval may come later in a list
    raw = {"license_request": {}}  # raw data without a type answers nothing and is answered by nothing
    assert answered_events([first, raw, raw]) == [None, None, None]


def test_verify_all_catches_a_wrong_correlation_id_in_a_capture(subsidy_events_producer: Any) -> None:
    """A capture of the whole flow: the assigned event must answer the captured approval, with no answering=."""
    with capture_events() as captured:
        LICENSE_REQUEST_APPROVED.send(LicenseRequestData(**_payload_fields()))
        LICENSE_ASSIGNED.send(_assigned())
    assert len(subsidy_events_producer.verify_all(captured, expect=2)) == 2
    with capture_events() as captured:
        LICENSE_REQUEST_APPROVED.send(LicenseRequestData(**_payload_fields()))
        LICENSE_ASSIGNED.send(_assigned(subsidy_request_uuid=UUID(int=1)))
    with pytest.raises(ViolationGroup) as failure:
        subsidy_events_producer.verify_all(captured, expect=2)
    assert [(v.consumer, v.rule) for v in failure.value.violations] == [("enterprise-access", "CORRELATION_MISMATCH")]


def _payload_fields() -> dict[str, Any]:
    return {
        "subsidy_request_uuid": REQUEST,
        "lms_user_id": 17,
        "user_email": "learner@example.com",
        "enterprise_customer_uuid": UUID(int=9),
        "subscription_plan_uuid": UUID(int=8),
        "attempt_auto_enrollment": True,
        "reviewed_at": datetime(2026, 3, 2, tzinfo=UTC),
    }


def test_answering_the_wrong_kind_of_event() -> None:
    """A license assigned event answering a coupon-code approval is ANSWERS_WRONG_EVENT."""
    coupon = {"coupon_code_request": {"subsidy_request_uuid": str(REQUEST)}}
    found = _found(_assigned(), answering={**coupon, "metadata": _coupon_metadata()})
    assert ("enterprise-access", "", "ANSWERS_WRONG_EVENT") in found


def _coupon_metadata() -> Any:
    from openedx_subsidy_events import COUPON_CODE_REQUEST_APPROVED

    return COUPON_CODE_REQUEST_APPROVED.metadata()


def test_openedx_send_event_kwargs_with_uuid_and_datetime() -> None:
    """``send_event`` keyword arguments (UUID and datetime objects, signal and sender keys) are accepted."""
    kwargs = {"signal": object(), "sender": None, "license_request": LicenseRequestData(**_payload_fields())}
    assert check_event(kwargs, event_type=APPROVED).ok
    raw = {"license_request": {**_approved(), "subsidy_request_uuid": REQUEST, "reviewed_at": datetime.now(UTC)}}
    assert check_event(raw, event_type=APPROVED).ok


def test_captured_event_and_metadata_mismatch() -> None:
    """Captured events are checked as sent; metadata of another type is EVENT_TYPE_MISMATCH."""
    with capture_events() as captured:
        LICENSE_ASSIGNED.send(_assigned())
    assert check_event(captured[0]).ok
    data = {"license_request": _approved(), "metadata": LICENSE_ASSIGNED.metadata()}
    assert ("license-manager", "", "EVENT_TYPE_MISMATCH") in _found(data, event_type=APPROVED)


def test_raw_data_needs_an_event_type() -> None:
    """Raw data without event_type or metadata is a usage error, not a guess."""
    with pytest.raises(TypeError, match="needs event_type"):
        check_event({"license_request": _approved()})


def test_assert_event_raises_a_readable_group() -> None:
    """assert_event raises a ContractViolation (an AssertionError) listing every violation."""
    with pytest.raises(ContractViolation) as info:
        assert_event({"license_request": _approved(user_email="", lms_user_id="x")}, event_type=APPROVED)
    assert isinstance(info.value, ViolationGroup)
    assert isinstance(info.value, AssertionError)
    assert str(info.value).splitlines() == [
        f"{APPROVED}: the event breaks a consumer contract:",
        "  - consumer 'license-manager' (contracts/license-manager/"
        f"{APPROVED}.yaml): {APPROVED} lms_user_id: WRONG_TYPE: is not a valid Avro long (value 'x')",
    ]


def test_pending_contract_does_not_fail(contracts_copy: Path, edit_contract: Edit) -> None:
    """A violation of a pending contract is reported but the check is ok."""
    edit_contract("license-manager", APPROVED, lambda t: t.replace("status: active", "status: pending"))
    result = check_event({"license_request": _approved(user_email="")}, event_type=APPROVED,
                         contracts=load_contracts(contracts_copy))  # fmt: skip
    assert result.ok
    assert [v.pending for v in result.violations] == [True]
    assert result.outcome(result.contracts[0]) == "pending-failed"


def test_event_without_contracts_still_checks_the_schema(tmp_path: Path) -> None:
    """With no consumer contract, schema problems are still reported, against the schema file."""
    found = check_event({"license_request": _approved(lms_user_id="x")}, event_type=APPROVED, contracts=())
    (violation,) = found.violations
    assert violation.consumer == "(no consumer contract)"
    assert violation.contract_file == f"schemas/{APPROVED}/0.avsc"


def test_a_secret_value_is_hidden_in_messages_and_reports() -> None:
    """A coupon code breaking an expectation is named, never shown: not in the text, the JSON or the exception."""
    record = {
        "subsidy_request_uuid": str(REQUEST), "coupon_code": "lower-secret", "coupon_id": 3,
        "enterprise_customer_uuid": str(UUID(int=9)), "user_email": "learner@example.com",
    }  # fmt: skip
    (violation,) = check_event(
        {"coupon_code_assignment": record}, event_type=COUPON_CODE_ASSIGNED.event_type
    ).violations
    assert (violation.field_path, violation.rule, violation.value) == (
        "coupon_code",
        "EXPECTATION_PATTERN",
        "lower-secret",
    )
    for shown in (str(violation), json.dumps(violation.to_json()), str(violation.to_exception())):
        assert "lower-secret" not in shown
        assert "<hidden: secret field>" in shown
    whole = redact(COUPON_CODE_ASSIGNED.event_type, "", {"coupon_code_assignment": record})
    assert whole["coupon_code_assignment"]["coupon_code"] == "<hidden: secret field>"
    assert whole["coupon_code_assignment"]["user_email"] == "<hidden: pii field>"
    with show_pii():
        shown = redact(COUPON_CODE_ASSIGNED.event_type, "", {"coupon_code_assignment": record})
    assert shown["coupon_code_assignment"]["user_email"] == "learner@example.com"
    assert shown["coupon_code_assignment"]["coupon_code"] == "<hidden: secret field>"


@pytest.mark.parametrize(
    ("expectation", "reason"),
    [
        ({"minLength": 20}, "is shorter than 20 character(s)"),
        ({"enum": ["OTHER"]}, "is not one of ['OTHER']"),
        ({"not": {"const": "SECRET99"}}, "matches {'const': 'SECRET99'}, which it must not"),
    ],
)
def test_expectation_reasons_never_quote_the_value(expectation: dict[str, Any], reason: str) -> None:
    """The reason is said from the keyword and the expectation, so a secret value cannot leak through it."""
    contract = Contract(
        consumer="enterprise-access", event_type=COUPON_CODE_ASSIGNED.event_type, status="active", purpose="p",
        reads=("coupon_code",), expectations={"coupon_code": expectation}, path="contracts/x.yaml",
    )  # fmt: skip
    record = {
        "subsidy_request_uuid": str(REQUEST), "coupon_code": "SECRET99", "coupon_id": 3,
        "enterprise_customer_uuid": str(UUID(int=9)), "user_email": "learner@example.com",
    }  # fmt: skip
    check = check_event({"coupon_code_assignment": record}, event_type=contract.event_type, contracts=[contract])
    (violation,) = check.violations
    assert violation.reason == reason
    assert "SECRET99" not in str(violation).replace(reason, "")
    assert "SECRET99" not in json.dumps(violation.to_json()).replace(reason, "")


def test_what_the_producer_check_accepts_the_decoder_reads() -> None:
    """A datetime the check lets through decodes; one it refuses (another offset) the decoder refuses too."""
    cases = [("2026-03-02T10:15:00Z", True), ("2026-03-02T12:15:00+02:00", False), ("2026-03-02t10:15:00z", False)]
    for text, accepted in cases:
        record = _approved(reviewed_at=text)
        assert check_event({"license_request": record}, event_type=APPROVED).ok is accepted
        try:
            LICENSE_REQUEST_APPROVED.from_record({"license_request": record})
        except DecodeError:
            decoded = False
        else:
            decoded = True
        assert decoded is accepted


def test_a_newer_minor_the_consumers_reader_cannot_resolve(tmp_path: Path) -> None:
    """Written with a minor 1 where lms_user_id became a string, read with a reader projected from minor 0."""
    root = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", root)
    schema = json.loads((root / APPROVED / "0.avsc").read_text())
    (field,) = [f for f in schema["fields"][0]["type"]["fields"] if f["name"] == "lms_user_id"]
    field["type"] = "string"
    (root / APPROVED / "1.avsc").write_text(json.dumps(schema))
    contract = attrs.evolve(next(c for c in load_contracts() if c.consumer == "license-manager"), schema_minor=0)
    event = {"license_request": _approved(lms_user_id="17"), "metadata": attrs.evolve(
        LICENSE_REQUEST_APPROVED.metadata(), minorversion=1)}  # fmt: skip
    check = check_event(event, contracts=[contract], schemas_root=root)
    assert [(v.consumer, v.rule, v.minorversion) for v in check.violations] == [
        ("license-manager", "READER_CANNOT_DECODE", 1)
    ]
    assert "string is not long" in check.violations[0].reason


def test_a_none_value_is_shown_and_no_value_is_not() -> None:
    """lms_user_id=None is WRONG_TYPE '(value None)', JSON null; a missing field shows no value, no JSON key."""
    (wrong,) = check_event({"license_request": _approved(lms_user_id=None)}, event_type=APPROVED).violations
    assert str(wrong).endswith("is not a valid Avro long (value None)")
    assert wrong.to_json()["value"] is None
    (missing,) = check_event({"license_request": _approved(lms_user_id=...)}, event_type=APPROVED).violations
    assert str(missing).endswith("REQUIRED_FIELD_MISSING: the published schema requires this field")
    assert "value" not in missing.to_json()

"""Payload classes: validation on construction, repr, and the shape openedx-events reads."""

from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import attrs
import pytest
from subsidy_samples import full_payload, minimal_payload

from openedx_subsidy_events import (
    COUPON_CODE_ASSIGNED,
    LICENSE_ASSIGNED,
    CouponCodeAssignmentData,
    EventDefinition,
    LicenseAssignmentData,
    PayloadError,
    SubsidyEventsError,
)
from openedx_subsidy_events.redaction import show_pii

BAD_VALUES = [
    ("subsidy_request_uuid", "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10", "expected uuid.UUID; pass uuid.UUID(...)"),
    ("subsidy_request_uuid", None, "is required"),
    ("user_email", 7, "expected str"),
    ("user_email", "bad \ud800 surrogate", "lone surrogate"),
    ("lms_user_id", True, "expected int"),
    ("lms_user_id", 2**63, "outside the range of an Avro long"),
    ("lms_user_id", -(2**63) - 1, "outside the range of an Avro long"),
    ("lms_user_id", 1.0, "expected int"),
    ("assigned_at", datetime(2026, 1, 1), "must be in UTC: timezone-aware, at +00:00"),
    ("assigned_at", datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2))), "at +00:00"),
    ("assigned_at", "2026-01-01T00:00:00+00:00", "expected datetime.datetime"),
]


@pytest.mark.parametrize(("field", "value", "reason"), BAD_VALUES)
def test_bad_value_raises_payload_error_naming_the_field(field: str, value: Any, reason: str) -> None:
    """A value the field's type or the wire cannot carry is a PayloadError that names the field."""
    good = full_payload(LICENSE_ASSIGNED)
    with pytest.raises(PayloadError) as caught:
        attrs.evolve(good, **{field: value})
    error = caught.value
    assert (error.payload, error.field, error.value) == ("LicenseAssignmentData", field, value)
    assert reason in error.reason
    assert str(error).startswith(f"LicenseAssignmentData.{field}: ")
    assert isinstance(error, ValueError)
    assert isinstance(error, SubsidyEventsError)


def test_limits_of_an_avro_long_are_accepted() -> None:
    """The extreme values of a 64-bit signed long are valid."""
    for value in (-(2**63), 2**63 - 1, 0):
        assert attrs.evolve(full_payload(LICENSE_ASSIGNED), lms_user_id=value).lms_user_id == value


@pytest.mark.parametrize(
    "zone", [timezone(timedelta(0), "Z"), ZoneInfo("UTC"), ZoneInfo("Etc/UTC")], ids=["fixed", "UTC", "Etc/UTC"]
)
def test_utc_datetimes_of_any_zero_offset_tzinfo_are_accepted(zone: Any) -> None:
    """A tzinfo at +00:00 all year, other than timezone.utc, is still UTC."""
    moment = datetime(2026, 1, 1, tzinfo=zone)
    assert attrs.evolve(full_payload(LICENSE_ASSIGNED), assigned_at=moment).assigned_at == moment


@pytest.mark.parametrize("month", [1, 7])
def test_a_zone_at_utc_only_in_winter_is_refused_all_year(month: int) -> None:
    """Europe/London is +00:00 in January: refusing it then too keeps a test's verdict the same in July."""
    moment = datetime(2026, month, 1, tzinfo=ZoneInfo("Europe/London"))
    with pytest.raises(PayloadError, match="assigned_at: must be"):
        attrs.evolve(full_payload(LICENSE_ASSIGNED), assigned_at=moment)
    with pytest.raises(PayloadError, match="time: must be a timezone-aware UTC datetime"):
        LICENSE_ASSIGNED.metadata(time=moment)


def test_errors_never_show_a_secret_value() -> None:
    """A rejected coupon code is named by its type only, in the message and in args, but kept on the error."""
    with pytest.raises(PayloadError) as caught:
        attrs.evolve(full_payload(COUPON_CODE_ASSIGNED), coupon_code=b"REAL-SECRET-CODE")
    error = caught.value
    assert str(error) == "CouponCodeAssignmentData.coupon_code: expected str (got a bytes, hidden: the field is secret)"
    assert "REAL-SECRET-CODE" not in repr(error)
    assert error.value == b"REAL-SECRET-CODE"
    with pytest.raises(PayloadError) as caught:
        attrs.evolve(full_payload(COUPON_CODE_ASSIGNED), user_email="learner@example.com\ud800")
    assert "learner@" not in str(caught.value)  # PII is hidden by default...
    assert str(caught.value).endswith("(got a str, hidden: the field is pii)")
    with show_pii():
        assert "learner@example.com" in str(caught.value)  # ...and shown when asked for (messages are built late)
    with pytest.raises(PayloadError, match=r"\(got an int, hidden: the field is secret\)"):
        attrs.evolve(full_payload(COUPON_CODE_ASSIGNED), coupon_code=7)


def test_optional_fields_default_to_none(definition: EventDefinition[Any]) -> None:
    """Optional fields may be left out; required ones may not."""
    payload = minimal_payload(definition)
    required = {
        f.name: getattr(payload, f.name) for f in attrs.fields(definition.payload_type) if f.default is not None
    }
    rebuilt = definition.payload_type(**required)
    assert rebuilt == payload
    with pytest.raises(TypeError, match="missing"):
        definition.payload_type()


def test_payloads_are_frozen(definition: EventDefinition[Any]) -> None:
    """A payload cannot be changed after it was validated."""
    payload = full_payload(definition)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        payload.subsidy_request_uuid = UUID(int=0)


def test_repr_never_prints_a_secret() -> None:
    """The coupon code, a bearer credential, is hidden in repr (and so in logs); PII too, unless asked for."""
    payload = full_payload(COUPON_CODE_ASSIGNED)
    assert payload.coupon_code == "SECRETCODE1"
    assert "SECRETCODE1" not in repr(payload)
    assert "coupon_code=<hidden: secret field>" in repr(payload)
    assert "user_email=<hidden: pii field>" in repr(payload)
    with show_pii():
        assert "user_email='learner@example.com'" in repr(payload)
        assert "SECRETCODE1" not in repr(payload)


def test_field_types_are_real_types_openedx_events_can_read(definition: EventDefinition[Any]) -> None:
    """attrs.fields() carries plain classes, optional fields as T with default None (openedx-events' form)."""
    for field in attrs.fields(definition.payload_type):
        assert field.type in (str, int, bool, UUID, datetime), field
        assert field.default is None or field.default is attrs.NOTHING


def test_every_payload_starts_with_the_correlation_id(definition: EventDefinition[Any]) -> None:
    """subsidy_request_uuid is the first, required field of every payload."""
    first = attrs.fields(definition.payload_type)[0]
    assert (first.name, first.type, first.default) == ("subsidy_request_uuid", UUID, attrs.NOTHING)


def test_field_lists_match_the_design() -> None:
    """The fields, their order and their optionality are the ones DESIGN.md section 2 decides."""
    shape = {
        cls.__name__: [(f.name, f.default is None) for f in attrs.fields(cls)]
        for cls in (CouponCodeAssignmentData, LicenseAssignmentData)
    }
    assert shape["CouponCodeAssignmentData"] == [
        ("subsidy_request_uuid", False),
        ("coupon_code", False),
        ("coupon_id", False),
        ("enterprise_customer_uuid", False),
        ("user_email", False),
        ("course_id", True),
        ("assigned_at", True),
    ]
    assert shape["LicenseAssignmentData"] == [
        ("subsidy_request_uuid", False),
        ("license_uuid", False),
        ("subscription_plan_uuid", False),
        ("enterprise_customer_uuid", False),
        ("user_email", False),
        ("lms_user_id", True),
        ("course_id", True),
        ("assigned_at", True),
    ]


def test_payload_class_declarations_are_checked() -> None:
    """A payload class with an unsupported type, or T | None without optional=True, is refused at definition."""
    from openedx_subsidy_events.events import field, payload_fields

    with pytest.raises(TypeError, match="unsupported type"):

        @attrs.frozen(kw_only=True, field_transformer=payload_fields)
        class WithFloat:
            ratio: float = field("A ratio.")

    with pytest.raises(TypeError, match="exactly when the field is optional"):

        @attrs.frozen(kw_only=True, field_transformer=payload_fields)
        class Inconsistent:
            note: str | None = field("A note.")

    with pytest.raises(TypeError, match="declare payload fields"):

        @attrs.frozen(kw_only=True, field_transformer=payload_fields)
        class Undocumented:
            note: str = attrs.field()

    with pytest.raises(TypeError, match="need real annotations"):

        @attrs.frozen(kw_only=True, field_transformer=payload_fields)
        class Postponed:
            note: "str" = field("A note.")

"""Sample payloads and Hypothesis strategies for the package's own tests (on ``pythonpath``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
from hypothesis import strategies as st

from openedx_subsidy_events import EventDefinition

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

_FIXED_STR = {
    "user_email": "learner@example.com",
    "course_id": "edX+DemoX",
    "course_run_key": "course-v1:edX+DemoX+2T2026",
    "coupon_code": "SECRETCODE1",
}
_BASE_UUID = UUID("5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10")
_BASE_TIME = datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=UTC)


def _sample(index: int, name: str, kind: type) -> Any:
    """A value of the field's type that no other field of the payload has, so swapped fields show."""
    if kind is UUID:
        return UUID(int=_BASE_UUID.int + index)
    if kind is datetime:
        return _BASE_TIME + timedelta(days=index, seconds=index)
    if kind is int:
        return 4242 + index
    if kind is bool:
        return True
    return _FIXED_STR.get(name, f"text-{name}")


def full_payload(definition: EventDefinition[Any]) -> Any:
    """A payload of the event with every field, optional ones included, set, each to a distinct value."""
    fields = attrs.fields(definition.payload_type)
    return definition.payload_type(**{f.name: _sample(i, f.name, f.type) for i, f in enumerate(fields)})


def minimal_payload(definition: EventDefinition[Any]) -> Any:
    """A payload of the event with every optional field left ``None``."""
    full = full_payload(definition)
    optional = {f.name: None for f in attrs.fields(definition.payload_type) if f.default is None}
    return attrs.evolve(full, **optional)


_STRATEGIES: dict[type, st.SearchStrategy[Any]] = {
    UUID: st.uuids(),
    datetime: st.datetimes(timezones=st.just(UTC)),
    int: st.integers(LONG_MIN, LONG_MAX),
    bool: st.booleans(),
    str: st.text(),
}


def payloads(definition: EventDefinition[Any]) -> st.SearchStrategy[Any]:
    """Every valid payload of the event: any wire value of each field, optional fields sometimes ``None``."""
    fields = {}
    for field in attrs.fields(definition.payload_type):
        strategy = _STRATEGIES[field.type]
        fields[field.name] = st.none() | strategy if field.default is None else strategy
    return st.builds(definition.payload_type, **fields)


# -- subsidy requests in the reference enterprise-access -------------------------------------------

CUSTOMER = UUID("8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22")
PLAN = UUID("0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33")
COUPON = 42


def add_license_request(service: Any, **overrides: object) -> UUID:
    """Store a license request in state ``requested`` in a reference enterprise-access; its uuid."""
    fields: dict[str, object] = {
        "lms_user_id": 17,
        "user_email": "learner@example.com",
        "enterprise_customer_uuid": CUSTOMER,
        "subscription_plan_uuid": PLAN,
        "course_id": "edX+DemoX",
        "course_run_key": "course-v1:edX+DemoX+2T2026",
    }
    fields.update(overrides)
    uuid: UUID = service.add_request("license", **fields).uuid
    return uuid


def add_coupon_code_request(service: Any, **overrides: object) -> UUID:
    """Store a coupon-code request in state ``requested`` in a reference enterprise-access; its uuid."""
    fields: dict[str, object] = {
        "lms_user_id": 17,
        "user_email": "learner@example.com",
        "enterprise_customer_uuid": CUSTOMER,
        "coupon_id": COUPON,
        "course_id": "edX+DemoX",
    }
    fields.update(overrides)
    uuid: UUID = service.add_request("coupon_code", **fields).uuid
    return uuid

"""Sample payloads and Hypothesis strategies for the package's own tests (on ``pythonpath``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import attrs
from hypothesis import strategies as st

from openedx_subsidy_events import EventDefinition

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

_FIXED: dict[type, Any] = {
    UUID: UUID("5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10"),
    datetime: datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=UTC),
    int: 4242,
    bool: True,
}
_FIXED_STR = {
    "user_email": "learner@example.com",
    "course_id": "edX+DemoX",
    "course_run_key": "course-v1:edX+DemoX+2T2026",
    "coupon_code": "SECRETCODE1",
}


def full_payload(definition: EventDefinition[Any]) -> Any:
    """A payload of the event with every field, optional ones included, set."""
    values = {}
    for field in attrs.fields(definition.payload_type):
        values[field.name] = _FIXED_STR.get(field.name, "text") if field.type is str else _FIXED[field.type]
    return definition.payload_type(**values)


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

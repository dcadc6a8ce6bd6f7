"""A readable example record of each published event version, the same in the docs and the AsyncAPI document.

Built from the published Avro schema of the version (not the payload class), so an older minor's
example has exactly that minor's fields. Values are fixed, so the documents that show them are
stable: UUIDs numbered by field position, one datetime, and named strings for the fields a reader
recognises.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ..avro._schema import FORMAT_ATTRIBUTE
from ..events import EventDefinition

__all__ = ["EXAMPLE_TIME", "example_record"]

EXAMPLE_TIME = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
_STRINGS = {
    "user_email": "learner@example.com",
    "course_id": "edX+DemoX",
    "course_run_key": "course-v1:edX+DemoX+2T2026",
    "coupon_code": "ABC123",
}
_PLAIN = {"long": 42, "int": 42, "boolean": True, "double": 1.5, "float": 1.5}


def _value(number: int, field: dict[str, Any]) -> Any:
    kind = field["type"]
    if isinstance(kind, list):  # ["null", T]: the example sets optional fields too
        kind = next(branch for branch in kind if branch != "null")
    form = field.get(FORMAT_ATTRIBUTE)
    if form == "uuid":
        return str(UUID(int=number))
    if form == "date-time":
        return EXAMPLE_TIME.isoformat()
    if kind == "string":
        return _STRINGS.get(field["name"], "text")
    return _PLAIN[kind]


def example_record(definition: EventDefinition[Any], minorversion: int | None = None) -> dict[str, Any]:
    """An example of the record of one published version of an event, every field set, in JSON form.

    .. versionadded:: 0.1.0
    """
    minor = definition.minor_version if minorversion is None else minorversion
    envelope = definition.schemas[minor]
    (payload_field,) = envelope["fields"]
    fields = payload_field["type"]["fields"]
    return {payload_field["name"]: {f["name"]: _value(n, f) for n, f in enumerate(fields, start=1)}}

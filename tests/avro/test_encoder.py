"""The generated encoder: fastavro's bytes for every payload, read back by Apache avro; PayloadError for bad values."""

import io
import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import attrs
import avro.io
import avro.schema
import fastavro
import pytest
from avro_samples import EVERYTHING, Everything
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from subsidy_django import ensure_django
from subsidy_samples import full_payload

from openedx_subsidy_events import (
    LICENSE_ASSIGNED,
    LICENSE_REQUEST_APPROVED,
    EventDefinition,
    PayloadError,
    all_events,
)

ensure_django()

from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes  # noqa: E402

from openedx_subsidy_events.integrations.openedx import openedx_signal  # noqa: E402

EVENTS = pytest.mark.parametrize("definition", all_events(), ids=lambda d: d.data_key)
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_LONGS = st.integers(LONG_MIN, LONG_MAX) | st.sampled_from(
    [LONG_MIN, LONG_MAX, LONG_MIN + 1, LONG_MAX - 1, -1, 0, 1, 63, 64, -64, -65, 8191, 8192, 2**31, -(2**31) - 1]
)
_TEXTS = (
    st.text()
    | st.text(st.characters(min_codepoint=0x80, exclude_categories=["Cs"]))  # nothing but non-ASCII
    | st.text(min_size=64, max_size=300)  # length prefixes of two bytes
    | st.sampled_from(["", "é", "日本語", "🎓", "\x00", "x" * 1023, "x" * 1024, "é" * 600, "🎓" * 5000])
)
_ZONES = [UTC, timezone(timedelta(0)), timezone(timedelta(0), "Z"), ZoneInfo("UTC"), ZoneInfo("Etc/GMT")]
"""Every zone a payload datetime may have: at +00:00 all year, the UTC singleton or not."""
_DATETIMES = st.datetimes(timezones=st.sampled_from(_ZONES)) | st.sampled_from(
    [
        EPOCH,
        EPOCH - timedelta(microseconds=1),  # before 1970
        EPOCH + timedelta(microseconds=1),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 6, 1, 12, tzinfo=ZoneInfo("UTC")),
    ]
)
_STRATEGIES: dict[type, st.SearchStrategy[Any]] = {
    UUID: st.uuids() | st.sampled_from([UUID(int=0), UUID(int=2**128 - 1)]),
    datetime: _DATETIMES,
    int: _LONGS,
    bool: st.booleans(),
    str: _TEXTS,
}


def edge_payloads(definition: EventDefinition[Any]) -> st.SearchStrategy[Any]:
    """Payloads with the values at the edges of each wire type, optional fields null or set."""
    fields = {}
    for attribute in attrs.fields(definition.payload_type):
        strategy = _STRATEGIES[attribute.type]
        fields[attribute.name] = st.none() | strategy if attribute.default is None else strategy
    return st.builds(definition.payload_type, **fields)


def _fastavro_bytes(definition: EventDefinition[Any], payload: Any) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, _PARSED[definition.event_type], definition.to_record(payload))
    return out.getvalue()


_PARSED = {d.event_type: fastavro.parse_schema(d.schema) for d in all_events()}
_APACHE = {d.event_type: avro.io.DatumReader(avro.schema.parse(json.dumps(d.schema))) for d in all_events()}
_SIGNALS = {d.event_type: openedx_signal(d) for d in all_events()}


BATCH = 50
"""Payloads per Hypothesis example: Hypothesis spends most of its time per example, so 100 examples of 50."""
SEEN: dict[str, int] = {}


@EVENTS
@settings(max_examples=5000 // BATCH, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draw=st.data())
def test_the_bytes_are_fastavros_and_openedx_events_and_apache_avro_reads_them(
    definition: EventDefinition[Any], draw: st.DataObject
) -> None:
    """5,000 payloads per event: our bytes are fastavro's and openedx-events', and Apache avro decodes them."""
    batch = draw.draw(st.lists(edge_payloads(definition), min_size=BATCH, max_size=BATCH))
    for payload in batch:
        ours = definition.serialize(payload)
        assert ours == _fastavro_bytes(definition, payload)
        assert ours == serialize_event_data_to_bytes({definition.data_key: payload}, _SIGNALS[definition.event_type])
        decoder = avro.io.BinaryDecoder(io.BytesIO(ours))
        assert _APACHE[definition.event_type].read(decoder) == definition.to_record(payload)
        assert decoder.reader.read() == b""  # Apache avro read every byte, no more
        assert definition.deserialize(ours, minorversion=0) == payload
    SEEN[definition.event_type] = SEEN.get(definition.event_type, 0) + len(batch)


def test_each_event_was_driven_through_5000_payloads() -> None:
    """The test above ran its 5,000 payloads for each event it ran for in this session."""
    if not SEEN:
        pytest.skip("the equivalence test did not run in this session")
    assert min(SEEN.values()) >= 5000, SEEN


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=edge_payloads(EVERYTHING))
def test_every_field_kind_in_any_order_writes_fastavros_bytes(payload: Everything) -> None:
    """The generator's shapes beyond the four events (two strings in a row, optional booleans and UUIDs)."""
    parsed = fastavro.parse_schema(EVERYTHING.schema)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, parsed, EVERYTHING.to_record(payload))
    assert EVERYTHING.serialize(payload) == out.getvalue()
    assert EVERYTHING._codec.decode_resolved(out.getvalue(), parsed, None) == payload


def test_subclasses_of_uuid_and_datetime_write_the_plain_values_bytes() -> None:
    """A datetime or UUID subclass (freezegun's, a model field's) is written as the value it is."""

    class Moment(datetime):
        pass

    class Id(UUID):
        pass

    payload = attrs.evolve(
        full_payload(LICENSE_ASSIGNED),
        license_uuid=Id(int=7),
        assigned_at=Moment(2026, 1, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(0))),
    )
    plain = attrs.evolve(payload, license_uuid=UUID(int=7), assigned_at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
    assert (
        LICENSE_ASSIGNED.serialize(payload)
        == LICENSE_ASSIGNED.serialize(plain)
        == _fastavro_bytes(LICENSE_ASSIGNED, plain)
    )


_MUTATIONS = {
    "long as bool": (LICENSE_ASSIGNED, "lms_user_id", True, "expected int"),
    "long as float": (LICENSE_ASSIGNED, "lms_user_id", 7.0, "expected int"),
    "long as text": (LICENSE_ASSIGNED, "lms_user_id", "7", "expected int"),
    "long past 64 bits": (LICENSE_ASSIGNED, "lms_user_id", 2**63, "outside the range of an Avro long"),
    "long below 64 bits": (LICENSE_ASSIGNED, "lms_user_id", -(2**63) - 1, "outside the range of an Avro long"),
    "str as bytes": (LICENSE_ASSIGNED, "user_email", b"a@b.c", "expected str"),
    "str as None": (LICENSE_ASSIGNED, "user_email", None, "is required"),
    "str as int": (LICENSE_ASSIGNED, "course_id", 5, "expected str"),
    "lone surrogate": (LICENSE_ASSIGNED, "course_id", "\ud800", "not valid Unicode"),
    "uuid as text": (LICENSE_ASSIGNED, "license_uuid", "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10", "expected uuid.UUID"),
    "uuid as None": (LICENSE_ASSIGNED, "license_uuid", None, "is required"),
    "uuid as int": (LICENSE_ASSIGNED, "subsidy_request_uuid", 7, "expected uuid.UUID"),
    "naive datetime": (LICENSE_ASSIGNED, "assigned_at", datetime(2026, 1, 1), "must be in UTC"),
    "datetime at +02:00": (
        LICENSE_ASSIGNED, "assigned_at", datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2))), "must be in UTC",
    ),
    "datetime in London": (
        LICENSE_ASSIGNED, "assigned_at", datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/London")), "not in Europe/London",
    ),
    "date": (LICENSE_ASSIGNED, "assigned_at", date(2026, 1, 1), "expected datetime.datetime"),
    "time at UTC": (LICENSE_ASSIGNED, "assigned_at", time(1, 2, tzinfo=UTC), "expected datetime.datetime"),
    "datetime as text": (LICENSE_ASSIGNED, "assigned_at", "2026-01-01T00:00:00+00:00", "expected datetime.datetime"),
    "required datetime as None": (LICENSE_REQUEST_APPROVED, "reviewed_at", None, "is required"),
    "bool as int": (LICENSE_REQUEST_APPROVED, "attempt_auto_enrollment", 1, "expected bool"),
    "bool as None": (LICENSE_REQUEST_APPROVED, "attempt_auto_enrollment", None, "is required"),
    "optional bool as text": (LICENSE_REQUEST_APPROVED, "attempt_auto_enrollment", "yes", "expected bool"),
}  # fmt: skip


@pytest.mark.parametrize(("definition", "field", "value", "reason"), _MUTATIONS.values(), ids=_MUTATIONS.keys())
def test_a_payload_mutated_into_a_wrong_value_is_a_payload_error(
    definition: EventDefinition[Any], field: str, value: Any, reason: str
) -> None:
    """A frozen payload changed behind attrs' back gets the PayloadError of its field, not struct.error or bytes."""
    payload = full_payload(definition)
    object.__setattr__(payload, field, value)
    with pytest.raises(PayloadError) as caught:
        definition.serialize(payload)
    assert (caught.value.payload, caught.value.field) == (definition.payload_type.__name__, field)
    assert reason in caught.value.reason
    assert caught.value.__suppress_context__  # the encoder's own failure is not chained to it


def test_a_deleted_field_is_a_payload_error() -> None:
    """A payload missing an attribute altogether says which one."""
    payload = full_payload(LICENSE_ASSIGNED)
    object.__delattr__(payload, "user_email")
    with pytest.raises(PayloadError, match=r"LicenseAssignmentData\.user_email: is not set") as caught:
        LICENSE_ASSIGNED.serialize(payload)
    assert caught.value.field == "user_email"


def test_the_encoder_is_built_on_first_use_and_kept() -> None:
    """A codec generates its encoder when it first encodes, once."""
    definition = LICENSE_ASSIGNED.replace()
    codec = definition._codec
    assert "_encode" not in vars(codec)
    definition.serialize(full_payload(definition))
    encoder = vars(codec)["_encode"]
    definition.serialize(full_payload(definition))
    assert vars(codec)["_encode"] is encoder

"""Schemaless encoding and decoding: round trips, writer-schema choice, buffers (malformed bytes: test_decoder)."""

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import fastavro
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from subsidy_samples import full_payload, minimal_payload, payloads

from openedx_subsidy_events import (
    LICENSE_ASSIGNED,
    DecodeError,
    EventDefinition,
    PayloadError,
    UnknownSchemaVersion,
    all_events,
)
from openedx_subsidy_events.avro import dumps_schema


@pytest.mark.parametrize("build", [full_payload, minimal_payload], ids=["full", "minimal"])
def test_round_trip(definition: EventDefinition[Any], build: Any) -> None:
    """deserialize(serialize(p)) == p, with every optional field set and with none."""
    payload = build(definition)
    assert definition.deserialize(definition.serialize(payload), minorversion=0) == payload


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_of_any_valid_payload(data: st.DataObject) -> None:
    """Any payload the classes accept survives the wire unchanged (extremes, Unicode, None)."""
    definition = data.draw(st.sampled_from(all_events()))
    payload = data.draw(payloads(definition))
    assert definition.deserialize(definition.serialize(payload), minorversion=0) == payload


def test_bytes_are_the_record_fastavro_writes(definition: EventDefinition[Any]) -> None:
    """serialize is fastavro's schemaless writer on the record dict: no framing, no extra bytes."""
    payload = full_payload(definition)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(definition.schema), definition.to_record(payload))
    assert definition.serialize(payload) == out.getvalue()


def test_to_record_uses_openedx_wire_forms() -> None:
    """UUIDs travel as canonical strings and datetimes as isoformat(), as openedx-events writes them."""
    payload = attrs.evolve(
        full_payload(LICENSE_ASSIGNED),
        license_uuid=UUID("5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10"),
        assigned_at=datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=UTC),
    )
    record = LICENSE_ASSIGNED.to_record(payload)["license_assignment"]
    assert record["license_uuid"] == "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10"
    assert record["assigned_at"] == "2026-11-26T09:30:15.123456+00:00"
    assert LICENSE_ASSIGNED.from_record({"license_assignment": record}) == payload


def test_serialize_refuses_another_payload_class() -> None:
    """Serializing the wrong payload class is a PayloadError, not bytes of another event."""
    with pytest.raises(PayloadError, match="expected a LicenseAssignmentData instance"):
        LICENSE_ASSIGNED.serialize({"license_assignment": {}})


@pytest.mark.parametrize("minor", [1, -1, "0", 0.0, None])
def test_unknown_minor_version_is_never_guessed(minor: Any) -> None:
    """A minor version without a published schema is UnknownSchemaVersion, naming what is published."""
    data = LICENSE_ASSIGNED.serialize(full_payload(LICENSE_ASSIGNED))
    with pytest.raises(UnknownSchemaVersion) as caught:
        LICENSE_ASSIGNED.deserialize(data, minorversion=minor)
    assert caught.value.known == (0,)
    assert isinstance(caught.value, LookupError)


def _valid() -> bytes:
    return LICENSE_ASSIGNED.serialize(full_payload(LICENSE_ASSIGNED))


def test_a_naive_datetime_string_is_refused() -> None:
    """A producer that writes a datetime without offset sent an invalid event: DecodeError naming the field."""
    record = LICENSE_ASSIGNED.to_record(full_payload(LICENSE_ASSIGNED))
    record["license_assignment"]["assigned_at"] = "2026-01-01T00:00:00"
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(LICENSE_ASSIGNED.schema), record)
    with pytest.raises(DecodeError, match="assigned_at: a datetime that is not timezone-aware and in UTC"):
        LICENSE_ASSIGNED.deserialize(out.getvalue(), minorversion=0)


def test_non_bytes_input_is_a_decode_error() -> None:
    """A str or None given as data is a DecodeError, not a TypeError from deep inside."""
    with pytest.raises(DecodeError, match="expected bytes, got str"):
        LICENSE_ASSIGNED.deserialize("abc", minorversion=0)  # type: ignore[arg-type]


def test_memoryview_and_bytearray_are_accepted() -> None:
    """Buffers from a socket or a bus client decode like bytes."""
    data = _valid()
    assert LICENSE_ASSIGNED.deserialize(bytearray(data), minorversion=0) == full_payload(LICENSE_ASSIGNED)
    assert LICENSE_ASSIGNED.deserialize(memoryview(data), minorversion=0) == full_payload(LICENSE_ASSIGNED)


# -- schema evolution: the writer schema is chosen by minor version ---------------------------------


from openedx_subsidy_events.events import field, payload_fields  # noqa: E402


def _widget_v0() -> type:
    @attrs.frozen(kw_only=True, field_transformer=payload_fields)
    class Widget:
        """A widget (minor 0)."""

        subsidy_request_uuid: UUID = field("The request.")
        count: int = field("How many.")

    return Widget


def _widget_v1() -> type:
    @attrs.frozen(kw_only=True, field_transformer=payload_fields)
    class Widget:
        """A widget (minor 1 adds an optional note before the count, and more after it)."""

        subsidy_request_uuid: UUID = field("The request.")
        note: str | None = field("A note.", optional=True)
        count: int = field("How many.")
        later: int | None = field("A later count.", optional=True)
        seen_at: datetime | None = field("When.", optional=True)

    return Widget


def _widget_v2() -> type:
    @attrs.frozen(kw_only=True, field_transformer=payload_fields)
    class Widget:
        """A widget (minor 2 appends an optional field: a newer producer's, not published here)."""

        subsidy_request_uuid: UUID = field("The request.")
        note: str | None = field("A note.", optional=True)
        count: int = field("How many.")
        later: int | None = field("A later count.", optional=True)
        seen_at: datetime | None = field("When.", optional=True)
        colour: str | None = field("Its colour.", optional=True)

    return Widget


WidgetV0, Widget, WidgetV2 = _widget_v0(), _widget_v1(), _widget_v2()


def _widget_event(root: Path, payload_type: type, minor: int) -> EventDefinition[Any]:
    return EventDefinition(
        event_type="org.openedx.test.widget.created.v1",
        data_key="widget",
        payload_type=payload_type,
        producer="tests",
        description="A widget was made.",
        minor_version=minor,
        schemas_root=root,
    )


@pytest.fixture
def widget_history(tmp_path: Path) -> tuple[EventDefinition[Any], EventDefinition[Any]]:
    """Minor 0 and minor 1 of a test event, both published under a temporary root."""
    old = _widget_event(tmp_path, WidgetV0, 0)
    new = _widget_event(tmp_path, Widget, 1)
    folder = tmp_path / old.event_type
    folder.mkdir()
    (folder / "0.avsc").write_text(dumps_schema(old.schema))
    (folder / "1.avsc").write_text(dumps_schema(new.schema))
    return old, new


def test_old_minor_is_read_with_its_own_writer_schema(widget_history: Any) -> None:
    """Bytes of minor 0 decode to the current class, the added fields at their defaults."""
    old, new = widget_history
    uid = UUID(int=7)
    data = old.serialize(WidgetV0(subsidy_request_uuid=uid, count=7))
    assert new.deserialize(data, minorversion=0) == Widget(subsidy_request_uuid=uid, count=7)


def test_new_minor_is_resolved_to_an_older_reader(widget_history: Any) -> None:
    """A consumer whose code is at minor 0 reads minor-1 bytes right, given the published 1.avsc."""
    old, new = widget_history
    data = new.serialize(Widget(subsidy_request_uuid=UUID(int=7), note="n", count=7, later=9))
    assert old.deserialize(data, minorversion=1) == WidgetV0(subsidy_request_uuid=UUID(int=7), count=7)


def test_the_open_edx_bus_defect_does_not_happen_here(widget_history: Any) -> None:
    """event-bus-redis reads with the consumer's own schema: count comes back 0, silently. We read 7."""
    old, new = widget_history
    data = new.serialize(Widget(subsidy_request_uuid=UUID(int=7), count=7, later=9))
    wrong = fastavro.schemaless_reader(io.BytesIO(data), fastavro.parse_schema(old.schema), None)
    assert wrong["widget"]["count"] == 0  # the defect, reproduced: the note's union index read as the count
    assert old.deserialize(data, minorversion=1).count == 7


def test_newer_minor_than_published_is_unknown(widget_history: Any) -> None:
    """A consumer with an older package refuses minor 2 instead of misreading it."""
    _old, new = widget_history
    with pytest.raises(UnknownSchemaVersion) as caught:
        new.deserialize(b"", minorversion=2)
    assert caught.value.known == (0, 1)
    assert "upgrade openedx-subsidy-events" in str(caught.value)


def test_a_newer_minor_is_read_as_a_prefix_only_when_asked(widget_history: Any, tmp_path: Path) -> None:
    """accept_newer reads minor-2 bytes with the newest published schema (1) and skips what minor 2 appended."""
    _old, new = widget_history
    newer = _widget_event(tmp_path / "producer", WidgetV2, 2)
    seen = datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC)
    data = newer.serialize(WidgetV2(subsidy_request_uuid=UUID(int=7), count=7, seen_at=seen, colour="é" * 100))
    expected = Widget(subsidy_request_uuid=UUID(int=7), count=7, seen_at=seen)
    assert new.deserialize(data, minorversion=2, accept_newer=True) == expected
    assert new.deserialize(memoryview(data), minorversion=2, accept_newer=True) == expected
    with pytest.raises(UnknownSchemaVersion):
        new.deserialize(data, minorversion=2)
    with pytest.raises(DecodeError, match=r"widget\.count: the data ends before this value does"):
        new.deserialize(data[:38], minorversion=2, accept_newer=True)
    own = new.serialize(expected)
    with pytest.raises(DecodeError, match=r"widget\.seen_at: 1 unexpected byte\(s\) after the event"):
        new.deserialize(own + b"\x00", minorversion=1, accept_newer=True)  # a published minor is read exactly


def test_memoryviews_of_any_shape_count_bytes_not_items() -> None:
    """A memoryview cast to 4-byte items, or taking every other byte, is read by its bytes."""
    data = _valid()
    padded = data + bytes(4 + (-len(data) % 4))
    with pytest.raises(DecodeError, match=f"{len(padded) - len(data)} unexpected byte"):
        LICENSE_ASSIGNED.deserialize(memoryview(padded).cast("I"), minorversion=0)
    interleaved = bytes(b for pair in zip(data, bytes(len(data)), strict=True) for b in pair)
    assert LICENSE_ASSIGNED.deserialize(memoryview(interleaved)[::2], minorversion=0) == full_payload(LICENSE_ASSIGNED)

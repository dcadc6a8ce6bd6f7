"""The strict decoder: every malformed input is a DecodeError naming the byte offset and the field, never a guess.

The bytes of the cases are written by hand from the Avro specification, so each expected offset is
counted here, not taken from the code under test.
"""

from __future__ import annotations

import copy
import io
import time
import tracemalloc
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import attrs
import fastavro
import pytest
from avro_samples import EVERYTHING, Everything
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from subsidy_samples import full_payload, minimal_payload, payloads

from openedx_subsidy_events import (
    COUPON_CODE_ASSIGNED,
    LICENSE_ASSIGNED,
    LICENSE_REQUEST_APPROVED,
    DecodeError,
    EventDefinition,
    SchemaError,
    all_events,
)
from openedx_subsidy_events.avro._decoder import careful_decoder
from openedx_subsidy_events.avro._plan import resolve

EVENTS = pytest.mark.parametrize("definition", all_events(), ids=lambda d: d.data_key)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _zigzag(n: int) -> bytes:
    """The Avro varint of any int, also past 64 bits (what an overlong varint on the wire says)."""
    n = 2 * n if n >= 0 else -2 * n - 1
    out = bytearray()
    while n & ~0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _string(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return _zigzag(len(raw)) + raw


PAYLOAD = full_payload(LICENSE_ASSIGNED)
PIECES = {
    "subsidy_request_uuid": _string(str(PAYLOAD.subsidy_request_uuid)),
    "license_uuid": _string(str(PAYLOAD.license_uuid)),
    "subscription_plan_uuid": _string(str(PAYLOAD.subscription_plan_uuid)),
    "enterprise_customer_uuid": _string(str(PAYLOAD.enterprise_customer_uuid)),
    "user_email": _string(PAYLOAD.user_email),
    "lms_user_id": b"\x02" + _zigzag(PAYLOAD.lms_user_id),
    "course_id": b"\x02" + _string(PAYLOAD.course_id),
    "assigned_at": b"\x02" + _string(PAYLOAD.assigned_at.isoformat()),
}
"""The full LICENSE_ASSIGNED sample, field by field, as the specification writes it."""


def _at(field: str) -> int:
    """The offset of a field's first byte in the full sample."""
    names = list(PIECES)
    return sum(len(PIECES[name]) for name in names[: names.index(field)])


def _with(**changes: bytes) -> bytes:
    return b"".join(changes.get(name, piece) for name, piece in PIECES.items())


VALID = _with()


def test_the_hand_written_bytes_are_what_the_codec_writes() -> None:
    """The hand-written sample is the codec's encoding (so the offsets below are the real ones)."""
    assert LICENSE_ASSIGNED.serialize(PAYLOAD) == VALID
    assert LICENSE_ASSIGNED.deserialize(VALID, minorversion=0) == PAYLOAD


MALFORMED = {
    "empty": (b"", "subsidy_request_uuid", 0, "the data ends before this value does"),
    "truncated in a string": (VALID[:-1], "assigned_at", _at("assigned_at") + 1, "(31 bytes left)"),
    "truncated in a varint": (
        _with(lms_user_id=b"\x02\x80")[: _at("lms_user_id") + 2], "lms_user_id", _at("lms_user_id") + 2, "ends before",
    ),
    "length past the end": (_zigzag(2**31) + b"abc", "subsidy_request_uuid", 0, "a length that runs past the end"),
    "length 2^62": (_zigzag(2**62) + b"abc", "subsidy_request_uuid", 0, "runs past the end of the data (3 bytes left)"),
    "negative length": (_with(user_email=_zigzag(-5) + b"abc"), "user_email", _at("user_email"), "negative length"),
    "varint of 11 bytes": (  # fastavro reads 1005 here; Java throws "Invalid long encoding"
        _with(lms_user_id=b"\x02\xda\x8f\x80\x80\x80\x80\x80\x80\x80\x80\x00"),
        "lms_user_id", _at("lms_user_id") + 1, "a varint longer than 10 bytes",
    ),
    "varint past 64 bits": (
        _with(lms_user_id=b"\x02" + _zigzag(2**63)), "lms_user_id", _at("lms_user_id") + 1, "does not fit in 64 bits",
    ),
    "union index 4": (_with(lms_user_id=_zigzag(4) + b"\x02"), "lms_user_id", _at("lms_user_id"), "union's 2 branches"),
    "union index -1": (_with(course_id=_zigzag(-1)), "course_id", _at("course_id"), "a union branch index outside"),
    "union index of 11 bytes": (_with(course_id=b"\x82" + b"\x80" * 10), "course_id", _at("course_id"), "10 bytes"),
    "invalid utf-8": (_with(user_email=_string(b"ab\xffcd")), "user_email", _at("user_email") + 3, "not valid UTF-8"),
    "surrogate in utf-8": (
        _with(user_email=_string(b"\xed\xa0\x80")), "user_email", _at("user_email") + 1, "not valid UTF-8",
    ),
    "trailing byte": (VALID + b"\x00", "assigned_at", len(VALID), "1 unexpected byte(s) after the event"),
    "not a uuid": (_with(license_uuid=_string("x" * 36)), "license_uuid", _at("license_uuid"), "canonical 8-4-4-4-12"),
    "uuid without hyphens": (
        _with(license_uuid=_string(PAYLOAD.license_uuid.hex)), "license_uuid", _at("license_uuid"), "canonical",
    ),
    "uuid in braces": (
        _with(license_uuid=_string(f"{{{PAYLOAD.license_uuid}}}")), "license_uuid", _at("license_uuid"), "canonical",
    ),
    "naive datetime": (
        _with(assigned_at=b"\x02" + _string("2026-01-01T00:00:00")), "assigned_at", _at("assigned_at") + 1, "UTC",
    ),
    "datetime in +02:00": (
        _with(assigned_at=b"\x02" + _string("2026-01-01T00:00:00+02:00")), "assigned_at", _at("assigned_at") + 1, "UTC",
    ),
    "not a datetime": (
        _with(assigned_at=b"\x02" + _string("soon")), "assigned_at", _at("assigned_at") + 1, "not an ISO 8601 datetime",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("data", "field", "offset", "reason"), MALFORMED.values(), ids=MALFORMED.keys())
def test_each_malformed_input_names_the_offset_and_the_field(data: bytes, field: str, offset: int, reason: str) -> None:
    """Each kind of malformed input is one DecodeError at the byte where it starts, naming the field read."""
    with pytest.raises(DecodeError) as caught:
        LICENSE_ASSIGNED.deserialize(data, minorversion=0)
    error = caught.value
    assert (error.event_type, error.offset) == (LICENSE_ASSIGNED.event_type, offset), error
    assert error.reason.partition(": ")[0] == f"license_assignment.{field}"
    assert reason in error.reason
    assert str(error).startswith(f"cannot decode {LICENSE_ASSIGNED.event_type} at byte {offset}: license_assignment.")
    assert error.__cause__ is None
    assert error.__suppress_context__ or error.__context__ is None  # no internal exception chained to it


def test_a_boolean_byte_other_than_0_or_1_is_refused() -> None:
    """attempt_auto_enrollment written as 5 is not True (fastavro reads any non-zero byte as True)."""
    sample = full_payload(LICENSE_REQUEST_APPROVED)
    yes = LICENSE_REQUEST_APPROVED.serialize(attrs.evolve(sample, attempt_auto_enrollment=True))
    no = LICENSE_REQUEST_APPROVED.serialize(attrs.evolve(sample, attempt_auto_enrollment=False))
    (at,) = [i for i, (a, b) in enumerate(zip(yes, no, strict=True)) if a != b]
    assert (yes[at], no[at]) == (1, 0)
    for byte in (2, 5, 255):
        with pytest.raises(DecodeError) as caught:
            LICENSE_REQUEST_APPROVED.deserialize(yes[:at] + bytes([byte]) + yes[at + 1 :], minorversion=0)
        assert caught.value.offset == at
        assert caught.value.reason == "license_request.attempt_auto_enrollment: a boolean byte other than 0 or 1"


@pytest.mark.parametrize("value", [2**63 - 1, -(2**63), 0, -1, 63, -64, 64, -65, 8191, 8192])
def test_every_long_in_range_reads_back(value: int) -> None:
    """The 64-bit extremes and the varint length boundaries decode to themselves."""
    data = _with(lms_user_id=b"\x02" + _zigzag(value))
    assert LICENSE_ASSIGNED.deserialize(data, minorversion=0).lms_user_id == value


def test_what_the_wire_allows_beyond_the_canonical_bytes_is_read() -> None:
    """A non-minimal varint (at most 10 bytes), uppercase UUID hex, a 'Z' datetime: valid, and read as such."""
    data = _with(
        lms_user_id=b"\x82\x00" + b"\xae\xc2\x80\x80\x00",  # branch 1 in two bytes, 4247 in five
        license_uuid=_string(str(PAYLOAD.license_uuid).upper()),
        assigned_at=b"\x02" + _string("2026-12-03T09:30:22.123456Z"),
    )
    assert LICENSE_ASSIGNED.deserialize(data, minorversion=0) == PAYLOAD


@pytest.mark.parametrize("length", [2**31, 2**62])
def test_a_huge_length_prefix_allocates_nothing_large(length: int) -> None:
    """A string claiming 2 GiB or more is refused without allocating from the claimed length."""
    data = _zigzag(length) + b"abc"
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError, match="runs past the end"):
            LICENSE_ASSIGNED.deserialize(data, minorversion=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_bytes_after_the_event_are_expected_when_reading_a_prefix() -> None:
    """exact=False (a newer minor read with the newest known schema) reads the datum and leaves the rest."""
    codec = LICENSE_ASSIGNED._codec
    writer = codec.writer_schema(0)
    assert codec.decode_resolved(VALID + b"\x02\x06abc", writer, None, exact=False) == PAYLOAD
    with pytest.raises(DecodeError, match="5 unexpected byte"):
        codec.decode_resolved(VALID + b"\x02\x06abc", writer, None)
    with pytest.raises(DecodeError, match="a union branch index outside the union's 2 branches"):
        codec.decode_resolved(_with(lms_user_id=_zigzag(4)), writer, None, exact=False)


# -- fuzzing: only DecodeError, and the fast decoder agrees with the careful one --------------------


def _outcome(decoder: Any, data: bytes, exact: bool) -> Any:
    try:
        return decoder(data, exact)
    except DecodeError as error:
        return (error.offset, error.reason)


def _decode(definition: EventDefinition[Any], data: bytes, *, exact: bool = True) -> Any:
    """The payload or DecodeError of the bytes, after checking that the careful decoder says the same."""
    codec = definition._codec
    writer = codec.writer_schema(definition.minor_version)
    plan = resolve(writer, writer, definition.payload_type, definition.data_key)
    careful = careful_decoder(plan, definition.event_type)
    fast = _outcome(codec._decoder_for(definition.minor_version), data, exact)
    assert fast == _outcome(careful, data, exact)
    if isinstance(fast, tuple):
        offset, _ = fast
        assert offset is None or 0 <= offset <= len(data)
        with pytest.raises(DecodeError):
            definition.deserialize(data, minorversion=definition.minor_version)
    else:
        assert type(fast) is definition.payload_type
        attrs.validate(fast)  # what the decoder lets through, the validators accept
        assert definition.deserialize(definition.serialize(fast), minorversion=0) == fast
    return fast


@EVENTS
@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes(definition: EventDefinition[Any], data: bytes) -> None:
    """Random bytes give a validated payload or a DecodeError, exact or not; nothing else escapes."""
    _decode(definition, data)
    _decode(definition, data, exact=False)


_TRICKY = st.sampled_from([b"\x80", b"\xff" * 11, b"\x01", b"\x03", b"\x02", b"\x48", b"\xed\xa0\x80", b"\xc0", b"-"])


@EVENTS
@FUZZ
@given(draw=st.data())
def test_fuzz_mutated_valid_events(definition: EventDefinition[Any], draw: st.DataObject) -> None:
    """Valid events with bytes flipped, cut or inserted decode to a valid payload or raise DecodeError."""
    data = bytearray(definition.serialize(draw.draw(payloads(definition))))
    for _ in range(draw.draw(st.integers(1, 4))):
        position = draw.draw(st.integers(0, len(data)))
        action = draw.draw(st.sampled_from(["flip", "cut", "insert", "overwrite"]))
        if action == "flip" and position < len(data):
            data[position] ^= draw.draw(st.integers(1, 255))
        elif action == "cut":
            del data[position : position + draw.draw(st.integers(1, 40))]
        else:
            piece = draw.draw(_TRICKY | st.binary(min_size=1, max_size=9))
            data[position : position + (len(piece) if action == "overwrite" else 0)] = piece
    _decode(definition, bytes(data))
    _decode(definition, bytes(data), exact=False)


@EVENTS
@FUZZ
@given(draw=st.data())
def test_fuzz_truncated_valid_events(definition: EventDefinition[Any], draw: st.DataObject) -> None:
    """Every proper prefix of a valid event is a DecodeError whose offset is within the prefix."""
    data = definition.serialize(draw.draw(payloads(definition)))
    cut = draw.draw(st.integers(0, len(data) - 1))
    outcome = _decode(definition, data[:cut])
    assert isinstance(outcome, tuple)
    assert outcome[0] <= cut


@FUZZ
@given(draw=st.data())
def test_fuzz_a_payload_with_every_field_kind(draw: st.DataObject) -> None:
    """The fast and careful decoders agree on mutated bytes of a payload with every wire type, any order."""
    schema = fastavro.parse_schema(EVERYTHING.schema)
    plan = resolve(schema, schema, Everything, EVERYTHING.data_key)
    fast, careful = EVERYTHING._codec._resolved_decoder(schema, None), careful_decoder(plan, EVERYTHING.event_type)
    data = bytearray(EVERYTHING.serialize(draw.draw(payloads(EVERYTHING))))
    for _ in range(draw.draw(st.integers(0, 3))):
        position = draw.draw(st.integers(0, len(data) - 1))
        data[position] = draw.draw(st.integers(0, 255))
    for exact in (True, False):
        outcome = _outcome(fast, bytes(data), exact)
        assert outcome == _outcome(careful, bytes(data), exact)
        if not isinstance(outcome, tuple):
            attrs.validate(outcome)


@EVENTS
def test_every_prefix_of_the_samples_is_refused(definition: EventDefinition[Any]) -> None:
    """Each of the samples cut at every byte is refused, exactly or not."""
    for payload in (full_payload(definition), minimal_payload(definition)):
        data = definition.serialize(payload)
        for cut in range(len(data)):
            assert isinstance(_decode(definition, data[:cut]), tuple)
            assert isinstance(_decode(definition, data[:cut], exact=False), tuple)
        assert _decode(definition, data) == payload


# -- writers other than our own schema: resolution and skipping ------------------------------------

EXTRA_FIELDS = [
    {"name": "x_bool", "type": "boolean"},
    {"name": "x_int", "type": "int"},
    {"name": "x_float", "type": "float"},
    {"name": "x_double", "type": "double"},
    {"name": "x_bytes", "type": "bytes"},
    {"name": "x_enum", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN"]}},
    {"name": "x_fixed", "type": {"type": "fixed", "name": "Four", "size": 4}},
    {
        "name": "x_array",
        "type": {
            "type": "array",
            "items": {
                "type": "record",
                "name": "Item",
                "fields": [
                    {"name": "name", "type": "string"},
                    {"name": "tags", "type": {"type": "map", "values": "long"}},
                ],
            },
        },
    },
    {"name": "x_again", "type": "Item"},
    {"name": "x_union", "type": ["null", "Colour", "Four", {"type": "array", "items": "null"}]},
    {
        "name": "x_list",
        "type": {
            "type": "record",
            "name": "Node",
            "fields": [{"name": "value", "type": "long"}, {"name": "next", "type": ["null", "Node"]}],
        },
    },
    {"name": "x_time", "type": {"type": "long", "logicalType": "timestamp-millis"}},
]
EXTRA_VALUES = {
    "x_bool": True,
    "x_int": -(2**31),
    "x_float": 1.5,
    "x_double": -2.25,
    "x_bytes": b"\xff\x00",
    "x_enum": "GREEN",
    "x_fixed": b"abcd",
    "x_array": [{"name": "a", "tags": {"k": 1, "l": -2}}, {"name": "é", "tags": {}}],
    "x_again": {"name": "b", "tags": {"m": 3}},
    "x_union": [None, None, None],
    "x_list": {"value": 1, "next": {"value": 2, "next": None}},
    "x_time": datetime(2026, 1, 1, tzinfo=UTC),
}


def _writer_with_extras(*, top: bool = True) -> dict[str, Any]:
    """Our LICENSE_ASSIGNED schema with a field of every Avro type between its own, and two around the payload."""
    schema = LICENSE_ASSIGNED.schema
    payload = schema["fields"][0]["type"]
    own = payload["fields"]
    payload["fields"] = [own[0], *EXTRA_FIELDS[:6], *own[1:5], *EXTRA_FIELDS[6:], *own[5:]]
    if top:
        schema["fields"] = [
            {"name": "before", "type": "string"},
            schema["fields"][0],
            {"name": "after", "type": {"type": "map", "values": "Colour"}},
        ]
    return schema


def _write(schema: dict[str, Any], record: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), record)
    return out.getvalue()


def _extended_record(payload: Any) -> dict[str, Any]:
    inner = {**LICENSE_ASSIGNED.to_record(payload)["license_assignment"], **EXTRA_VALUES}
    return {"before": "é" * 70, "license_assignment": inner, "after": {"x": "RED", "y": "GREEN"}}


@pytest.mark.parametrize("parsed", [True, False], ids=["parsed", "as-json"])
@pytest.mark.parametrize("build", [full_payload, minimal_payload], ids=["full", "minimal"])
def test_a_writer_with_fields_of_every_type_is_read_skipping_them(parsed: bool, build: Any) -> None:
    """Fields the reader does not know, of any type and at any place, are skipped; its own are read."""
    payload = build(LICENSE_ASSIGNED)
    writer = _writer_with_extras()
    data = _write(writer, _extended_record(payload))
    schema = fastavro.parse_schema(writer) if parsed else writer
    assert LICENSE_ASSIGNED._codec.decode_resolved(data, schema, LICENSE_ASSIGNED.schema) == payload
    with pytest.raises(DecodeError, match="1 unexpected byte"):
        LICENSE_ASSIGNED._codec.decode_resolved(data + b"\x00", schema, LICENSE_ASSIGNED.schema)


def _extended_data() -> tuple[dict[str, Any], bytes]:
    writer = _writer_with_extras(top=False)
    record = _extended_record(PAYLOAD)
    return writer, _write(writer, {"license_assignment": record["license_assignment"]})


def _offset_of(data: bytes, piece: bytes) -> int:
    assert data.count(piece) == 1
    return data.index(piece)


SKIPPED_MALFORMED = {
    "boolean": (b"a10\x01\xff", b"a10\x05\xff", "x_bool", "a boolean byte other than 0 or 1"),
    "int": (b"\x01\xff\xff\xff\xff\x0f", b"\x01\xff\xff\xff\xff\x1f", "x_int", "an int outside 32 bits"),
    "enum": (b"\x04\xff\x00\x02H", b"\x04\xff\x00\x0eH", "x_enum", "an enum symbol index outside the enum's 2 symbols"),
    "utf-8 in an array": (b"\x04\xc3\xa9", b"\x04\xff\xa9", "x_array[1].name", "not valid UTF-8"),
    "map value": (b"\x02l\x03", b"\x02l" + b"\xff" * 11, "x_array[0].tags[1]", "a varint longer than 10 bytes"),
    "named record": (b"\x02m\x06", b"\x02m" + b"\x80" * 12, "x_again.tags[0]", "a varint longer than 10 bytes"),
    "union": (
        b"\x06\x06\x00\x02\x02",
        b"\x0a\x06\x00\x02\x02",
        "x_union",
        "a union branch index outside the union's 4 branches",
    ),
    "recursive": (b"\x02\x02\x04\x00\x80", b"\x02\x06\x04\x00\x80", "x_list.next", "a union branch index outside"),
    "recursive, deeper": (b"\x02\x02\x04\x00\x80", b"\x02\x02\x04\x06\x80", "x_list.next.next", "index outside"),
}


@pytest.mark.parametrize(("old", "new", "path", "reason"), SKIPPED_MALFORMED.values(), ids=SKIPPED_MALFORMED.keys())
def test_malformed_bytes_in_a_skipped_field_name_the_place_inside_it(
    old: bytes, new: bytes, path: str, reason: str
) -> None:
    """A bad value inside a field the reader skips is still refused, with the path down to it."""
    writer, data = _extended_data()
    tampered = data.replace(old, new)
    assert data.count(old) == 1
    with pytest.raises(DecodeError) as caught:
        LICENSE_ASSIGNED._codec.decode_resolved(tampered, writer, LICENSE_ASSIGNED.schema)
    assert caught.value.reason.startswith(f"license_assignment.{path}: ")
    assert reason in caught.value.reason
    assert 0 <= caught.value.offset < len(tampered)


def _append_field(field: dict[str, Any]) -> dict[str, Any]:
    schema = LICENSE_ASSIGNED.schema
    schema["fields"][0]["type"]["fields"].append(field)
    return schema


def test_array_blocks_with_a_byte_size_are_read_and_checked() -> None:
    """A block with a negative count carries its byte size: read, and refused when it does not match the items."""
    writer = _append_field({"name": "x", "type": {"type": "array", "items": "long"}})
    blocks = _zigzag(-2) + _zigzag(2) + b"\x02\x04" + _zigzag(1) + b"\x06" + b"\x00"
    assert LICENSE_ASSIGNED._codec.decode_resolved(VALID + blocks, writer, LICENSE_ASSIGNED.schema) == PAYLOAD
    wrong = _zigzag(-2) + _zigzag(3) + b"\x02\x04" + b"\x00"
    with pytest.raises(DecodeError, match=r"license_assignment\.x: a block size other than the 2 bytes its items take"):
        LICENSE_ASSIGNED._codec.decode_resolved(VALID + wrong, writer, LICENSE_ASSIGNED.schema)
    negative = _zigzag(-2) + _zigzag(-1) + b"\x02\x04" + b"\x00"
    with pytest.raises(DecodeError, match="a negative block size"):
        LICENSE_ASSIGNED._codec.decode_resolved(VALID + negative, writer, LICENSE_ASSIGNED.schema)
    too_many = _zigzag(2**40) + b"\x02\x04\x00"
    with pytest.raises(DecodeError, match=r"a block whose item count runs past the end of the data \(3 left\)"):
        LICENSE_ASSIGNED._codec.decode_resolved(VALID + too_many, writer, LICENSE_ASSIGNED.schema)


@pytest.mark.parametrize(
    "items",
    [
        "null",
        {"type": "record", "name": "Nothing", "fields": []},
        {"type": "fixed", "name": "Zero", "size": 0},
        {"type": "record", "name": "Nulls", "fields": [{"name": "a", "type": "null"}, {"name": "b", "type": "null"}]},
    ],
)
def test_a_huge_count_of_empty_items_is_skipped_at_once(items: Any) -> None:
    """2^62 values that take no bytes are skipped without a loop, so no hang."""
    writer = _append_field({"name": "x", "type": {"type": "array", "items": items}})
    began = time.perf_counter()
    data = VALID + _zigzag(2**62) + _zigzag(2**62) + b"\x00"
    assert LICENSE_ASSIGNED._codec.decode_resolved(data, writer, LICENSE_ASSIGNED.schema) == PAYLOAD
    assert time.perf_counter() - began < 5  # not a timing assertion: a loop over 2^62 items would never end


def test_values_nested_deeper_than_python_recursion_are_a_decode_error() -> None:
    """A linked list 100,000 deep in a skipped field is refused as too deep, not a RecursionError."""
    writer = _append_field({"name": "x", "type": [
        "null", {"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]},
    ]})  # fmt: skip
    data = VALID + b"\x02" * 100_000 + b"\x00"
    with pytest.raises(DecodeError, match=r"license_assignment\.x: values nested too deeply to read") as caught:
        LICENSE_ASSIGNED._codec.decode_resolved(data, writer, LICENSE_ASSIGNED.schema)
    assert caught.value.offset == len(VALID)


def test_mutually_recursive_types_in_a_skipped_field_are_read() -> None:
    """Two records that refer to each other are skipped as deep as the bytes go."""
    ping = {"type": "record", "name": "Ping", "fields": [{"name": "pong", "type": ["null", {
        "type": "record", "name": "Pong", "fields": [{"name": "ping", "type": ["null", "Ping"]}],
    }]}]}  # fmt: skip
    writer = _append_field({"name": "x", "type": ping})
    data = VALID + b"\x02\x02\x02\x02\x00"  # x.pong.ping.pong.ping, whose pong is null
    assert LICENSE_ASSIGNED._codec.decode_resolved(data, writer, LICENSE_ASSIGNED.schema) == PAYLOAD
    with pytest.raises(DecodeError, match=r"license_assignment\.x\.pong\.ping\.pong\.ping\.pong: the data ends before"):
        LICENSE_ASSIGNED._codec.decode_resolved(data[:-1], writer, LICENSE_ASSIGNED.schema)


def test_a_writer_that_is_not_valid_avro_is_a_schema_error() -> None:
    """An invalid writer schema given to decode_resolved is a SchemaError, not a fastavro exception."""
    with pytest.raises(SchemaError, match="the writer schema is not valid Avro"):
        LICENSE_ASSIGNED._codec.decode_resolved(VALID, {"type": "nonsense"}, LICENSE_ASSIGNED.schema)


def _retyped(**types: Any) -> dict[str, Any]:
    """Our schema with some payload fields' types changed (``None``: the field removed)."""
    schema = LICENSE_ASSIGNED.schema
    for field in schema["fields"][0]["type"]["fields"]:
        if field["name"] in types:
            field["type"] = types[field["name"]]
            if not isinstance(field["type"], list) or field["type"][0] != "null":
                field.pop("default", None)
    schema["fields"][0]["type"]["fields"] = [f for f in schema["fields"][0]["type"]["fields"] if f["type"]]
    return schema


def test_promotions_are_read_as_the_specification_and_fastavro_read_them() -> None:
    """int → long, bytes → string, a non-union writer into a nullable reader, a wider writer union."""
    writer = _retyped(lms_user_id="int", course_id="bytes", assigned_at=["string", "null", "long"], user_email="bytes")
    record = LICENSE_ASSIGNED.to_record(PAYLOAD)
    record["license_assignment"]["course_id"] = PAYLOAD.course_id.encode()
    record["license_assignment"]["user_email"] = PAYLOAD.user_email.encode()
    data = _write(writer, record)
    decoded = LICENSE_ASSIGNED._codec.decode_resolved(data, writer, LICENSE_ASSIGNED.schema)
    assert decoded == PAYLOAD
    theirs = fastavro.schemaless_reader(io.BytesIO(data), fastavro.parse_schema(writer), LICENSE_ASSIGNED.schema)
    assert LICENSE_ASSIGNED.from_record(theirs) == PAYLOAD


@pytest.mark.parametrize(
    ("types", "value", "reason"),
    [
        ({"lms_user_id": "int"}, {"lms_user_id": 2**31}, "lms_user_id: an int outside 32 bits"),
        ({"assigned_at": ["null", "long"]}, {"assigned_at": 5}, "assigned_at: the writer's long cannot be read as"),
        ({"user_email": ["null", "string"]}, {"user_email": None}, "user_email: the writer's null cannot be read as"),
        ({"course_id": "bytes"}, {"course_id": b"\xff"}, "course_id: a string that is not valid UTF-8"),
    ],
)
def test_values_the_reader_cannot_take_are_decode_errors(
    types: dict[str, Any], value: dict[str, Any], reason: str
) -> None:
    """A branch or promotion that does not resolve, or a value outside the writer's own type, names the field."""
    writer = _retyped(**types)
    record = LICENSE_ASSIGNED.to_record(PAYLOAD)
    record["license_assignment"].update(value)
    as_long = types == {"lms_user_id": "int"}  # fastavro would not write it: the int written as a long
    data = _write(_retyped(lms_user_id="long") if as_long else writer, record)
    with pytest.raises(DecodeError) as caught:
        LICENSE_ASSIGNED._codec.decode_resolved(data, writer, LICENSE_ASSIGNED.schema)
    assert caught.value.reason.startswith(f"license_assignment.{reason}")


def test_a_field_the_writer_lacks_is_the_readers_default() -> None:
    """An optional field absent from the writer is None; a required one makes every datum unreadable."""
    without_course = _retyped(course_id=None)
    record = LICENSE_ASSIGNED.to_record(PAYLOAD)
    del record["license_assignment"]["course_id"]
    data = _write(without_course, record)
    assert LICENSE_ASSIGNED._codec.decode_resolved(data, without_course, LICENSE_ASSIGNED.schema) == (
        attrs.evolve(PAYLOAD, course_id=None)
    )
    without_email = _retyped(user_email=None)
    with pytest.raises(DecodeError) as caught:
        LICENSE_ASSIGNED._codec.decode_resolved(data, without_email, LICENSE_ASSIGNED.schema)
    assert caught.value.reason == (
        "the bytes cannot be read as this event: the writer has no field license_assignment.user_email, "
        "and the reader's default for it is not null"
    )


@pytest.mark.parametrize(
    ("writer", "reason"),
    [
        ("string", "the writer's schema is a string, not a record"),
        ({"type": "record", "name": "Other", "fields": []}, "the writer's schema record is Other, not CloudEvent"),
        ({"type": "record", "name": "CloudEvent", "fields": []}, "the writer schema has no field 'license_assignment'"),
        (
            {"type": "record", "name": "CloudEvent", "fields": [{"name": "license_assignment", "type": "long"}]},
            "the writer's license_assignment is a long, not a record",
        ),
    ],
)
def test_a_writer_that_is_not_this_event_is_refused_for_every_datum(writer: Any, reason: str) -> None:
    """Writers that cannot resolve to the payload raise DecodeError saying why, before reading a byte."""
    with pytest.raises(DecodeError) as caught:
        LICENSE_ASSIGNED._codec.decode_resolved(VALID, writer, LICENSE_ASSIGNED.schema)
    assert caught.value.reason == f"the bytes cannot be read as this event: {reason}"
    assert caught.value.offset is None


def test_records_resolve_by_unqualified_name() -> None:
    """openedx-events' namespace (the hyphenated event type) reads like ours: records match by unqualified name."""
    writer = LICENSE_ASSIGNED.schema
    writer["namespace"] = "org.openedx.somewhere.else"
    assert LICENSE_ASSIGNED._codec.decode_resolved(VALID, writer, LICENSE_ASSIGNED.schema) == PAYLOAD


def test_a_reader_that_does_not_describe_the_payload_class_is_a_schema_error() -> None:
    """decode_resolved needs a reader schema of the codec's own payload class."""
    reader = copy.deepcopy(LICENSE_ASSIGNED.schema)
    reader["fields"][0]["type"]["fields"].pop()
    with pytest.raises(SchemaError, match="does not describe LicenseAssignmentData"):
        LICENSE_ASSIGNED._codec.decode_resolved(VALID, LICENSE_ASSIGNED.schema, reader)


def test_decoders_are_built_once_per_schema_pair() -> None:
    """The same (writer, reader) objects reuse their decoder; a decode by minor version reuses its own."""
    codec = LICENSE_ASSIGNED._codec
    writer = fastavro.parse_schema(LICENSE_ASSIGNED.schema)
    codec.decode_resolved(VALID, writer, None)
    first = codec._resolved_decoder(writer, None)
    codec.decode_resolved(VALID, writer, None)
    assert codec._resolved_decoder(writer, None) is first
    LICENSE_ASSIGNED.deserialize(VALID, minorversion=0)
    assert codec._decoder_for(0) is codec._decoders[0]


def test_a_traceback_through_a_generated_decoder_shows_its_lines() -> None:
    """The generated source is registered with linecache, as attrs does for its generated methods."""
    import linecache

    code = LICENSE_ASSIGNED._codec._decoder_for(0).__code__
    assert "def decode(data, exact):" in linecache.getline(code.co_filename, 1)


@settings(max_examples=200, deadline=None)
@given(value=st.uuids(), upper=st.booleans())
def test_uuids_read_by_the_fast_path_are_the_stdlibs(value: UUID, upper: bool) -> None:
    """The UUID built from the hex digits equals uuid.UUID(text) in every way."""
    text = str(value).upper() if upper else str(value)
    decoded = LICENSE_ASSIGNED.deserialize(_with(license_uuid=_string(text)), minorversion=0).license_uuid
    assert (decoded, decoded.int, decoded.is_safe, hash(decoded)) == (value, value.int, UUID(text).is_safe, hash(value))


SECRETS = {
    "plain": "Q7XZ-K9PW-J3VB-MHTR",
    "like a uuid": "9f3e7a1c-4b2d-4e8f-a6c5-7d1b0e9f2a3c",
    "like a datetime": "2031-07-19T04:52:37.654321+00:00",
    "long": "W" * 70 + "Y" * 70,
}


def _corruptions(data: bytes) -> Any:
    """Every truncation, and every single byte of ``data`` replaced by a few others (lengths, indexes, text)."""
    for end in range(len(data)):
        yield data[:end]
    for at in range(len(data)):
        for byte in (0x00, 0x01, 0x02, 0x06, 0x10, 0x48, 0x4A, 0x7F, 0x80, 0xFF):
            if byte != data[at]:
                yield data[:at] + bytes([byte]) + data[at + 1 :]


@pytest.mark.parametrize("secret", SECRETS.values(), ids=SECRETS.keys())
def test_no_piece_of_a_secret_is_in_a_decode_error(secret: str) -> None:
    """On corrupt bytes a coupon code read at the wrong offset as another field is not quoted: field and offset only."""
    payload = attrs.evolve(full_payload(COUPON_CODE_ASSIGNED), coupon_code=secret)
    data = COUPON_CODE_ASSIGNED.serialize(payload)
    pieces = {secret[i : i + 5] for i in range(len(secret) - 4)}
    errors = []
    for corrupt in _corruptions(data):
        try:
            COUPON_CODE_ASSIGNED.deserialize(corrupt, minorversion=0)
        except DecodeError as error:
            errors.append(error)
    for error in errors:
        shown = f"{error} {error!r}"
        assert not [piece for piece in pieces if piece in shown], shown
        assert error.offset is not None
        assert error.reason.startswith("coupon_code_assignment.")
    assert len(errors) > len(data)  # the corruptions were refused, not read as some other valid event


@FUZZ
@given(st.binary(max_size=200), st.sampled_from(list(SECRETS.values())))
def test_no_piece_of_a_secret_is_in_a_decode_error_of_random_bytes(tail: bytes, secret: str) -> None:
    """Whatever bytes follow a cut-short event that holds a secret, the error quotes none of them."""
    payload = attrs.evolve(full_payload(COUPON_CODE_ASSIGNED), coupon_code=secret)
    data = COUPON_CODE_ASSIGNED.serialize(payload)
    at = data.index(secret.encode()) - 1  # the coupon code's length prefix: what follows is read as other fields
    corrupt = data[:at] + tail + data[at:]
    shown = ""
    try:
        COUPON_CODE_ASSIGNED.deserialize(corrupt, minorversion=0)
    except DecodeError as error:
        shown = f"{error} {error!r}"
    assert not [secret[i : i + 5] for i in range(len(secret) - 4) if secret[i : i + 5] in shown]

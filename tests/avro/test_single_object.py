"""Avro single-object encoding: header, fingerprint, self-identification, and malformed input."""

import json
from typing import Any

import avro.schema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from subsidy_samples import full_payload

from openedx_subsidy_events import (
    COUPON_CODE_ASSIGNED,
    DecodeError,
    EventDefinition,
    decode_single_object,
    encode_single_object,
)
from openedx_subsidy_events.avro import schema_fingerprint


def test_round_trip_identifies_the_event(definition: EventDefinition[Any]) -> None:
    """Decoding needs no event type: the fingerprint names the event and the minor version."""
    payload = full_payload(definition)
    found = decode_single_object(encode_single_object(definition, payload))
    assert found.definition is definition
    assert found.minorversion == definition.minor_version
    assert found.payload == payload


def test_layout_is_marker_fingerprint_body(definition: EventDefinition[Any]) -> None:
    """C3 01, then the 8-byte fingerprint, then exactly the schemaless body."""
    payload = full_payload(definition)
    data = encode_single_object(definition, payload)
    assert data[:2] == b"\xc3\x01"
    assert data[2:10] == schema_fingerprint(definition.schema)
    assert data[10:] == definition.serialize(payload)


def test_fingerprint_agrees_with_apache_avro(definition: EventDefinition[Any]) -> None:
    """Our CRC-64-AVRO (via fastavro) equals the Apache implementation's, little-endian."""
    apache = avro.schema.parse(json.dumps(definition.schema)).fingerprint("CRC-64-AVRO")
    assert schema_fingerprint(definition.schema) == apache


def test_fingerprints_of_the_four_events_differ() -> None:
    """Every event has its own fingerprint (the namespace differs), so bytes identify one event."""
    from openedx_subsidy_events import all_events

    assert len({schema_fingerprint(d.schema) for d in all_events()}) == 4


MALFORMED = {
    "empty": (b"", "shorter than a single-object header"),
    "short": (b"\xc3\x01\x00", "shorter than a single-object header"),
    "wrong marker": (b"\xc3\x02" + bytes(8) + b"\x00", "first two bytes are not C3 01"),
    "unknown fingerprint": (b"\xc3\x01" + bytes(8) + b"\x00", "no published schema has fingerprint 0000000000000000"),
}


@pytest.mark.parametrize(("data", "reason"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_headers(data: bytes, reason: str) -> None:
    """Bad headers are DecodeErrors that say what is wrong."""
    with pytest.raises(DecodeError, match=reason):
        decode_single_object(data)


def test_body_errors_carry_offsets_into_the_whole_message() -> None:
    """A body error's offset counts the 10 header bytes."""
    data = encode_single_object(COUPON_CODE_ASSIGNED, full_payload(COUPON_CODE_ASSIGNED))
    with pytest.raises(DecodeError) as caught:
        decode_single_object(data + b"!")
    assert caught.value.offset == len(data)
    assert caught.value.event_type == COUPON_CODE_ASSIGNED.event_type


@settings(max_examples=300, deadline=None)
@given(tail=st.binary(max_size=200), which=st.integers(0, 3))
def test_fuzz_bodies_behind_a_valid_header(tail: bytes, which: int) -> None:
    """Any body behind a known fingerprint is a valid event or a DecodeError."""
    from openedx_subsidy_events import all_events

    definition = all_events()[which]
    data = b"\xc3\x01" + schema_fingerprint(definition.schema) + tail
    try:
        found = decode_single_object(data)
    except DecodeError:
        return
    assert found.definition is definition
